"""Curator pages (see the package docstring)."""
