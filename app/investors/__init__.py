"""Investors: profile and recommendations, firm discovery, shortlists, saved searches with
alerts, and introduction requests to firms."""
