"""Curation: review queue and decisions on listings, revisions and claims; agency data."""
