"""How personal numbers are shown to people who do not need them in full."""
from __future__ import annotations


def mask(value: str | None) -> str | None:
    """`360702199001011234` -> `3607**********1234`; short values are hidden whole."""
    if value is None:
        return None
    keep = 4 if len(value) > 8 else 0
    return value[:keep] + "*" * (len(value) - 2 * keep) + (value[-keep:] if keep else "")
