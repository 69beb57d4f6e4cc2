"""News and success stories: curators write and publish them; the public reads, follows (Atom)
and finds them from the firms, catalogue items, programmes and zones they are tagged with."""
