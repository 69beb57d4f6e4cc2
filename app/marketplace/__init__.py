"""The technology marketplace: requests and offers, curated, matched, answered and renewed."""
