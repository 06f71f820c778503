"""The HTTP API: flask-smorest blueprints, problem+json errors, docs served from local files."""
from __future__ import annotations

import swagger_ui_bundle
from flask import Blueprint, Flask, send_from_directory

from app.api import (
    alerts,
    assignments,
    audit,
    balances,
    dead_letters,
    disputes,
    events,
    health,
    households,
    imports,
    labour,
    matching,
    payments,
    payroll_sheets,
    periods,
    referrals,
    regions,
    registry_imports,
    return_to_work,
    review,
    sites,
    stats,
    tokens,
    vacancies,
    voids,
    webhooks,
    workers,
)
from app.api.access import refusal_for_outsiders, require_bearer
from app.api.converters import HexIdConverter, RowIdConverter, hex_id_schema, row_id_schema
from app.api.idempotency import IdempotencyKeyPlugin, init_idempotency
from app.api.input_rules import init_input_rules
from app.api.limits import UNLIMITED, init_limits
from app.api.observability import init_observability
from app.api.problems import ProblemApi, ProblemResponses

BLUEPRINTS = (health, regions, households, workers, sites, assignments, events, balances, dead_letters, tokens,
              periods, payments, imports, payroll_sheets, alerts, webhooks, stats, return_to_work, audit, voids, labour,
              vacancies, referrals, matching, registry_imports, review, disputes)

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
    api = ProblemApi(app, vet_refusal=refusal_for_outsiders, spec_kwargs={
        "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearerAuth": []}],
        "extra_plugins": [IdempotencyKeyPlugin(), ProblemResponses(unlimited=UNLIMITED)],
    })
    app.url_map.converters.update(row_id=RowIdConverter, hex_id=HexIdConverter)
    api.register_converter(RowIdConverter, row_id_schema)
    api.register_converter(HexIdConverter, hex_id_schema)
    for module in BLUEPRINTS:
        api.register_blueprint(module.blp)
    app.register_blueprint(_docs_assets())
    init_observability(app)
    audit.init_audit(app)  # after observability: each write is recorded with its request id
    init_limits(app, app.extensions["stablework"].settings)  # before a body is read or a key looked up
    app.before_request(require_bearer)  # and no body is read for a caller without a token
    init_input_rules(app)  # before any view reads its arguments
    init_idempotency(app)  # after observability, so a replayed answer still gets its request id
    return api


def _docs_assets() -> Blueprint:
    assets = Blueprint("docs_assets", __name__)

    @assets.get("/api/v1/docs/assets/<path:filename>")
    def swagger_asset(filename):
        return send_from_directory(swagger_ui_bundle.swagger_ui_path, filename)

    return assets
