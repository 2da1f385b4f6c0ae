"""Synthetic city government for demos, tests and benchmarks."""
