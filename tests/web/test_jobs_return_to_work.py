"""The county office's return-to-work page: the figures as of a day with their rates, week by week with a chart
of each figure, in Chinese by default, and the weeks as a workbook headed in the page's language."""
from __future__ import annotations

import io
import re
from datetime import timedelta

from openpyxl import load_workbook
from support.labour_counts import keep_work, work_sites
from support.pages import signed_in
from support.return_to_work import START, Labourer, write_county

from app.web.jobs.returns import CHARTED

AWAY = Labourer(village=0, poor=True, willing=None, changes=(("working_away", 0, None),), worked=frozenset({(0, 1)}))
LOCAL = Labourer(village=1, poor=False, willing=None, changes=(("working_local", 8, None),))
IDLE = Labourer(village=1, poor=False, willing=True, changes=(("idle", 0, None),), referred=1)
AS_OF = START + timedelta(days=9)  # a Wednesday of the second week


def county(runtime) -> str:
    with runtime.sessions.begin() as session:
        return write_county(session, [AWAY, LOCAL, IDLE], {-1: 4}).code


def figures(html: str) -> dict[str, str]:
    return {label: re.sub(r"\s+", " ", value).strip() for label, value in re.findall(
        r"<dt>([^<]+)</dt><dd[^>]*>(?:<span class=\"figure\">)?([^<]+)<", html)}


def test_the_office_reads_the_figures_and_their_weeks_in_chinese(app, runtime):
    code = county(runtime)
    office = signed_in(app, runtime, "poverty_office", code)

    html = office.get(f"/jobs/return-to-work?date={AS_OF}").get_data(as_text=True)

    assert "返岗复工" in html
    assert figures(html) == {"已返岗复工": "2", "就近就业": "1", "外出务工": "1", "有外出务工意愿": "1",
                             "已复工": "1 / 3", "吸纳就业": "1", "今年岗位推荐 / 录用": "1 / 0",
                             "从待业到录用的天数（中位数）": "—"}
    assert "去年外出务工 4 人 · 50.0%" in html
    sparklines = re.findall(r'<svg[^>]*class="chart sparkline">.*?</svg>', html, re.S)
    assert len(sparklines) == len(CHARTED)
    assert len(re.findall(r"<tr>\s*<th scope=\"row\">", html)) == 12  # twelve weeks, the last to the day asked
    assert " style=" not in html


def test_the_weeks_download_as_a_workbook_headed_in_the_pages_language_and_a_bad_day_is_refused(app, runtime):
    code = county(runtime)
    office = signed_in(app, runtime, "poverty_office", code, language="en")

    answer = office.get(f"/jobs/return-to-work.xlsx?region={code}&date={AS_OF}")

    assert answer.status_code == 200
    rows = list(load_workbook(io.BytesIO(answer.data)).active.iter_rows(values_only=True))
    assert rows[1][:4] == ("Day", "Migrant workers last year", "Returned to work", "Return rate")
    assert [row[2] for row in rows[-2:]] == [1, 2]  # away from the first week; local from its second week
    assert office.get("/jobs/return-to-work?date=tomorrow").status_code == 400  # no date: a bad request


def test_the_page_counts_labourers_at_work_by_their_assignments_and_an_end_makes_them_idle(app, runtime):
    """Three labourers with nothing but assignments: at a workshop of their county (open), at a workshop of
    another county (to day 20), at a workshop of their county ended on day 5. On day 9 one works locally and one
    away; the far assignment ended on day 8 leaves none away."""
    people = [Labourer(village=k % 2, poor=False, willing=False, changes=()) for k in range(3)]
    with runtime.sessions.begin() as session:
        world = write_county(session, people, {-1: 4})
        sites = work_sites(session, world.code)
    assignments = [(0, 0, 0, None, None), (1, 3, 0, 20, 8), (2, 1, 0, 5, None)]
    for k, (number, *_) in enumerate(assignments):
        with runtime.sessions.begin() as session:
            keep_work(session, f"{world.code}-w{number}", "assign", f"a{k}", sites, assignments[k])
    office = signed_in(app, runtime, "poverty_office", world.code)

    shown = figures(office.get(f"/jobs/return-to-work?date={AS_OF}").get_data(as_text=True))
    assert (shown["已返岗复工"], shown["就近就业"], shown["外出务工"]) == ("2", "1", "1")

    with runtime.sessions.begin() as session:
        keep_work(session, f"{world.code}-w1", "end", "a1", sites, assignments[1])
    shown = figures(office.get(f"/jobs/return-to-work?date={AS_OF}").get_data(as_text=True))
    assert (shown["已返岗复工"], shown["就近就业"], shown["外出务工"]) == ("1", "1", "0")
