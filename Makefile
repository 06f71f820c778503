# The benchmarks (docs/benchmarks.md). `make bench` runs the default set, sized for a short run;
# pass more with ARGS, e.g. make bench ARGS="--size medium --repeat 3".
PYTHON ?= .venv/bin/python
ARGS ?=

.PHONY: bench bench-profile fuzz

bench:  # bin/bench makes the virtualenv first on a fresh clone
	bin/bench $(ARGS)

# pyinstrument over the wage consumer's batch path (pip install pyinstrument); ARGS="--embedded" for SQLite
bench-profile:
	$(PYTHON) -m bench.profile $(ARGS)

# Schemathesis deeper than CI's run (tests/api/test_fuzz.py): random, 300 examples an operation and 300
# linked sequences (the stateful phase); its last figures are in docs/architecture.md (Fuzzing).
fuzz:
	FUZZ_EXAMPLES=300 $(PYTHON) -m pytest tests/api/test_fuzz.py -p no:randomly -q --hypothesis-show-statistics -rP --show-capture=stdout $(ARGS)
