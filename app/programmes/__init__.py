"""Support programmes: public list and programme pages."""
