"""`python -m bench.without_income [ROLE] [--drain]`: the project's consumer process, run as usual, with the
upkeep of the income aggregate (`add_income`, which the wage and adjustment paths call in their batch's
transaction) replaced by a no-op: the other arm of the bench's measure of what keeping the aggregate costs.
A bench tool only: the income it leaves unkept is wrong."""
from __future__ import annotations

import sys

import consumers.__main__ as entry

NAME = "add_income"


def skip_income(session, changes) -> None:
    """Keeps nothing."""


def replace_upkeep() -> int:
    """Point every loaded module's `add_income` at the no-op; returns how many callers were changed. By name,
    whatever module defines it, so that moving the modules does not silently leave the upkeep in place."""
    kept = {getattr(module, NAME) for module in list(sys.modules.values())
            if callable(getattr(module, NAME, None)) and getattr(module, NAME).__name__ == NAME}
    changed = 0
    for module in list(sys.modules.values()):
        if getattr(module, NAME, None) in kept:
            setattr(module, NAME, skip_income)
            changed += 1
    if changed < 2:  # the definition and at least one caller
        raise SystemExit(f"bench.without_income: found {changed} module(s) with {NAME}; was it renamed?")
    return changed


if __name__ == "__main__":
    replace_upkeep()
    entry.main()
