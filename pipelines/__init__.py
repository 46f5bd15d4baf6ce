"""Dagster wiring for gongkai (thin wrappers over the plain-Python stages in `gongkai`)."""
