"""The supervisor's register: who is on it, what a submit does in the ledger, retries, scope, corrections,
voids, and days of a month that is no longer open."""
from __future__ import annotations

import dataclasses
import re
import uuid
from datetime import date

import pytest
from sqlalchemy import func, select
from support.pages import PageClient, account_id, make_account

from app.db.models import OutputRecord, ReceivedEvent
from app.web.pages import CONTENT_SECURITY_POLICY
from app.web.register import STATIC as REGISTER_STATIC

TODAY = date(2026, 4, 1)
LI_DAY_FEN = 14000 + 2625  # 08:00-17:00 hourly: 480 minutes at 1750 fen/h and 60 minutes at 1.5 times


@pytest.fixture
def settings(settings):
    return dataclasses.replace(settings, fixed_today=TODAY)


def supervisor(app, runtime, *sites: str, language: str = "en") -> PageClient:
    pages = PageClient(app, language)
    pages.enter_as(account_id(runtime, make_account(runtime, "supervisor", "360702", sites)))
    return pages


def form_of(page: str) -> dict[str, str]:
    """The register's hidden fields as the page gave them (the ids made when it was shown)."""
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))


def marked(site: str, day: str, worker: str, status: str) -> dict[str, str]:
    """The register's form with one worker's mark, as a page would send it."""
    return {"site": site, "date": day, f"attendance_id.{worker}": str(uuid.uuid4()), f"status.{worker}": status}


def received(runtime) -> int:
    with runtime.sessions() as session:
        return session.scalar(select(func.count()).select_from(ReceivedEvent))


def wages(api, worker: str) -> dict[str, int]:
    return {line["date"]: line["amount_fen"] for line in api.get(f"/workers/{worker}/wages").get_json()["items"]}


def test_the_register_lists_every_worker_assigned_at_the_site_that_day(app, runtime, world):
    pages = supervisor(app, runtime, world.sewing)

    today = pages.get("/register/").get_data(as_text=True)
    before_wang_came = pages.get("/register/?date=2026-03-05").get_data(as_text=True)

    assert "Li Xiuying" in today and "Wang Jianguo" in today and "Chen Fang" not in today
    assert 'name="check_in.w-li"' in today and 'name="check_in.w-wang"' not in today  # hourly, daily
    assert "Li Xiuying" in before_wang_came and "Wang Jianguo" not in before_wang_came


def test_a_supervisor_of_several_sites_picks_one_and_never_sees_another_supervisors(app, runtime, world):
    pages = supervisor(app, runtime, world.sewing, world.glove)

    picker = pages.get("/register/").get_data(as_text=True)

    assert "Sewing workshop" in picker and "Glove workshop" in picker and "Tangxi workshop" not in picker
    assert 'name="product.0.w-li"' in pages.get(f"/register/?site={world.glove}").get_data(as_text=True)
    assert pages.get(f"/register/?site={world.far}").status_code == 403


def test_a_submitted_day_reaches_the_ledger_with_its_wages(app, runtime, world, api, consume):
    pages = supervisor(app, runtime, world.sewing)
    form = form_of(pages.get("/register/").get_data(as_text=True))

    sent = pages.post("/register/events", {**form, "status.w-li": "present", "check_in.w-li": "08:00",
                                           "check_out.w-li": "17:00", "status.w-wang": "half_day"})
    consume()

    assert sent.status_code == 303
    assert wages(api, world.li) == {"2026-04-01": LI_DAY_FEN}
    assert wages(api, world.wang) == {"2026-04-01": 6000}
    shown = pages.get(sent.headers["Location"]).get_data(as_text=True)
    assert "Marks sent: 2." in shown and shown.count("Recorded: <strong>") == 2


def test_sending_the_same_ids_again_changes_nothing(app, runtime, world, api, build, consume):
    pages = supervisor(app, runtime, world.sewing)
    pages.get("/register/")
    marks = {"events": [build.attendance(world.wang, world.sewing, "2026-04-01", time="2026-04-01T18:00:00+08:00")]}

    first = pages.client.post("/register/events", json=marks, headers={"X-CSRFToken": pages.token})
    again = pages.client.post("/register/events", json=marks, headers={"X-CSRFToken": pages.token})
    consume()

    assert first.status_code == again.status_code == 202
    assert first.get_json()["accepted"] == 1 and again.get_json()["duplicates"] == 1
    assert received(runtime) == 1 and wages(api, world.wang) == {"2026-04-01": 12000}


def test_a_resent_form_is_a_duplicate_of_the_first(app, runtime, world):
    pages = supervisor(app, runtime, world.sewing)
    form = {**form_of(pages.get("/register/").get_data(as_text=True)), "status.w-wang": "present"}

    pages.post("/register/events", form)
    pages.post("/register/events", form)

    assert received(runtime) == 1


def test_a_supervisor_of_another_site_is_refused_and_nothing_is_taken(app, runtime, world, build):
    pages = supervisor(app, runtime, world.glove)
    pages.get("/register/")
    marks = {"events": [build.attendance(world.wang, world.sewing, "2026-04-01")]}

    by_script = pages.client.post("/register/events", json=marks, headers={"X-CSRFToken": pages.token})
    by_form = pages.post("/register/events", marked(world.sewing, "2026-04-01", world.wang, "present"))

    assert by_script.status_code == 403 and by_script.mimetype == "application/problem+json"
    assert by_form.status_code == 403
    assert received(runtime) == 0


def test_a_later_mark_corrects_the_day_and_a_void_cancels_an_output(app, runtime, world, api, consume):
    pages = supervisor(app, runtime, world.sewing, world.glove)
    sewing = form_of(pages.get(f"/register/?site={world.sewing}&date=2026-03-31").get_data(as_text=True))
    pages.post("/register/events", {**sewing, "status.w-wang": "present"})
    glove = form_of(pages.get(f"/register/?site={world.glove}").get_data(as_text=True))
    pages.post("/register/events", {**glove, "product.0.w-li": "GLOVE", "grade.0.w-li": "A", "quantity.0.w-li": "10",
                                    "product.1.w-li": "BOX", "grade.1.w-li": "B", "quantity.1.w-li": "5"})
    consume()
    corrected = form_of(pages.get(f"/register/?site={world.sewing}&date=2026-03-31").get_data(as_text=True))
    pages.post("/register/events", {**corrected, "status.w-wang": "absent"})
    with runtime.sessions() as session:
        gloves = session.scalar(select(OutputRecord.event_id).where(OutputRecord.product == "GLOVE"))
    void = pages.post("/register/void", {"site": world.glove, "output_id": gloves, "void_id": str(uuid.uuid4())},
                      headers={"HX-Request": "true"})
    consume()

    assert void.status_code == 200 and "Void sent" in void.get_data(as_text=True)
    assert len(void.get_data()) < 20_000
    assert wages(api, world.wang) == {"2026-03-31": 0}
    assert wages(api, world.li) == {"2026-04-01": 5 * 120 * 80 // 100}  # the boxes of grade B alone
    assert "Voided" in pages.get(f"/register/?site={world.glove}").get_data(as_text=True)


@pytest.mark.parametrize("status", ["closed", "approved"])
def test_a_day_of_a_month_no_longer_open_is_refused_with_what_would_happen(app, runtime, world, api, token,
                                                                          status):
    api.post(f"/sites/{world.sewing}/periods/2026-03/close")
    if status == "approved":  # by another person than the one who closed it
        approved = api.as_token(token("admin")).post(f"/sites/{world.sewing}/periods/2026-03/approve")
        assert approved.status_code == 200, approved.get_json()
    pages = supervisor(app, runtime, world.sewing)

    page = pages.get("/register/?date=2026-03-20").get_data(as_text=True)
    sent = pages.post("/register/events", marked(world.sewing, "2026-03-20", world.wang, "absent"))

    expected = {"closed": "A post manager can return the month", "approved": "paid as an adjustment in Apr 2026"}
    assert expected[status] in page and "Send the day" not in page
    assert sent.status_code == 303 and expected[status] in pages.get(sent.headers["Location"]).get_data(as_text=True)
    assert received(runtime) == 0


def test_a_day_after_today_is_not_shown_nor_taken(app, runtime, world):
    pages = supervisor(app, runtime, world.sewing)
    pages.get("/register/")

    shown = pages.get("/register/?date=2026-04-02")
    sent = pages.client.post("/register/events", headers={"X-CSRFToken": pages.token}, json={"events": [
        {"specversion": "1.0", "id": str(uuid.uuid4()), "type": "attendance.recorded", "source": "t",
         "time": "2026-04-01T08:00:00+08:00",
         "data": {"worker_id": world.wang, "site_id": world.sewing, "date": "2026-04-02", "status": "present"}}]})

    assert shown.status_code == 404 and sent.status_code == 422 and received(runtime) == 0


def test_wrong_marks_are_refused_by_name_and_nothing_is_taken(app, runtime, world):
    pages = supervisor(app, runtime, world.sewing)
    form = form_of(pages.get("/register/").get_data(as_text=True))

    sent = pages.post("/register/events", {**form, "status.w-li": "present", "status.w-wang": "present"})

    assert "Check the marks of: Li Xiuying." in pages.get(sent.headers["Location"]).get_data(as_text=True)
    assert received(runtime) == 0  # an hourly day needs its times


def test_a_workers_month_shows_days_hours_pieces_and_earnings(app, runtime, world, api, build, consume):
    api.post("/events", {"events": [
        build.attendance(world.li, world.sewing, "2026-03-30", check_in="08:00", check_out="17:00"),
        build.attendance(world.li, world.sewing, "2026-03-31", "half_day"),
        build.output(world.li, world.glove, "2026-03-31", "GLOVE", 10)]})
    consume()
    pages = supervisor(app, runtime, world.sewing, world.glove, language="zh-CN")

    page = pages.get("/register/workers/w-li?month=2026-03").get_data(as_text=True)

    assert "2026年3月" in page and "9.0" in page and "1.5" in page  # hours from the times; days
    assert f"¥{(LI_DAY_FEN + 7000 + 330) / 100:,.2f}" in page  # the hours, the half day, ten gloves
    assert pages.get("/register/workers/w-chen").status_code == 403


def test_the_service_worker_is_served_with_a_scope_over_the_register(app):
    response = app.test_client().get("/register/sw.js")
    response.close()

    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert response.headers["Service-Worker-Allowed"] == "/register/"
    # the copy it keeps of a page from the page's own markup carries the pages' policy
    assert f'var POLICY = "{CONTENT_SECURITY_POLICY}";' in (REGISTER_STATIC / "sw.js").read_text()


@pytest.mark.parametrize("body", [{"events": "not a list"}, {"events": [1, {"id": "x"}]}, ["no", "object"]])
def test_bad_marks_from_a_script_are_refused_as_problems_and_nothing_is_taken(app, runtime, world, body):
    pages = supervisor(app, runtime, world.sewing)
    pages.get("/register/")

    refused = pages.client.post("/register/events", json=body, headers={"X-CSRFToken": pages.token})

    assert refused.status_code in (400, 422) and refused.mimetype == "application/problem+json"
    assert received(runtime) == 0


def test_marks_without_the_pages_token_are_refused(app, runtime, world, build):
    pages = supervisor(app, runtime, world.sewing)

    refused = pages.client.post("/register/events", json={"events": [build.attendance(world.wang, world.sewing,
                                                                                     "2026-04-01")]})

    assert refused.status_code == 400 and received(runtime) == 0


def test_more_marks_than_the_api_takes_at_once_are_refused_whole(app, runtime, world, settings):
    pages = supervisor(app, runtime, world.sewing)
    pages.get("/register/")

    refused = pages.client.post("/register/events", json={"events": [{}] * (settings.max_events_per_request + 1)},
                                headers={"X-CSRFToken": pages.token})

    assert refused.status_code == 413 and refused.mimetype == "application/problem+json"


def test_an_output_of_a_closed_month_is_not_voided(app, runtime, world, api, build, consume):
    output = build.output(world.li, world.glove, "2026-03-31", "GLOVE", 10)
    api.post("/events", {"events": [output]})
    consume()
    api.post(f"/sites/{world.glove}/periods/2026-03/close")
    pages = supervisor(app, runtime, world.glove)
    pages.get("/register/")
    before = received(runtime)

    refused = pages.post("/register/void", {"site": world.glove, "output_id": output["id"],
                                            "void_id": str(uuid.uuid4())}, headers={"HX-Request": "true"})

    assert "A post manager can return the month" in refused.get_data(as_text=True)
    assert received(runtime) == before
