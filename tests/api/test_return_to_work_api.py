"""The return-to-work statistics over HTTP: the figures of app.jobs.stats as JSON and as a workbook, and a range of
weeks that cannot be read refused as a problem."""
from __future__ import annotations

import io
from datetime import date, timedelta

from openpyxl import load_workbook
from support.return_to_work import START, Labourer, write_county

from app.jobs.stats_sheet import COLUMNS

AWAY = Labourer(village=0, poor=True, willing=None, changes=(("working_away", 0, None),), worked=frozenset({(0, 0)}))
IDLE = Labourer(village=1, poor=False, willing=True, changes=(("idle", 0, None),), referred=1, hired=3)


def county(runtime) -> str:
    with runtime.sessions.begin() as session:
        return write_county(session, [AWAY, IDLE, IDLE], {-1: 4}).code


def test_the_figures_as_of_a_day_read_with_their_rates_as_decimals(api, runtime):
    code = county(runtime)

    answer = api.get("/stats/return-to-work", region=code, date=str(START + timedelta(days=6)))

    assert answer.status_code == 200
    assert answer.json["region"] == code
    assert answer.json["figures"] == {
        "date": "2026-03-08", "baseline": 4, "returned_to_work": 1, "return_rate": "0.2500", "willing_to_go_out": 2,
        "working_local": 0, "working_away": 1, "workshops": 3, "resumed": 1, "resumption_rate": "0.3333",
        "absorbed": 1, "absorbed_poor": 1, "referrals": 2, "hires": 2, "median_days_to_hire": "4"}


def test_the_weeks_and_their_workbook_hold_the_same_figures(api, runtime):
    code = county(runtime)
    last = START + timedelta(days=10)

    weeks = api.get("/stats/return-to-work/weeks", **{"region": code, "from": str(START), "to": str(last)})
    workbook = api.get("/stats/return-to-work/weeks.xlsx", **{"region": code, "from": str(START), "to": str(last)})

    assert [week["date"] for week in weeks.json["weeks"]] == ["2026-03-08", "2026-03-12"]
    assert [week["hires"] for week in weeks.json["weeks"]] == [2, 0]  # both hired on day 4, in the first week
    sheet = load_workbook(io.BytesIO(workbook.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1] == COLUMNS
    assert [(row[0].date(), row[COLUMNS.index("hires")]) for row in rows[2:]] == [(date(2026, 3, 8), 2),
                                                                                  (date(2026, 3, 12), 0)]
    assert rows[2][COLUMNS.index("median_days_to_hire")] == 4.0  # idle from day 0, hired on day 4


def test_weeks_that_run_backwards_or_over_a_year_are_refused_as_problems(api, runtime):
    code = county(runtime)

    backwards = api.get("/stats/return-to-work/weeks", **{"region": code, "from": "2026-03-09", "to": "2026-03-01"})
    too_many = api.get("/stats/return-to-work/weeks.xlsx", **{"region": code, "from": "2025-01-05", "to": "2026-01-05"})

    for answer in (backwards, too_many):
        assert answer.status_code == 422
        assert answer.content_type == "application/problem+json"
        assert "to" in str(answer.json)
