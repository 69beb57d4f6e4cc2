"""Reference data for curators: the 980 catalogue tree, business incubators and agencies."""
