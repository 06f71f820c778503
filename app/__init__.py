"""Stablework's application: the wage engine and services (Flask-free, used by the consumers too) and the
Flask API. `create_app` (app/factory.py) builds the API, `gunicorn 'app:create_app()'` serves it; it is
imported only when asked for, so importing any other part of `app` never imports Flask."""
from __future__ import annotations


def __getattr__(name: str):
    if name == "create_app":  # what `flask --app app` and gunicorn's 'app:create_app()' look up
        from app.factory import create_app

        return create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
