"""Benchmarks (not tests): each prints its figures and writes tests/bench/results/<name>.json.

Every figure is reported as a ratio against a baseline measured in the same run on the same
machine, because the 2-core development box is shared and absolute timings are noise.
"""
