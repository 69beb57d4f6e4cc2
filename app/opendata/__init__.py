"""Open data: the public datasets as CSV and JSON with their data dictionary and licence, and
their DCAT catalogue for open-data portals."""
