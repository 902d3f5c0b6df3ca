"""Benchmarks: figures printed as ratios against a baseline run beside them."""
