"""A vacancy's public page and the interest shown on it: no sign-in and no personal data; a name, a mobile number
and a village reach that village's offices as a referral request; a bad form is answered with its faults, a closed
vacancy takes none, a form without its token or from an address past its limit is refused. The offices copy the
vacancy as a group message with its QR code, and read and handle the requests of their region only."""
from __future__ import annotations

import dataclasses
import re
from datetime import UTC, date, datetime

import pytest
from cryptography.fernet import Fernet
from support.data_keys import NEXT_DATA_KEY, TEST_DATA_KEY
from support.pages import PageClient, signed_in

from app import create_app
from app.db.models import Employer, Site, Vacancy, VacancyInterest
from app.jobs.group_message import group_message
from app.jobs.interest import record_interest
from app.jobs.notices import notice_for
from app.runtime import build_runtime

POSTED_BY, CONTACT, TYPED_PHONE = "Officer Liu Yang", "13912345678", "139 8765 4321"


def post_vacancy(runtime, world, *, status: str = "open", office: str | None = None) -> str:
    with runtime.sessions.begin() as session:
        n = session.query(Vacancy).count()
        session.add(Site(id=f"employer-base-{n}", kind="employer", name="Seedling base", region_code=world.village))
        session.flush()
        session.add(Employer(id=f"base-{n}", kind="industrial_base", name="Hongfa seedling base",
                             region_code=world.village, office_region_code=office or world.county,
                             site_id=f"employer-base-{n}", contact=CONTACT))
        session.flush()
        session.add(Vacancy(id=f"v-{n}", site_id=f"employer-base-{n}", employer_id=f"base-{n}",
                            region_code=world.village, office_region_code=office or world.county, title="Seedling work",
                            count=6, hired=2, physical_demand="light", scheme={"kind": "daily", "day_rate_fen": 13050},
                            start_date=date(2026, 11, 9), end_date=date(2027, 1, 31), housing=True, poor_first=True,
                            description=f"Ask for Mr Huang on {TYPED_PHONE}.", status=status,
                            posted_event_id=f"posted-{n}", posted_at=datetime(2026, 11, 5, tzinfo=UTC),
                            posted_by=POSTED_BY))
    return f"v-{n}"


def interests(runtime) -> list[tuple[str, str, str, str]]:
    with runtime.readers() as session:
        return [(i.vacancy_id, i.region_code, i.name, i.phone) for i in session.query(VacancyInterest)]


def test_the_public_page_shows_the_work_and_nothing_personal(app, runtime, world):
    vacancy = post_vacancy(runtime, world)

    html = PageClient(app).get(f"/v/{vacancy}").get_data(as_text=True)

    for shown in ("Seedling work", "Hongfa seedling base", "ZhanggongShahe", "每天130.50元", "包住",
                  "2026年11月9日至2027年1月31日", "脱贫户和监测户优先", "我想报名", '<option value="360702101201"'):
        assert shown in html
    assert '<td class="num">4' not in html and ">4<" in html  # places left: six less the two hired
    for hidden in (POSTED_BY, CONTACT, TYPED_PHONE, "8765"):
        assert hidden not in html
    assert '<option value="360703101201"' not in html  # a village of another county's office


def test_interest_reaches_the_village_as_a_request_and_the_labourer_is_thanked(app, runtime, world):
    vacancy = post_vacancy(runtime, world)
    labourer = PageClient(app, language="en")
    labourer.get(f"/v/{vacancy}")

    sent = labourer.post(f"/v/{vacancy}/interest", {"name": " Zhou  Min ", "phone": "+86 138-0013-8000",
                                                    "village": world.village})

    assert sent.status_code == 303
    assert "Thank you" in labourer.get(sent.headers["Location"]).get_data(as_text=True)
    assert interests(runtime) == [(vacancy, world.village, "Zhou Min", "13800138000")]
    with runtime.engine.connect() as connection:  # kept encrypted
        stored = connection.exec_driver_sql("SELECT name_encrypted, phone_encrypted FROM vacancy_interests").one()
    assert "Zhou" not in stored[0] and "13800138000" not in stored[1]


FAULTS = [
    ({"name": "", "phone": "12345", "village": ""}, ("Write your name.", "Write a mobile number of 11 digits.",
                                                     "Choose your village.")),
    ({"name": "Zhou Min", "phone": "13800138000", "village": "360703101201"}, ("Choose your village.",)),
    ({"name": "<b>x</b>", "phone": "13800138000", "village": "360702101201"}, ("Write your name.",)),
]


def test_a_form_with_faults_a_closed_vacancy_or_no_token_keeps_nothing(app, runtime, world):
    vacancy, closed = post_vacancy(runtime, world), post_vacancy(runtime, world, status="filled")
    labourer = PageClient(app, language="en")
    labourer.get(f"/v/{vacancy}")
    good = {"name": "Zhou Min", "phone": "13800138000", "village": world.village}

    for form, faults in FAULTS:
        answer = labourer.post(f"/v/{vacancy}/interest", form)
        html = answer.get_data(as_text=True)
        assert answer.status_code == 422 and [fault for fault in faults if fault in html] == list(faults)
    assert "I am interested" not in labourer.get(f"/v/{closed}").get_data(as_text=True)
    assert labourer.post(f"/v/{closed}/interest", good).status_code == 422
    assert PageClient(app).post(f"/v/{vacancy}/interest", good, csrf=False).status_code == 400
    assert interests(runtime) == []


@pytest.fixture
def settings(settings):
    return dataclasses.replace(settings, rate_limit_interest="5/minute", public_base_url="https://jobs.example.cn")


def test_an_address_past_its_limit_is_refused_for_a_while(app, runtime, world):
    vacancy = post_vacancy(runtime, world)
    labourer = PageClient(app, language="en")
    labourer.get(f"/v/{vacancy}")
    form = {"name": "Zhou Min", "phone": "13800138000", "village": world.village}

    answers = [labourer.post(f"/v/{vacancy}/interest", form).status_code for _ in range(6)]

    assert answers == [303] * 5 + [429]
    assert len(interests(runtime)) == 5


def test_an_office_copies_the_vacancy_as_a_group_message_with_its_qr_code(app, runtime, world):
    vacancy = post_vacancy(runtime, world)
    office = signed_in(app, runtime, "poverty_office", world.county)

    html = office.get(f"/jobs/vacancies/{vacancy}/share").get_data(as_text=True)
    png = office.get(f"/v/{vacancy}/qr.png")

    with runtime.readers() as session:
        expected = group_message(notice_for(session, session.get(Vacancy, vacancy)), f"https://jobs.example.cn/v/{vacancy}")
    assert re.search(r'<pre class="group-message"[^>]*>(.*?)</pre>', html, re.S).group(1) == expected
    assert png.status_code == 200 and png.data.startswith(b"\x89PNG")


def test_requests_reach_the_offices_of_the_labourers_village_only_and_are_handled_there(app, runtime, world):
    vacancy = post_vacancy(runtime, world)
    labourer = PageClient(app)
    labourer.get(f"/v/{vacancy}")
    labourer.post(f"/v/{vacancy}/interest", {"name": "Zhou Min", "phone": "13800138000", "village": world.village})
    own, other = (signed_in(app, runtime, "poverty_office", county, language="en")
                  for county in (world.county, world.other_county))

    page = own.get("/jobs/requests").get_data(as_text=True)
    assert "Zhou Min" in page and 'href="tel:13800138000"' in page
    assert "Zhou Min" not in other.get("/jobs/requests").get_data(as_text=True)
    [interest_id] = re.findall(r'/jobs/requests/([0-9a-f]+)/handled', page)
    assert other.post(f"/jobs/requests/{interest_id}/handled").status_code == 403
    assert own.post(f"/jobs/requests/{interest_id}/handled").status_code == 303
    assert "Mark handled" not in own.get("/jobs/requests").get_data(as_text=True)


def test_a_rotated_data_key_leaves_every_request_readable_under_the_new_key_alone(app, runtime, world, settings):
    vacancy = post_vacancy(runtime, world)
    with runtime.sessions.begin() as session:
        record_interest(session, session.get(Vacancy, vacancy), "Zhou Min", "13800138000", world.village)
    rotated = build_runtime(dataclasses.replace(settings, data_keys=f"{NEXT_DATA_KEY},{TEST_DATA_KEY}"))
    try:
        result = create_app(runtime=rotated).test_cli_runner().invoke(args=["rotate-data-key"])
        assert result.exit_code == 0, result.output
    finally:
        rotated.close()

    with runtime.engine.connect() as connection:
        stored = connection.exec_driver_sql("SELECT name_encrypted, phone_encrypted FROM vacancy_interests").one()
    assert [Fernet(NEXT_DATA_KEY).decrypt(value.encode()) for value in stored] == [b"Zhou Min", b"13800138000"]
