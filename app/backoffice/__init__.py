"""Back office: statistics, list exports, the yearly data update and the yearly report."""
