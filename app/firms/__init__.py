"""Firms: the public directory (and, later, business self-service)."""
