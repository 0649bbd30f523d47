"""Query compilation: SELECT states, subquery rules and user SQL fragments."""
