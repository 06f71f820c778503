"""The HTTP API: flask-smorest blueprints, problem+json errors, docs served from local files."""
from __future__ import annotations

import swagger_ui_bundle
from flask import Blueprint, Flask, send_from_directory

from app.api import (
    alerts,
    assignments,
    balances,
    dead_letters,
    events,
    health,
    households,
    imports,
    payments,
    payroll_sheets,
    periods,
    regions,
    sites,
    stats,
    tokens,
    webhooks,
    workers,
)
from app.api.idempotency import IdempotencyKeyPlugin, init_idempotency
from app.api.observability import init_observability
from app.api.problems import ProblemApi

BLUEPRINTS = (health, regions, households, workers, sites, assignments, events, balances, dead_letters, tokens,
              periods, payments, imports, payroll_sheets, alerts, webhooks, stats)

API_CONFIG = {
    "API_TITLE": "Stablework",
    "API_VERSION": "v1",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api/v1",
    "OPENAPI_JSON_PATH": "openapi.json",
    "OPENAPI_SWAGGER_UI_PATH": "docs",
    # No CDN: there may be no internet where this runs, so Swagger UI comes from the wheel.
    "OPENAPI_SWAGGER_UI_URL": "/api/v1/docs/assets/",
}


def init_api(app: Flask) -> ProblemApi:
    for key, value in API_CONFIG.items():
        app.config.setdefault(key, value)
    api = ProblemApi(app, spec_kwargs={
        "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearerAuth": []}],
        "extra_plugins": [IdempotencyKeyPlugin()],
    })
    for module in BLUEPRINTS:
        api.register_blueprint(module.blp)
    app.register_blueprint(_docs_assets())
    init_observability(app)
    init_idempotency(app)  # after observability, so a replayed answer still gets its request id
    return api


def _docs_assets() -> Blueprint:
    assets = Blueprint("docs_assets", __name__)

    @assets.get("/api/v1/docs/assets/<path:filename>")
    def swagger_asset(filename):
        return send_from_directory(swagger_ui_bundle.swagger_ui_path, filename)

    return assets
