"""Counters for benchmarks: pages recognised in this process."""

PAGES_READ = 0
