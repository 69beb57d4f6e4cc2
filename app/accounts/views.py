"""Account pages (see the package docstring)."""
