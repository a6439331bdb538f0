"""Benchmarks run by `make bench` (scripts, not tests)."""
