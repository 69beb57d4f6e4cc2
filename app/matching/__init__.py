"""Matching: what fits a firm, which firms fit a programme or zone, and expressions of interest."""
