"""Build the Flask application: `create_app()`; `gunicorn 'app:create_app()'` serves it (app/__init__.py lends it)."""
from __future__ import annotations

from flask import Flask

from app.runtime import Runtime, build_runtime
from app.settings import Settings


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> Flask:
    from app.access.data_keys import require_data_keys
    from app.api import init_api
    from app.cli import register_cli
    from app.compression import init_compression
    from app.logs import configure_logging
    from app.web import init_web

    settings = runtime.settings if runtime else settings or Settings.from_env()
    configure_logging(settings.log_level)  # first: building the runtime may warn (app.access.data_keys)
    if runtime is None:
        require_data_keys(settings)
        runtime = build_runtime(settings)
    app = Flask("app")  # the package, as Flask advises: its name and root path stay those of `app`
    app.config["MAX_CONTENT_LENGTH"] = runtime.settings.max_request_bytes  # per endpoint: app.api.limits
    app.extensions["stablework"] = runtime
    init_compression(app)  # first: its after_request then runs last, on the answer as stored and timed
    init_api(app)
    init_web(app, runtime)
    register_cli(app)
    return app
