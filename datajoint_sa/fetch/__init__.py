"""Fetching: rows -> dicts, arrays, frames; text and HTML display."""
