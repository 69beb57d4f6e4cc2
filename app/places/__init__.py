"""Places: economic zones, industrial parks and clusters, and incubators."""
