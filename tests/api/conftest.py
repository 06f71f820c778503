"""Fixtures for the API tests: those of tests/support/world.py (a copy of a migrated database per test,
a small registry, tokens, events)."""
from support.world import (  # noqa: F401  (fixtures)
    build,
    settings,
    token,
    world,
)
