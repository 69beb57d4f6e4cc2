"""Reference and sample data files, and the loader behind `flask seed`."""
