"""Query expressions: the user-facing operators, restriction arguments, semantic matching, dj.U."""
