"""The review flags of a site's month at the desk: each with its reason in the reader's language, dismissed with a
reason or confirmed here through the same service as the API (app.review.queue)."""
from __future__ import annotations

from flask import Response, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext

from app.api.context import unit_of_work
from app.db.models import ReviewFlag
from app.review.queue import FlagConflict, resolve_flag
from app.web.desk.area import blp, checked_month, site_in_scope
from app.web.pages import authorize_page

MAX_NOTE = 2000  # as the API's DismissIn

KINDS = {
    "cloned_attendance": lazy_gettext("Cloned attendance"),
    "shared_bank_account": lazy_gettext("Shared bank account"),
    "shared_phone": lazy_gettext("Shared phone"),
    "never_absent": lazy_gettext("Never absent"),
    "two_sites_one_day": lazy_gettext("Two sites in one day"),
    "output_spike": lazy_gettext("Output spike"),
    "supervisor_far_apart": lazy_gettext("Supervisor in two places"),
}
# The English of fraud.findings.WORDING, with its parameters, for the catalog.
REASONS = {
    "cloned_attendance": lazy_gettext("checked in and out at the same minutes as %(others)s on %(days)s days"),
    "shared_bank_account": lazy_gettext("shares a bank account with %(count)s worker(s) of other households"),
    "shared_phone": lazy_gettext("shares a phone number with %(count)s worker(s) of other households"),
    "never_absent": lazy_gettext("never absent in %(days)s days, always from %(check_in)s to %(check_out)s"),
    "two_sites_one_day": lazy_gettext("worked %(hours)s hours at %(sites)s sites on %(day)s"),
    "output_spike": lazy_gettext("made %(quantity)s on %(day)s, %(times)s times their usual %(median)s "
                                 "(robust score %(score)s)"),
    "supervisor_far_apart": lazy_gettext("recorded for sites in different townships %(minutes)s minutes apart "
                                         "(%(first)s, %(second)s)"),
}


def flag_reason(flag: ReviewFlag) -> str:
    """The flag's reason in the page's language (its stored English when the code is unknown here)."""
    wording = REASONS.get(flag.reason_code)
    try:
        return str(wording) % flag.reason_params if wording is not None else flag.reason
    except (KeyError, TypeError, ValueError):
        return flag.reason


@blp.post("/flags/<flag_id>/<any(dismiss, confirm):move>")
def resolve(flag_id: str, move: str) -> Response:
    note = request.form.get("reason", "").strip()[:MAX_NOTE] or None
    with unit_of_work() as session:
        principal = authorize_page(session)
        flag = session.get(ReviewFlag, flag_id) or abort(404)
        site_in_scope(principal, session, flag.site_id)
        back = url_for("desk.site_month", site_id=flag.site_id, month=checked_month(flag.month))
        if move == "dismiss" and note is None:
            flash(_("Say why the flag is no fraud: a reason is required."), "error")
            return redirect(back, 303)
        try:
            resolve_flag(flag, move, principal.token_id, note)
        except FlagConflict:
            flash(_("Someone has already dealt with this flag."), "error")
            return redirect(back, 303)
    flash(_("The flag is dismissed.") if move == "dismiss" else _("The flag is confirmed."), "notice")
    return redirect(back, 303)
