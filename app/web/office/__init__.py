"""The county poverty office's pages: the alert inbox (its main page), a household's page, and the county at
a glance. Each module holds its views; the routes are all here, on one blueprint."""
from __future__ import annotations

from flask_babel import lazy_gettext

from app.web.office import county, households, inbox
from app.web.office.words import when
from app.web.pages import MenuItem, page_blueprint

blp = page_blueprint("office", __name__, url_prefix="/office")
blp.context_processor(lambda: {"when": when})

blp.add_url_rule("/alerts", view_func=inbox.alerts, methods=["GET"])
blp.add_url_rule("/alerts/<alert_id>", view_func=inbox.alert, methods=["GET"])
blp.add_url_rule("/alerts/<alert_id>/acknowledge", view_func=inbox.acknowledge, methods=["POST"])
blp.add_url_rule("/alerts/<alert_id>/resolve", view_func=inbox.resolve, methods=["POST"])
blp.add_url_rule("/households/<household_id>", view_func=households.household, methods=["GET"])
blp.add_url_rule("/county", view_func=county.county, methods=["GET"])

MENU: tuple[MenuItem, ...] = (
    ("office.alerts", lazy_gettext("Alerts")),
    ("office.county", lazy_gettext("County at a glance")),
)
