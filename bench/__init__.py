"""Benchmarks: `invoke bench` (see README, "Benchmarks")."""
