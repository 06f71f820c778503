"""Benchmarks of issue 7 (docs/benchmarks.md): `python -m bench`, `make bench` or `bin/bench`."""
