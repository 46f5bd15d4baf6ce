"""The DuckDB warehouse: star schema DDL from sql/, static dimensions from formats.py,
idempotent bulk loading of extracted reports."""
