"""What every page shares: its blueprint's guards (CSRF, security headers, errors as pages) and who is asking.

A page view calls `authorize_page(session)` as an API view calls `authorize`: the signed-in account, or
a redirect to the sign-in page; 403 unless `POLICY` lets the account's role use the endpoint. The scope
checks of app.api.access (`require_site`, ...) work unchanged on the principal it returns.
"""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, current_app, g, redirect, render_template, request, session, url_for
from flask_babel import LazyString
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError, CSRFProtect
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException

from app.access.accounts import signed_in
from app.access.worker_sign_in import signed_in_worker
from app.api.access import Principal, rule_for
from app.db.audit import note_actor

csrf = CSRFProtect()

# No inline script or style anywhere: what a page runs and how it looks come from our own files.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                           "connect-src 'self'; worker-src 'self'; manifest-src 'self'; object-src 'none'; "
                           "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def page_blueprint(name: str, import_name: str, **options) -> Blueprint:
    """A blueprint of pages: CSRF on every form, security headers on every answer, errors as pages."""
    blueprint = Blueprint(name, import_name, template_folder="templates", **options)
    blueprint.before_request(_check_csrf)
    blueprint.after_request(secure_headers)
    blueprint.register_error_handler(HTTPException, error_page)
    return blueprint


def _check_csrf() -> None:
    if request.method in UNSAFE_METHODS:
        csrf.protect()


def secure_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers.setdefault("Cache-Control", "no-store")  # pages hold personal data
    response.vary.add("Cookie")
    return response


def error_page(error: HTTPException) -> Response:
    if error.response is not None:  # a redirect raised by abort(redirect(...)), say
        return error.response
    messages = {
        400: _("The form could not be accepted. Reload the page and try again."),
        403: _("You may not see or do this."),
        404: _("There is no such page."),
        409: _("Someone changed this at the same moment. Reload the page to see it as it is now."),
        429: _("Too many tries. Wait a few minutes, then try again."),
    }
    if isinstance(error, CSRFError):
        message = _("This form has expired. Reload the page and send it again.")
    else:
        message = messages.get(error.code, _("Something went wrong. Try again in a moment."))
    return Response(render_template("error.html", message=message, code=error.code), error.code)


def authorize_page(reader: Session) -> Principal:
    """The signed-in account behind this page request (sign-in page otherwise); 403 outside its role."""
    rule = rule_for(request.endpoint)
    principal = signed_in_principal(reader)
    if principal is None:
        sign_in_page = "me.login" if request.blueprint == "me" else "web.login"
        abort(redirect(url_for(sign_in_page, next=request.full_path.rstrip("?"))))
    if principal.role not in rule.roles:
        abort(403)
    note_actor(principal.token_id, principal.role)  # the audit log records this request's writes as theirs
    g.principal = principal
    return principal


def signed_in_principal(reader: Session) -> Principal | None:
    """The account (or the worker) of the session cookie, read on every request so a reset, a disabling or a
    changed phone number counts at once."""
    worker_id, seal = session.get("worker"), session.get("phone_seal")
    if isinstance(worker_id, str) and isinstance(seal, str):
        return signed_in_worker(reader, worker_id, seal)
    account_id, version = session.get("account"), session.get("version")
    if not account_id or not isinstance(version, int):
        return None
    return signed_in(reader, account_id, version)


def safe_next(target: str | None) -> str | None:
    """A path of this site to go back to after signing in; anything else (another host) is dropped."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


MenuItem = tuple[str, LazyString]  # a main page's endpoint and its label (lazy: translated when shown)


def menu() -> list[tuple[str, str]]:
    """The menu of the signed-in person: (url, label) of each main page their role may open."""
    principal = g.get("principal")
    if principal is None:
        return []
    return [(url_for(endpoint), str(label)) for endpoint, label in current_app.extensions["stablework.menu"]
            if principal.role in rule_for(endpoint).roles]


def main_page(principal: Principal) -> str | None:
    """Where a person lands after signing in: the first page of the menu their role may open."""
    for endpoint, _label in current_app.extensions["stablework.menu"]:
        if principal.role in rule_for(endpoint).roles:
            return url_for(endpoint)
    return None
