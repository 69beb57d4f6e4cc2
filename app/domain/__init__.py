"""Rules of the field that every path (web, API, CLI, seed) shares: tax codes, firm size, places."""
