"""Data quality: expectation suites over the warehouse, stored results, the dashboard."""
