"""Log output: one handler and format for datajoint_sa's logger and for ``logging.getLogger("datajoint")``.

Pipelines written for DataJoint log to the ``datajoint`` logger; they get the same
stream and format as the library's own messages, and both follow
``dj.config["loglevel"]``.  Output goes to stderr (``DJ_LOG_STREAM=stdout`` changes
that).  Importing the package changes nothing else of the process's logging: no
``sys.excepthook``, no root handler.
"""

from __future__ import annotations

import logging
import os
import sys

__all__ = ["LOGGER_NAMES", "LevelAwareFormatter", "configure_loggers"]

#: The library's logger, then DataJoint 2.x's name for it.
LOGGER_NAMES = ("datajoint_sa", "datajoint")
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


class LevelAwareFormatter(logging.Formatter):
    """``[time] message`` for information, ``[time][LEVEL]: message`` for warnings, errors and debugging.

    A traceback (``exc_info``) or stack (``stack_info``) follows the message, as with
    ``logging.Formatter``.
    """

    def format(self, record: logging.LogRecord) -> str:
        stamp = self.formatTime(record, TIME_FORMAT)
        head = f"[{stamp}] " if record.levelno == logging.INFO else f"[{stamp}][{record.levelname}]: "
        text = head + record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            text = f"{text}\n{record.exc_text}"
        if record.stack_info:
            text = f"{text}\n{self.formatStack(record.stack_info)}"
        return text


def _stream():
    return sys.stdout if os.environ.get("DJ_LOG_STREAM", "").strip().lower() == "stdout" else sys.stderr


def configure_loggers() -> logging.Handler:
    """Give both logger names one shared handler (once; later calls return it)."""
    loggers = [logging.getLogger(name) for name in LOGGER_NAMES]
    for logger in loggers:
        for handler in logger.handlers:
            if getattr(handler, "datajoint_sa", False):
                return handler
    handler = logging.StreamHandler(_stream())
    handler.setFormatter(LevelAwareFormatter())
    handler.datajoint_sa = True  # type: ignore[attr-defined]
    for logger in loggers:
        logger.addHandler(handler)
    # The library's own messages stay off the root logger (as before); "datajoint" propagates as in DataJoint 2.x.
    loggers[0].propagate = False
    return handler
