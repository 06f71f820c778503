"""An alert's page lists the best open vacancies for its household's idle members, with their reasons, in the
page's language."""
from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from support.office import add_alert
from support.pages import signed_in

from app.db.models import LabourProfile, Vacancy
from app.jobs.match_rows import refill_match_rows


def add_cook_post(runtime, village: str) -> None:
    with runtime.sessions.begin() as session:
        session.add(LabourProfile(worker_id="w-li", skills=["cooking"], travel_range="township"))
        session.add(Vacancy(id="v-cook", site_id="ws-sewing", region_code=village, office_region_code="360702",
                            title="Canteen cook", count=1, skills=["cooking"], physical_demand="light",
                            scheme={"kind": "daily", "day_rate_fen": 12000}, start_date=date(2026, 3, 1),
                            posted_event_id=str(uuid.uuid4()), posted_at=datetime(2026, 2, 20, tzinfo=UTC)))


def test_an_alerts_page_shows_the_vacancies_for_its_households_idle_members_in_each_language(app, runtime, world):
    add_cook_post(runtime, world.village)
    fitted, unfitted = add_alert(runtime, "h-li", kind="below_line"), add_alert(runtime, "h-wang")
    with runtime.sessions.begin() as session:  # the rows were written here directly, not through their keepers
        refill_match_rows(session)

    english = signed_in(app, runtime, "poverty_office", world.county, language="en")
    page = english.get(f"/office/alerts/{fitted}").get_data(as_text=True)
    assert "Canteen cook</strong> · Li Xiuying · 105 points" in page
    assert "The household has an open income alert" in page
    assert "No open vacancy fits" in english.get(f"/office/alerts/{unfitted}").get_data(as_text=True)
    chinese = signed_in(app, runtime, "poverty_office", world.county, language="zh")
    page = chinese.get(f"/office/alerts/{fitted}").get_data(as_text=True)
    assert "适合该户待业劳动力的就业岗位" in page and "105分" in page and "家庭有未处置的收入预警" in page
