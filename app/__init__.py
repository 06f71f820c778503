"""Stablework's Flask application: `create_app()` builds it; `gunicorn 'app:create_app()'` serves it."""
from __future__ import annotations

from flask import Flask

from app.runtime import Runtime, build_runtime
from app.settings import Settings


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> Flask:
    from app.api import init_api
    from app.cli import register_cli
    from app.logs import configure_logging

    runtime = runtime or build_runtime(settings)
    configure_logging(runtime.settings.log_level)
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = 16 * 1024 * 1024
    app.extensions["stablework"] = runtime
    init_api(app)
    register_cli(app)
    return app
