"""The county at a glance: this week's workers at work, poor workers at work, workshops resumed and welfare
posts filled, by village and for the county, each with a sparkline of twelve weeks."""
from __future__ import annotations

import dataclasses
import re
from datetime import date

import pytest
from support.pages import signed_in

TODAY = date(2026, 5, 20)  # a Wednesday: this week began on Monday 18 May


@pytest.fixture
def settings(settings):
    return dataclasses.replace(settings, fixed_today=TODAY)


def figures(html: str, area: str) -> list[str]:
    row = re.search(rf"<th scope=\"row\">{area}</th>(.*?)</tr>", html, re.S).group(1)
    return [figure.strip() for figure in re.findall(r'<span class="figure">([^<]+)</span>', row)]


def test_the_county_shows_this_weeks_numbers_by_village_and_in_total(app, runtime, world, api, build, consume):
    events = [build.attendance(world.li, world.sewing, "2026-05-18", minutes=480),
              build.attendance(world.wang, world.sewing, "2026-05-19"),
              build.attendance(world.li, world.sewing, "2026-05-11", minutes=480),
              build.attendance(world.chen, world.far, "2026-05-18")]
    assert api.post("/events", {"events": events}).status_code == 202
    consume()
    office = signed_in(app, runtime, "poverty_office", world.county, language="en")

    html = office.get("/office/county").get_data(as_text=True)

    # Li (poor) and Wang (monitored) at the sewing workshop; the glove workshop idle; Li on the cleaner's post
    assert figures(html, "Xiaba") == ["2", "2", "1 / 2", "1 / 1"]
    assert figures(html, "Whole county") == ["2", "2", "1 / 2", "1 / 1"]
    assert "Tangxi" not in html and "Nankang" not in html
    sparklines = re.findall(r'<svg[^>]*class="chart sparkline">.*?</svg>', html, re.S)
    assert len(sparklines) == 8
    # the weeks are named once, above the table; a sparkline's title says its values, oldest first
    assert "<title>The last 12 weeks: 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2</title>" in sparklines[0]
    assert " style=" not in html


def test_a_villages_row_is_small_however_many_weeks_it_draws(app, runtime, world, api, build, consume):
    events = [build.attendance(world.li, world.sewing, "2026-05-18", minutes=480)]
    assert api.post("/events", {"events": events}).status_code == 202
    consume()
    office = signed_in(app, runtime, "poverty_office", world.county)  # in Chinese, three bytes a character

    html = office.get("/office/county").get_data(as_text=True)

    row = re.search(r"<tr>\s*<th scope=\"row\">Xiaba</th>.*?</tr>", html, re.S).group(0)
    assert len(row.encode()) < 2000  # a county's hundred villages in well under 200 KB


def test_an_admin_picks_the_county_and_an_office_may_not_look_at_another(app, runtime, world):
    admin = signed_in(app, runtime, "admin", language="en")
    picker = admin.get("/office/county").get_data(as_text=True)
    assert '<option value="360702"' in picker and '<option value="360703"' in picker
    assert "Xiaba" in admin.get("/office/county?region=360702").get_data(as_text=True)

    office = signed_in(app, runtime, "poverty_office", world.county)
    assert office.get("/office/county?region=360703").status_code == 403
    assert admin.get("/office/county?region=36").status_code == 404  # a province: no county's glance
    assert "全县概况" in office.get("/office/county").get_data(as_text=True)
