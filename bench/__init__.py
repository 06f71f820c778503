"""The benchmarks (docs/benchmarks.md): `python -m bench`, `make bench` or `bin/bench`."""
