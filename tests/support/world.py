"""The small registry most API and page tests work on (`world`), with its fixtures: a copy of a migrated
database per test, tokens, and CloudEvents as a client builds them. The conftests of tests/api and
tests/web import these fixtures.

The registry (`world`):

    36 Jiangxi (province)
      3607 Ganzhou (city)
        360702 Zhanggong (county)
          360702101 Shahe (township)
            360702101201 Xiaba (village)   households h-li, h-wang; sites ws-glove, ws-sewing, post-clean
        360703 Nankang (county)
          360703101 Tangjiang (township)
            360703101201 Tangxi (village)  household h-chen; site ws-far

    w-li   (h-li)   at ws-glove  piece   {"GLOVE": 33, "BOX": 120}, default grades, from 2026-03-01
                    at ws-sewing hourly  1750 fen/h, 480 standard minutes, x1.5 overtime, from 2026-03-01
                    at post-clean monthly 80000 fen, 22 required days, from 2026-03-01
    w-wang (h-wang) at ws-sewing daily   12000 fen, from 2026-03-10 to 2026-06-30
    w-chen (h-chen) at ws-far    daily   11000 fen, from 2026-03-01
"""
from __future__ import annotations

import dataclasses
import shutil
import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

import payroll
from app.access.tokens import issue_token
from app.db.models import Assignment, Household, Region, Site, Worker

LI_NATIONAL_ID = "360702198912291234"
LI_BANK_ACCOUNT = "6217003600701234567"

PIECE = {"kind": "piece", "rates": {"GLOVE": 33, "BOX": 120}}
HOURLY = {"kind": "hourly", "rate_fen": 1750, "standard_minutes": 480, "overtime_multiplier": "1.5"}
MONTHLY = {"kind": "monthly", "stipend_fen": 80000, "required_days": 22}


@pytest.fixture
def settings(settings, migrated_database, tmp_path):
    database = tmp_path / "stablework-api.db"
    shutil.copyfile(migrated_database, database)
    # `consume` drains the bus until a poll comes back empty; an empty poll need not wait here.
    return dataclasses.replace(settings, database_url=f"sqlite:///{database}", consumer_poll_ms=0)


@dataclass(frozen=True)
class World:
    province: str = "36"
    city: str = "3607"
    county: str = "360702"
    village: str = "360702101201"
    other_county: str = "360703"
    other_village: str = "360703101201"
    li: str = "w-li"
    wang: str = "w-wang"
    chen: str = "w-chen"
    glove: str = "ws-glove"  # piece-rate workshop
    sewing: str = "ws-sewing"  # hourly (Li) and daily (Wang) workshop
    post: str = "post-clean"  # public-welfare post, monthly
    far: str = "ws-far"  # a workshop in the other county


@pytest.fixture
def world(runtime) -> World:
    """The registry above, written in one transaction (test_registry.py covers creating it by API)."""
    w = World()
    regions = [
        (w.province, "Jiangxi", "province", None),
        (w.city, "Ganzhou", "city", w.province),
        (w.county, "Zhanggong", "county", w.city),
        ("360702101", "Shahe", "township", w.county),
        (w.village, "Xiaba", "village", "360702101"),
        (w.other_county, "Nankang", "county", w.city),
        ("360703101", "Tangjiang", "township", w.other_county),
        (w.other_village, "Tangxi", "village", "360703101"),
    ]
    assignments = [
        (w.li, w.glove, date(2026, 3, 1), None, PIECE),
        (w.li, w.sewing, date(2026, 3, 1), None, HOURLY),
        (w.li, w.post, date(2026, 3, 1), None, MONTHLY),
        (w.wang, w.sewing, date(2026, 3, 10), date(2026, 6, 30), {"kind": "daily", "day_rate_fen": 12000}),
        (w.chen, w.far, date(2026, 3, 1), None, {"kind": "daily", "day_rate_fen": 11000}),
    ]
    paths: dict[str | None, str] = {None: "/"}
    with runtime.sessions.begin() as session:
        for code, name, level, parent in regions:
            paths[code] = f"{paths[parent]}{code}/"
            session.add(Region(code=code, name=name, level=level, parent_code=parent, path=paths[code]))
        session.flush()
        session.add_all([
            Household(id="h-li", region_code=w.village, size=4, status="poor"),
            Household(id="h-wang", region_code=w.village, size=3, status="monitored"),
            Household(id="h-chen", region_code=w.other_village, size=2, status="other"),
            Site(id=w.glove, kind="workshop", name="Glove workshop", region_code=w.village),
            Site(id=w.sewing, kind="workshop", name="Sewing workshop", region_code=w.village),
            Site(id=w.post, kind="post", name="Village cleaner", region_code=w.village),
            Site(id=w.far, kind="workshop", name="Tangxi workshop", region_code=w.other_village),
        ])
        session.flush()
        session.add_all([
            Worker(id=w.li, household_id="h-li", name="Li Xiuying", national_id=LI_NATIONAL_ID,
                   bank_account=LI_BANK_ACCOUNT),
            Worker(id=w.wang, household_id="h-wang", name="Wang Jianguo"),
            Worker(id=w.chen, household_id="h-chen", name="Chen Fang"),
        ])
        session.flush()
        session.add_all(
            Assignment(worker_id=worker, site_id=site, start_date=start, end_date=end,
                       scheme=payroll.scheme_to_dict(payroll.scheme_from_dict(scheme)))
            for worker, site, start, end, scheme in assignments
        )
    return w


@pytest.fixture
def token(runtime):
    """Issue a token: `token("supervisor", "360702", sites=["ws-glove"])`."""

    def issue(role: str, region: str | None = None, sites: list[str] = ()) -> str:
        with runtime.sessions.begin() as session:
            return issue_token(session, name=f"test {role}", role=role, region_code=region, site_ids=list(sites))

    return issue


class EventBuilder:
    """Structured CloudEvents as a client would send them; every id is fresh unless given."""

    def event(self, type_: str, data: dict[str, Any], *, id: str | None = None,
              time: str = "2026-03-02T18:00:00+08:00") -> dict[str, Any]:
        return {"specversion": "1.0", "id": id or str(uuid.uuid4()), "type": type_, "source": "test/tablet-1",
                "time": time, "datacontenttype": "application/json", "data": data}

    def attendance(self, worker: str, site: str, day: str, status: str = "present", *,
                   id: str | None = None, time: str = "2026-03-02T18:00:00+08:00", **fields: Any) -> dict:
        data = {"worker_id": worker, "site_id": site, "date": day, "status": status, **fields}
        return self.event("attendance.recorded", data, id=id, time=time)

    def output(self, worker: str, site: str, day: str, product: str, quantity: Any, grade: str = "A", *,
               id: str | None = None) -> dict:
        data = {"worker_id": worker, "site_id": site, "date": day, "product": product, "grade": grade,
                "quantity": quantity}
        return self.event("output.recorded", data, id=id)

    def void(self, worker: str, site: str, output_id: str, *, id: str | None = None) -> dict:
        data = {"worker_id": worker, "site_id": site, "output_id": output_id, "reason": "counted twice"}
        return self.event("output.voided", data, id=id)


@pytest.fixture
def build() -> EventBuilder:
    return EventBuilder()
