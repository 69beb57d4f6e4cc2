"""Search: the search page, suggestions, and keeping the index true through the outbox."""
