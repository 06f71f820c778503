"""A small county with every wage scheme and two months of messy events, and the earnings
docs/domain.md's rules give for them, computed here independently of the code under test."""
from __future__ import annotations

import math
import random
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from fractions import Fraction

CST = timezone(timedelta(hours=8))
MONTHS = [(2026, 3), (2026, 4)]

REGIONS = [
    {"code": "36", "name": "Jiangxi", "level": "province"},
    {"code": "3607", "name": "Ganzhou", "level": "city", "parent_code": "36"},
    {"code": "360731", "name": "Yudu", "level": "county", "parent_code": "3607"},
    {"code": "360731101", "name": "Gongjiang", "level": "township", "parent_code": "360731"},
    {"code": "360731101201", "name": "Pantian", "level": "village", "parent_code": "360731101"},
    {"code": "360731101202", "name": "Shuitou", "level": "village", "parent_code": "360731101"},
]

SITES = [
    {"id": "ws-shoes", "kind": "workshop", "name": "Shoe workshop", "region_code": "360731101201",
     "scheme": {"kind": "hourly", "rate_fen": 1800}},
    {"id": "ws-bamboo", "kind": "workshop", "name": "Bamboo weaving", "region_code": "360731101202",
     "scheme": {"kind": "hourly", "rate_fen": 1650, "standard_minutes": 420, "overtime_multiplier": "2"}},
    {"id": "ws-tea", "kind": "workshop", "name": "Tea packing", "region_code": "360731101201",
     "scheme": {"kind": "daily", "day_rate_fen": 12345}},
    {"id": "ws-toys", "kind": "workshop", "name": "Toy assembly", "region_code": "360731101202",
     "scheme": {"kind": "piece", "rates": {"bear": 35, "duck": 120, "kite": 7}}},
    {"id": "post-clean", "kind": "post", "name": "Village cleaner", "region_code": "360731101201",
     "scheme": {"kind": "monthly", "stipend_fen": 80000, "required_days": 22}},
    {"id": "post-forest", "kind": "post", "name": "Forest ranger", "region_code": "360731101202",
     "scheme": {"kind": "monthly", "stipend_fen": 60000, "required_days": 20}},
]

WORKERS_PER_SITE = 6


@dataclass
class Scenario:
    households: list[dict] = field(default_factory=list)
    workers: list[dict] = field(default_factory=list)
    assignments: list[dict] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)  # in arrival order, with redeliveries
    expected: dict[tuple[str, str], int] = field(default_factory=dict)  # (worker, "YYYY-MM") -> fen

    @property
    def unique_events(self) -> list[dict]:
        return list({e["id"]: e for e in self.events}.values())


def build_scenario(seed: int = 7) -> Scenario:
    rng = random.Random(seed)
    scenario = Scenario()
    for site_index, site in enumerate(SITES):
        for n in range(WORKERS_PER_SITE):
            worker_id = f"{site['id']}-w{n}"
            household_id = f"hh-{site_index}-{n}"
            scenario.households.append({"id": household_id, "region_code": site["region_code"],
                                        "size": rng.randint(1, 6),
                                        "status": rng.choice(["poor", "monitored", "other"])})
            scenario.workers.append({"id": worker_id, "household_id": household_id, "name": f"Worker {worker_id}"})
            start = date(2026, 3, 1) if n % 3 else date(2026, 3, 10)
            end = date(2026, 4, 15) if n == 5 else None
            scenario.assignments.append({"id": f"as-{worker_id}", "worker_id": worker_id, "site_id": site["id"],
                                         "start_date": start.isoformat(),
                                         "end_date": end.isoformat() if end else None, "scheme": site["scheme"]})
    for assignment in scenario.assignments:
        scenario.events.extend(_work_events(rng, assignment))
    scenario.expected = expected_earnings(scenario.assignments, scenario.events)
    redeliveries = rng.sample(scenario.events, len(scenario.events) // 10)
    scenario.events.extend(dict(e) for e in redeliveries)
    rng.shuffle(scenario.events)  # a void may come before the output it cancels: it waits for it
    return scenario


def _days(assignment: dict):
    start = date.fromisoformat(assignment["start_date"])
    end = date.fromisoformat(assignment["end_date"]) if assignment["end_date"] else date(2026, 4, 30)
    day = max(start, date(2026, 3, 1))
    while day <= min(end, date(2026, 4, 30)):
        if day.weekday() != 6:  # Sundays off
            yield day
        day += timedelta(days=1)


def _event(rng: random.Random, type_: str, site: str, recorded: datetime, data: dict) -> dict:
    return {"specversion": "1.0", "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "type": type_, "source": f"sites/{site}/phone", "time": recorded.isoformat(), "data": data}


def _work_events(rng: random.Random, assignment: dict) -> list[dict]:
    kind = assignment["scheme"]["kind"]
    worker, site = assignment["worker_id"], assignment["site_id"]
    events = []
    for day in _days(assignment):
        recorded = datetime.combine(day, time(18, 0), CST)
        if kind == "piece":
            events.extend(_outputs(rng, assignment, day, recorded))
            continue
        status = rng.choices(["present", "half_day", "absent", "leave"], [70, 12, 10, 8])[0]
        data = {"worker_id": worker, "site_id": site, "date": day.isoformat(), "status": status}
        if kind == "hourly" and status in ("present", "half_day"):
            if status == "present" or rng.random() < 0.5:
                if rng.random() < 0.5:
                    data["minutes"] = rng.choice([0, 240, 419, 420, 421, 479, 480, 481, 555, 600])
                else:
                    start = time(7, rng.randint(0, 59))
                    data["check_in"] = start.strftime("%H:%M")
                    data["check_out"] = time(rng.randint(15, 20), rng.randint(0, 59)).strftime("%H:%M")
        events.append(_event(rng, "attendance.recorded", site, recorded, data))
        if rng.random() < 0.15:  # a supervisor's correction, recorded later
            corrected = dict(data, status=rng.choice(["present", "half_day", "absent"]))
            if kind == "hourly" and corrected["status"] == "present" and "minutes" not in corrected \
                    and "check_in" not in corrected:
                corrected["minutes"] = 480
            later = recorded + timedelta(hours=rng.choice([1, 20]))
            events.append(_event(rng, "attendance.recorded", site, later, corrected))
            if rng.random() < 0.3:  # same instant as the correction: the larger id wins
                events.append(_event(rng, "attendance.recorded", site, later, dict(corrected, status="absent")))
    return events


def _outputs(rng: random.Random, assignment: dict, day: date, recorded: datetime) -> list[dict]:
    worker, site = assignment["worker_id"], assignment["site_id"]
    events = []
    for _ in range(rng.randint(0, 4)):
        data = {"worker_id": worker, "site_id": site, "date": day.isoformat(),
                "product": rng.choice(["bear", "duck", "kite"]), "grade": rng.choice(["A", "A", "B", "C"]),
                "quantity": rng.randint(0, 40)}
        output = _event(rng, "output.recorded", site, recorded, data)
        events.append(output)
        if rng.random() < 0.1:
            events.append(_event(rng, "output.voided", site, recorded + timedelta(hours=1),
                                 {"worker_id": worker, "site_id": site, "output_id": output["id"]}))
    return events


# ---- the rules of docs/domain.md, written out again for the test's own expectations ----

def half_up(value: Fraction) -> int:
    return math.floor(value + Fraction(1, 2))


def expected_earnings(assignments: list[dict], events: list[dict]) -> dict[tuple[str, str], int]:
    """(worker, "YYYY-MM") -> fen, whatever the order of `events`: the latest attendance record of a day wins,
    and a void cancels its output if both are the same worker's at the same site (another's is ignored)."""
    by_post = {(a["worker_id"], a["site_id"]): a for a in assignments}  # one assignment per worker and site
    latest: dict[tuple, dict] = {}
    for e in events:
        if e["type"] != "attendance.recorded":
            continue
        d = e["data"]
        key = (d["worker_id"], d["site_id"], d["date"])
        order = (datetime.fromisoformat(e["time"]), e["id"])
        if key not in latest or order > latest[key][0]:
            latest[key] = (order, e)
    outputs = {e["id"]: e["data"] for e in events if e["type"] == "output.recorded"}
    voided = {e["data"]["output_id"] for e in events if e["type"] == "output.voided"
              and e["data"]["output_id"] in outputs
              and _post(e["data"]) == _post(outputs[e["data"]["output_id"]])}
    earnings: dict[tuple[str, str], int] = defaultdict(int)
    credits: dict[tuple[str, str, str], Fraction] = defaultdict(Fraction)
    for (worker, site, day), (_, e) in latest.items():
        scheme, d, month = by_post[(worker, site)]["scheme"], e["data"], day[:7]
        if scheme["kind"] == "hourly":
            earnings[(worker, month)] += _hourly(scheme, d)
        elif scheme["kind"] == "daily":
            rate = scheme["day_rate_fen"]
            earnings[(worker, month)] += {"present": rate, "half_day": half_up(Fraction(rate, 2))}.get(d["status"], 0)
        elif scheme["kind"] == "monthly":
            credits[(worker, site, month)] += {"present": Fraction(1), "half_day": Fraction(1, 2)}.get(d["status"], 0)
    for (worker, site, month), days in credits.items():
        scheme = by_post[(worker, site)]["scheme"]
        required = scheme["required_days"]
        earnings[(worker, month)] += half_up(scheme["stipend_fen"] * min(days, required) / Fraction(required))
    quantities: dict[tuple, int] = defaultdict(int)
    for e in events:
        if e["type"] == "output.recorded" and e["id"] not in voided:
            d = e["data"]
            quantities[(d["worker_id"], d["site_id"], d["date"], d["product"], d["grade"])] += d["quantity"]
    for (worker, site, day, product, grade), quantity in quantities.items():
        scheme = by_post[(worker, site)]["scheme"]
        percent = {"A": 100, "B": 80, "C": 0}[grade]
        earnings[(worker, day[:7])] += half_up(Fraction(quantity * scheme["rates"][product] * percent, 100))
    return dict(earnings)


def _post(data: dict) -> tuple[str, str]:
    return data["worker_id"], data["site_id"]


def _hourly(scheme: dict, d: dict) -> int:
    if d["status"] in ("absent", "leave"):
        return 0
    standard = scheme.get("standard_minutes", 480)
    multiplier = Fraction(scheme.get("overtime_multiplier", "1.5"))
    if "minutes" in d:
        minutes = Fraction(d["minutes"])
    elif "check_in" in d:
        t_in, t_out = (datetime.strptime(d[k], "%H:%M") for k in ("check_in", "check_out"))
        minutes = Fraction(int((t_out - t_in).total_seconds() // 60))
    else:  # a half day without times
        minutes = Fraction(standard, 2)
    paid = min(minutes, standard) + multiplier * max(minutes - standard, 0)
    return half_up(scheme["rate_fen"] * paid / 60)


def register(api, scenario: Scenario) -> None:
    """Create the county, its sites, households, workers and assignments through the API."""
    for region in REGIONS:
        api.created("/regions", region)
    for site in SITES:
        api.created("/sites", {k: v for k, v in site.items() if k != "scheme"})
    for household in scenario.households:
        api.created("/households", household)
    for worker in scenario.workers:
        api.created("/workers", worker)
    for assignment in scenario.assignments:
        api.created("/assignments", assignment)
