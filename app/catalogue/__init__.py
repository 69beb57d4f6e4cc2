"""The Decision 980 catalogue: the public tree and item pages."""
