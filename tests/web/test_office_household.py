"""A household's page for the poverty office: its members and their work, twelve months of per-capita income
against the monitoring line as an inline SVG chart with a table of the same numbers, and its alerts."""
from __future__ import annotations

import dataclasses
import re
from datetime import date

import pytest
from support.office import add_alert
from support.pages import signed_in

import payroll
from app.db.models import Assignment, WorkerMonthIncome
from labour.vocabulary import EMPLOYER_KINDS

TODAY = date(2026, 5, 20)
MONTHS = [*payroll.previous_months("2026-05", 11), "2026-05"]


@pytest.fixture
def settings(settings):
    # 6,000 yuan a person a year: 500 yuan a month
    return dataclasses.replace(settings, fixed_today=TODAY, alert_default_monitoring_line_yuan=6000)


@pytest.fixture
def office(app, runtime, world):
    return signed_in(app, runtime, "poverty_office", world.county, language="en")


def earned(runtime, worker: str, fen_by_month: dict[str, int]) -> None:
    with runtime.sessions.begin() as session:
        session.add_all(WorkerMonthIncome(worker_id=worker, month=month, income_fen=fen)
                        for month, fen in fen_by_month.items())


def test_the_page_shows_twelve_months_of_per_capita_income_against_the_line_in_a_chart_and_a_table(office, runtime):
    # Li's household of four: 2,400 yuan a month (600 a person), then 1,600 in the last two months (400 a person)
    earned(runtime, "w-li", {month: 240_000 if month < "2026-04" else 160_000 for month in MONTHS})

    response = office.get("/office/households/h-li")

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    svg = re.search(r'<svg xmlns="http://www.w3.org/2000/svg" role="img".*?</svg>', html, re.S).group(0)
    assert 'class="chart income-chart"' in svg and svg.count('class="point below"') == 2
    assert svg.count('class="point"') == 10 and 'class="monitoring-line"' in svg
    assert "<title>May 2026: ¥400.00 a person</title>" in svg and "Monitoring line ¥500.00" in svg
    table = re.search(r'<table class="income">.*?</table>', html, re.S).group(0)
    rows = re.findall(r"<tr( class=\"below\")?>\s*<td>([^<]+)</td><td class=\"num\">([^<]+)</td>\s*"
                      r"<td class=\"num\">([^<]+?)\s*(?:<span class=\"flag\">below the line</span>)?</td>", table)
    assert [(month, income, per_capita, bool(below)) for below, month, income, per_capita in rows] == [
        *((f"{name} 202{5 if n < 7 else 6}", "¥2,400.00", "¥600.00", False) for n, name in enumerate(
            ["Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec", "Jan", "Feb", "Mar"])),
        ("Apr 2026", "¥1,600.00", "¥400.00", True), ("May 2026", "¥1,600.00", "¥400.00", True)]
    assert "Monitoring line: ¥500.00 a person a month" in html
    assert " style=" not in html and "<script>" not in html


def test_members_show_their_assignments_and_this_months_work(office, runtime, api, build, consume, world):
    events = [build.attendance(world.li, world.sewing, f"2026-05-{day:02d}", minutes=480) for day in (4, 5)]
    assert api.post("/events", {"events": events}).status_code == 202
    consume()

    html = office.get("/office/households/h-li").get_data(as_text=True)

    assert "Li Xiuying" in html and "Days at work: 2; earned: ¥280.00" in html
    for site, scheme in (("Glove workshop", "Piece rate"), ("Sewing workshop", "Hourly"),
                         ("Village cleaner", "Monthly stipend")):
        assert re.search(f"{site} <span class=\"muted\">\\([^)]*{scheme}", html), site


def test_the_page_lists_the_households_alerts_with_what_was_done(app, office, runtime, world):
    open_one = add_alert(runtime, "h-li", kind="below_line", month="2026-05")
    done = add_alert(runtime, "h-li", month="2026-03")
    office.post(f"/office/alerts/{done}/acknowledge", {"note": "Visited the family"})
    office.post(f"/office/alerts/{done}/resolve", {"help_given": "Placed at the glove workshop"})
    add_alert(runtime, "h-wang", month="2026-05")

    html = office.get("/office/households/h-li").get_data(as_text=True)

    assert re.findall(r'id="alert-([0-9a-f]+)"', html) == [open_one, done]
    assert "Visited the family" in html and "Placed at the glove workshop" in html
    assert re.search(r"poverty_office-\d+", html)  # who acted, by their account's name


def test_the_page_is_in_chinese_by_default(app, runtime, world):
    earned(runtime, "w-li", {"2026-05": 80_000})
    office = signed_in(app, runtime, "poverty_office", world.county)

    html = office.get("/office/households/h-li").get_data(as_text=True)

    for words in ("每月人均纯收入", "监测线", "2026年5月", "¥200.00", "脱贫户", "家庭成员"):
        assert words in html


def test_an_unknown_household_is_not_found(office):
    assert office.get("/office/households/h-nobody").status_code == 404


def test_every_kind_of_site_a_member_works_at_is_named_in_chinese(app, runtime, world, api):
    for kind in EMPLOYER_KINDS:
        site = api.created("/employers", {"id": f"e-{kind}", "kind": kind, "name": "Employer", "office_region_code":
                                          world.county, "region_code": world.village})["site_id"]
        with runtime.sessions.begin() as session:
            session.add(Assignment(worker_id="w-li", site_id=site, start_date=date(2026, 5, 1),
                                   scheme={"kind": "daily", "day_rate_fen": 12000}))
    office = signed_in(app, runtime, "poverty_office", world.county, language="zh-CN")

    html = office.get("/office/households/h-li").get_data(as_text=True)

    shown = re.findall(r'<span class="muted">\(([^ ]+) · ', html)
    assert set(shown) == {*(chinese for chinese, _ in EMPLOYER_KINDS.values()), "扶贫车间", "公益岗位"}
    assert len(shown) == len(EMPLOYER_KINDS) + 3  # Li's four, and the household's glove, sewing and cleaning
