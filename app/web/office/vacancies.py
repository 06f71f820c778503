"""The best open vacancies for the idle members of an alert's household, as its page shows them."""
from __future__ import annotations

from sqlalchemy.orm import Session

from app.alerts.evaluation import thresholds_from
from app.api.context import runtime
from app.db.models import Alert
from app.jobs.matching import vacancies_for_household
from app.jobs.reasons import reason_text
from app.web.i18n import language


def alert_vacancies(session: Session, alert: Alert) -> list[dict]:
    """Each vacancy's title, the member it fits, its score and its reasons in the page's language."""
    if alert.household_id is None:
        return []
    settings, words = runtime().settings, "en" if language() == "en" else "zh"
    return [{"title": found.vacancy.title, "name": found.name, "score": found.match.score,
             "reasons": [reason_text(reason, words) for reason in found.match.reasons]}
            for found in vacancies_for_household(session, alert.household_id, settings.today(),
                                                 thresholds_from(settings))]
