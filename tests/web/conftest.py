"""Fixtures for the page tests: the API tests' registry and database (tests/support/world.py)."""
from support.world import build, settings, token, world  # noqa: F401  (fixtures)
