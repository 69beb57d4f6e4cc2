"""Bulk import for curators: catalogue items, firms, programmes, zones and incubators from
CSV or XLSX files, checked row by row in a dry run before anything is written."""
