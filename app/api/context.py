"""The process runtime as seen from a request."""
from __future__ import annotations

from flask import current_app

from app.runtime import Runtime


def runtime() -> Runtime:
    return current_app.extensions["stablework"]


def unit_of_work():
    """One transaction per request: `with unit_of_work() as session:` commits or rolls back."""
    return runtime().sessions.begin()
