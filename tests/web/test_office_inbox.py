"""The poverty office's alert inbox: filters, pages, and acknowledging then resolving an alert with a note,
by plain forms and in place with htmx, with a conflict answered as a message."""
from __future__ import annotations

import re

import pytest
from support.office import add_alert, add_second_village
from support.pages import signed_in

from app.db.models import Alert

IDS = re.compile(r'<article class="alert [a-z]+" id="alert-([0-9a-f]+)"')


@pytest.fixture
def office(app, runtime, world):
    return signed_in(app, runtime, "poverty_office", world.county, language="en")


def shown(response) -> list[str]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return IDS.findall(response.get_data(as_text=True))


def test_the_inbox_shows_the_countys_open_alerts_newest_month_first(office, runtime):
    older = add_alert(runtime, month="2026-04")
    newer = add_alert(runtime, "h-li", kind="below_line", month="2026-05")
    add_alert(runtime, "h-li", month="2026-03", status="resolved")
    add_alert(runtime, "h-chen", month="2026-05")  # another county's

    assert shown(office.get("/office/alerts")) == [newer, older]


def test_the_inbox_filters_by_kind_village_status_and_month(office, runtime):
    village = add_second_village(runtime)
    drop = add_alert(runtime, month="2026-05")
    line = add_alert(runtime, "h-li", kind="below_line", month="2026-05")
    elsewhere = add_alert(runtime, "h-zhao", kind="below_line", month="2026-04")
    seen = add_alert(runtime, "h-li", kind="no_work", month="2026-04", status="acknowledged")

    assert shown(office.get("/office/alerts?kind=below_line")) == [line, elsewhere]
    assert shown(office.get(f"/office/alerts?village={village}")) == [elsewhere]
    assert shown(office.get("/office/alerts?status=acknowledged")) == [seen]
    assert shown(office.get("/office/alerts?status=")) == [*sorted([drop, line]), *sorted([elsewhere, seen])]
    assert shown(office.get("/office/alerts?status=&month=2026-04")) == sorted([elsewhere, seen])
    page = office.get("/office/alerts").get_data(as_text=True)
    assert "Shuidong" in page and "Xiaba" in page  # the villages to choose from


def test_an_alert_on_a_worker_names_them_and_links_their_household_and_one_on_a_site_names_it(office, runtime):
    add_alert(runtime, kind="no_work", month="2026-05", subject=("worker", "w-wang"),
              detail={"days": ["2026-05-18", "2026-05-19"], "last_worked_on": "2026-05-04"})
    add_alert(runtime, kind="wage_arrears", month="2026-04", subject=("site", "ws-sewing"),
              detail={"unpaid_fen": 123_450, "days_since_approval": 20})

    html = office.get("/office/alerts").get_data(as_text=True)

    assert re.search(r'Wang Jianguo · \s*<a href="/office/households/h-wang">Household h-wang</a>', html)
    assert "No work on the site's last 2 working days; last worked on May 4, 2026." in html
    assert "Site: Sewing workshop" in html and "¥1,234.50 unpaid 20 days after approval." in html


def test_the_inbox_refuses_a_filter_it_does_not_offer_and_a_village_of_another_county(office):
    assert office.get("/office/alerts?kind=fire").status_code == 400
    assert office.get("/office/alerts?month=May").status_code == 400
    assert office.get("/office/alerts?village=360703101201").status_code == 403
    assert office.get("/office/alerts?cursor=not-ours").status_code == 422


def test_a_county_of_many_alerts_is_read_a_page_at_a_time_each_alert_once(office, runtime):
    made = [add_alert(runtime, ("h-wang", "h-li")[n % 2], month=f"{2020 + n // 24}-{n // 2 % 12 + 1:02d}")
            for n in range(120)]
    seen, path, sizes = [], "/office/alerts", []
    while path:
        response = office.get(path)
        seen += shown(response)
        sizes.append(len(shown(response)))
        found = re.search(r'<a href="([^"]+)" rel="next">', response.get_data(as_text=True))
        path = found and found.group(1).replace("&amp;", "&")

    assert sizes == [25, 25, 25, 25, 20]  # a phone's screenful of cards a few times over, and quick to serve
    assert sorted(seen) == sorted(made) and len(seen) == len(set(seen))


def test_acknowledging_with_a_note_then_resolving_records_who_did_what(office, runtime):
    alert = add_alert(runtime, month="2026-05")

    acknowledged = office.post(f"/office/alerts/{alert}/acknowledge", {"note": "Called Wang: the workshop closed",
                                                                      "next": "/office/alerts?status="})
    assert acknowledged.status_code == 303 and acknowledged.headers["Location"] == "/office/alerts?status="
    page = office.get("/office/alerts?status=").get_data(as_text=True)
    assert "Acknowledged. Resolve it once help is given." in page and "Called Wang: the workshop closed" in page

    resolved = office.post(f"/office/alerts/{alert}/resolve", {"help_given": "A post as village cleaner"})
    assert resolved.status_code == 303 and resolved.headers["Location"] == "/office/alerts"
    page = office.get(f"/office/alerts/{alert}").get_data(as_text=True)
    assert "A post as village cleaner" in page and "Called Wang: the workshop closed" in page
    with runtime.sessions() as session:
        stored = session.get(Alert, alert)
        assert (stored.status, stored.note, stored.help_given) == (
            "resolved", "Called Wang: the workshop closed", "A post as village cleaner")
        assert stored.acknowledged_by == stored.resolved_by is not None
        assert stored.acknowledged_at <= stored.resolved_at


def test_with_htmx_the_alert_comes_back_in_place_moved(office, runtime):
    alert = add_alert(runtime, month="2026-05")

    response = office.post(f"/office/alerts/{alert}/acknowledge", {"note": "seen"}, headers={"HX-Request": "true"})

    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert body.lstrip().startswith(f'<article class="alert acknowledged" id="alert-{alert}"')
    assert "<html" not in body and 'name="help_given"' in body


def test_moving_an_alert_someone_else_moved_first_is_a_conflict_with_a_clear_message(app, office, runtime, world):
    alert = add_alert(runtime, month="2026-05")
    colleague = signed_in(app, runtime, "poverty_office", world.county, language="en")
    assert colleague.post(f"/office/alerts/{alert}/acknowledge", {"note": "mine"}).status_code == 303

    again = office.post(f"/office/alerts/{alert}/acknowledge", {"note": "me too"})
    in_place = office.post(f"/office/alerts/{alert}/acknowledge", {}, headers={"HX-Request": "true"})

    for response in (again, in_place):
        body = response.get_data(as_text=True)
        assert response.status_code == 409
        assert re.search(r"poverty_office-\d+ acknowledged this alert on .*; it can now only be resolved\.", body)
        assert "mine" in body and "me too" not in body
    with runtime.sessions() as session:
        assert session.get(Alert, alert).note == "mine"


def test_resolving_an_open_alert_or_without_saying_what_help_was_given_is_refused(office, runtime):
    alert = add_alert(runtime, month="2026-05")

    early = office.post(f"/office/alerts/{alert}/resolve", {"help_given": "work found"})
    assert early.status_code == 409 and "Acknowledge this alert before resolving it." in early.get_data(as_text=True)

    office.post(f"/office/alerts/{alert}/acknowledge", {})
    blank = office.post(f"/office/alerts/{alert}/resolve", {"help_given": "  "}, headers={"HX-Request": "true"})
    assert blank.status_code == 422
    assert "Say what help was given" in blank.get_data(as_text=True)
    with runtime.sessions() as session:
        assert session.get(Alert, alert).status == "acknowledged"


def test_the_inbox_and_its_moves_are_in_chinese_by_default(app, runtime, world):
    add_alert(runtime, kind="below_line", month="2026-05", detail={"income_fen": 450000, "line_fen": 1800000,
                                                                   "size": 3})
    office = signed_in(app, runtime, "poverty_office", world.county)

    page = office.get("/office/alerts").get_data(as_text=True)

    for words in ("预警", "人均纯收入低于监测线", "待处理", "2026年5月", "¥4,500.00", "¥18,000.00", "确认"):
        assert words in page
