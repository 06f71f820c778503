"""The pages people use: server-rendered Jinja templates, htmx for partial updates, Simplified Chinese first.

Pages call the same services as the API and obey the same access table (`app.api.access.POLICY`, one row
per page endpoint too); a person signs in with an account (app.access.accounts), and every form carries a
CSRF token. Each area of pages is a blueprint listed in `PAGES`.
"""
from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask_babel import Babel

from app.db.crypto import keyring
from app.runtime import Runtime
from app.web import desk, i18n, jobs, me, office, people, register, signin, vacancy
from app.web.pages import csrf, menu

# Every area of pages: its blueprint `blp` (each endpoint a row in app.api.access.POLICY) and its `MENU`
# entries, in the order the menu shows them.
PAGES = (signin, people, register, desk, office, jobs, vacancy, me)
PAGE_BLUEPRINTS = frozenset(area.blp.name for area in PAGES)
SESSION_HOURS = 12  # a working day: a shared phone does not stay signed in for days


def init_web(app: Flask, runtime: Runtime) -> None:
    settings = runtime.settings
    app.config.update(
        SECRET_KEY=settings.secret_key or keyring().derive(b"stablework page sessions"),
        SESSION_COOKIE_SECURE=settings.cookie_secure,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=SESSION_HOURS),
        WTF_CSRF_CHECK_DEFAULT=False,  # the API authenticates by bearer token; pages check in `page_blueprint`
        WTF_CSRF_TIME_LIMIT=SESSION_HOURS * 3600,
        WTF_CSRF_SSL_STRICT=settings.cookie_secure,
    )
    csrf.init_app(app)
    Babel(app, locale_selector=i18n.select_locale, default_locale=i18n.DEFAULT_LOCALE,
          default_translation_directories=";".join(str(path) for path in i18n.catalog_directories()))
    i18n.install_filters(app)
    for area in PAGES:
        app.register_blueprint(area.blp)
    app.extensions["stablework.menu"] = [item for area in PAGES for item in getattr(area, "MENU", ())]
    app.context_processor(lambda: {"menu": menu})
