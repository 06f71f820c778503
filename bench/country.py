"""A synthetic country: regions, households, workers, sites of the four schemes, assignments, and
N days of attendance and output events, all streamed (every row is a pure function of its index,
so nothing is held in memory whatever the size: a village of 50 workers or ten million).

Shape (per village of `village_size` workers, 200 by default):

* regions: province > city > county > township > village, ten children per level, 12-digit
  codes like China's (`36 01 01 001 001`); a county holds 100 villages (20,000 workers);
* households of two workers (size 2-5, 30% poor, 20% monitored, 50% other);
* the scheme of worker j of a village is fixed by j % 20: 7 in 20 hourly (35%), 5 daily (25%),
  3 piece (15%), 5 monthly posts (25%); the workers of each block of 60 of a village share one
  site per scheme (a workshop for hourly, daily and piece, a public-welfare post for monthly),
  so a full village has 16 sites of 9-21 workers (a million workers: 80,000 sites);
* every worker has one assignment, started on 1 January, rates drawn per site.

Events, day by day and worker by worker (like phones uploading each evening): an attendance
record for hourly, daily and monthly workers (present 88%, half day 4%, absent 5%, leave 3%;
hourly present days with check-in/check-out, some overtime), one output record for a piece worker
present that day. Events come in the canonical CloudEvents form the relay publishes
(`events.encode_event`), so the bytes on the topic are those of production.
"""
from __future__ import annotations

import calendar
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from stdnum import luhn

import payroll

MASK = (1 << 64) - 1
SCHEMES = ("hourly",) * 7 + ("daily",) * 5 + ("piece",) * 3 + ("monthly",) * 5  # by j % 20
KIND_LETTER = {"hourly": "h", "daily": "d", "piece": "p", "monthly": "m"}
PRODUCTS = ("shoe-upper", "insole", "bamboo-mat", "tea-box")
ASSIGNMENT_START = date(2026, 1, 1)
CREATED_AT = datetime(2026, 1, 1, tzinfo=UTC)


def mix(*values: int) -> int:
    """A fast deterministic 64-bit hash (splitmix64 steps) of a few integers."""
    x = 0x9E3779B97F4A7C15
    for v in values:
        x = (x ^ v) * 0xBF58476D1CE4E5B9 & MASK
        x ^= x >> 31
        x = x * 0x94D049BB133111EB & MASK
        x ^= x >> 29
    return x


@dataclass(frozen=True)
class Fact:
    """What happened for one worker on one day: one event (or none)."""

    worker: int
    day: date
    type: str  # "attendance.recorded", "output.recorded" or "" (nothing recorded)
    status: str | None = None
    check_in: str | None = None  # "08:00"
    check_out: str | None = None
    minutes: int | None = None
    product: str | None = None
    grade: str | None = None
    quantity: int | None = None


@dataclass(frozen=True)
class Country:
    workers: int
    seed: int = 2026
    first_day: date = date(2026, 10, 1)
    village_size: int = 200
    block: int = 60

    # -- sizes ------------------------------------------------------------------------------

    @property
    def villages(self) -> int:
        return -(-self.workers // self.village_size)

    @property
    def households(self) -> int:
        return -(-self.workers // 2)

    def village_workers(self, v: int) -> int:
        return min(self.village_size, self.workers - v * self.village_size)

    def site_count(self) -> int:
        return sum(1 for _ in self.sites())

    def events_per_day(self) -> int:
        return sum(1 for i in range(self.workers) if self.fact(i, 0).type)

    # -- regions ----------------------------------------------------------------------------

    def village_code(self, v: int) -> str:
        return self._codes(v)[-1]

    def _codes(self, v: int) -> list[str]:
        p, c, k, t, n = v // 10_000, v // 1000 % 10, v // 100 % 10, v // 10 % 10, v % 10
        province = f"{11 + p:02d}"
        city = f"{province}{c + 1:02d}"
        county = f"{city}{k + 1:02d}"
        township = f"{county}{t + 1:03d}"
        return [province, city, county, township, f"{township}{n + 1:03d}"]

    def regions(self) -> Iterator[dict]:
        """Every region, parents before children."""
        levels = ("province", "city", "county", "township", "village")
        seen: list[str | None] = [None] * 5
        for v in range(self.villages):
            codes = self._codes(v)
            for depth, code in enumerate(codes):
                if seen[depth] == code:
                    continue
                seen[depth] = code
                seen[depth + 1:] = [None] * (4 - depth)
                yield {"code": code, "name": f"{levels[depth].title()} {code}", "level": levels[depth],
                       "parent_code": codes[depth - 1] if depth else None,
                       "path": "/" + "/".join(codes[: depth + 1]) + "/"}

    # -- people -----------------------------------------------------------------------------

    def household_rows(self) -> Iterator[dict]:
        for h in range(self.households):
            r = mix(self.seed, 1, h)
            share = r % 100
            status = "poor" if share < 30 else "monitored" if share < 50 else "other"
            yield {"id": f"h{h:08d}", "region_code": self.village_code(2 * h // self.village_size),
                   "size": 2 + (r >> 8) % 4, "status": status, "created_at": CREATED_AT}

    def worker_id(self, i: int) -> str:
        return f"w{i:08d}"

    def worker_rows(self) -> Iterator[dict]:
        for i in range(self.workers):
            yield {"id": self.worker_id(i), "household_id": f"h{i // 2:08d}", "name": f"Worker {i}",
                   "national_id": None, "phone": None, "bank_account": bank_card(i), "created_at": CREATED_AT}

    # -- sites and assignments --------------------------------------------------------------

    def scheme_kind(self, i: int) -> str:
        return SCHEMES[(i % self.village_size) % 20]

    def site_id(self, i: int) -> str:
        v, j = divmod(i, self.village_size)
        return f"s{v:06d}{KIND_LETTER[self.scheme_kind(i)]}{j // self.block}"

    def sites(self) -> Iterator[dict]:
        for v in range(self.villages):
            size = self.village_workers(v)
            for b in range(-(-size // self.block)):
                kinds = {SCHEMES[j % 20] for j in range(b * self.block, min((b + 1) * self.block, size))}
                for kind in ("hourly", "daily", "piece", "monthly"):
                    if kind in kinds:
                        sid = f"s{v:06d}{KIND_LETTER[kind]}{b}"
                        yield {"id": sid, "kind": "post" if kind == "monthly" else "workshop",
                               "name": f"{kind} site {sid}", "region_code": self.village_code(v),
                               "created_at": CREATED_AT}

    def scheme(self, site_id: str) -> dict:
        kind = {v: k for k, v in KIND_LETTER.items()}[site_id[7]]
        r = mix(self.seed, 2, int(site_id[1:7]), ord(site_id[7]), int(site_id[8:]))
        if kind == "hourly":
            return {"kind": "hourly", "rate_fen": 1500 + r % 8 * 100, "standard_minutes": 480,
                    "overtime_multiplier": "1.5"}
        if kind == "daily":
            return {"kind": "daily", "day_rate_fen": 8000 + r % 8 * 1000}
        if kind == "piece":
            return {"kind": "piece", "rates": {p: 20 + (r >> (8 * n)) % 200 for n, p in enumerate(PRODUCTS)},
                    "grades": {"A": 100, "B": 80, "C": 0}}
        return {"kind": "monthly", "stipend_fen": 50000 + r % 4 * 10000, "required_days": 20 + r % 3}

    def assignment_rows(self) -> Iterator[dict]:
        for i in range(self.workers):
            site = self.site_id(i)
            yield {"id": f"a{i:08d}", "worker_id": self.worker_id(i), "site_id": site,
                   "start_date": ASSIGNMENT_START, "end_date": None, "scheme": self.scheme(site),
                   "created_at": CREATED_AT}

    # -- facts and events -------------------------------------------------------------------

    def fact(self, i: int, d: int) -> Fact:
        day = self.first_day + timedelta(days=d)
        kind = self.scheme_kind(i)
        r = mix(self.seed, 3, i, d)
        share = r % 100
        status = "present" if share < 88 else "half_day" if share < 92 else "absent" if share < 97 else "leave"
        if kind == "piece":
            if status not in ("present", "half_day"):
                return Fact(i, day, "")
            product = PRODUCTS[(r >> 8) % len(PRODUCTS)]
            grade = "A" if (r >> 12) % 10 < 8 else "B" if (r >> 12) % 10 < 9 else "C"
            quantity = (20 + (r >> 16) % 100) // (2 if status == "half_day" else 1)
            return Fact(i, day, "output.recorded", product=product, grade=grade, quantity=quantity)
        if kind == "hourly" and status == "present":
            start = 7 * 60 + 30 + (r >> 8) % 4 * 15
            end = start + 8 * 60 + 30 + (r >> 12) % 8 * 15  # lunch included: some overtime
            return Fact(i, day, "attendance.recorded", status=status, check_in=_hhmm(start), check_out=_hhmm(end))
        if kind == "hourly" and status == "half_day":
            return Fact(i, day, "attendance.recorded", status=status, minutes=240)
        return Fact(i, day, "attendance.recorded", status=status)

    def event_id(self, i: int, d: int, k: int = 0) -> str:
        h = f"{(self.seed & 0xFFFF) << 112 | (d & 0xFFFF) << 96 | (k & 0xFF) << 88 | i:032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def event(self, fact: Fact) -> dict:
        """The canonical CloudEvent of a fact (as `events.to_cloudevent` writes it)."""
        return json.loads(self.encode_fact(fact))

    def encode_fact(self, fact: Fact) -> bytes:
        """The canonical encoding (`events.encode_event`: sorted keys, no spaces), written directly."""
        i, day = fact.worker, fact.day
        d = (day - self.first_day).days
        site = self.site_id(i)
        seconds = mix(i, d) % 3600
        when = f"{day.isoformat()}T10:{seconds // 60:02d}:{seconds % 60:02d}.000000Z"
        if fact.type == "output.recorded":
            data = (f'{{"date":"{day.isoformat()}","grade":"{fact.grade}","product":"{fact.product}",'
                    f'"quantity":{fact.quantity},"site_id":"{site}","worker_id":"w{i:08d}"}}')
        else:
            check_in = f'"{fact.check_in}:00"' if fact.check_in else "null"
            check_out = f'"{fact.check_out}:00"' if fact.check_out else "null"
            minutes = "null" if fact.minutes is None else str(fact.minutes)
            data = (f'{{"check_in":{check_in},"check_out":{check_out},"date":"{day.isoformat()}",'
                    f'"minutes":{minutes},"site_id":"{site}","status":"{fact.status}","worker_id":"w{i:08d}"}}')
        return (f'{{"data":{data},"datacontenttype":"application/json","dataversion":1,'
                f'"id":"{self.event_id(i, d)}","source":"sites/{site}","specversion":"1.0",'
                f'"time":"{when}","type":"{fact.type}"}}').encode()

    def events(self, days: int, first: int = 0) -> Iterator[dict]:
        """Every event of days first..first+days-1, day by day, worker by worker."""
        for key, value in self.messages(days, first):
            yield json.loads(value)

    def messages(self, days: int, first: int = 0) -> Iterator[tuple[str, bytes]]:
        """(key, value) as on the work-events topic: keyed by worker id, canonical JSON, day by day."""
        for d in range(first, first + days):
            for i in range(self.workers):
                fact = self.fact(i, d)
                if fact.type:
                    yield f"w{i:08d}", self.encode_fact(fact)

    def event_count(self, days: int, first: int = 0) -> int:
        return sum(1 for d in range(first, first + days) for i in range(self.workers) if self.fact(i, d).type)

    # -- derived rows (what the pipeline ends with), for COPY baselines and month-close setup --

    def wage_lines(self, days: int) -> Iterator[dict]:
        """The wage lines the pipeline computes for days 0..days-1 (all in one month), worker by worker."""
        if (self.first_day + timedelta(days=days - 1)).month != self.first_day.month:
            raise ValueError("wage_lines covers days of one month")
        period = self.first_day.strftime("%Y-%m")
        for i in range(self.workers):
            site = self.site_id(i)
            scheme_dict = self.scheme(site)
            scheme = payroll.scheme_from_dict(scheme_dict)
            base = {"assignment_id": f"a{i:08d}", "worker_id": self.worker_id(i), "site_id": site,
                    "period": period, "scheme": scheme_dict["kind"]}
            facts = [self.fact(i, d) for d in range(days)]
            if scheme_dict["kind"] == "monthly":
                statuses = [f.status for f in facts]
                credits = sum(payroll.day_credit(s) for s in statuses)
                yield {**base, "work_date": self.first_day.replace(day=1),
                       "amount_fen": payroll.monthly_pay(scheme, statuses),
                       "facts": {"days_recorded": len(statuses), "credits": str(float(credits)).rstrip("0").rstrip("."),
                                 "required_days": scheme.required_days}}
                continue
            for d, f in enumerate(facts):
                if not f.type:
                    continue
                event_id = self.event_id(i, d)
                if f.type == "output.recorded":
                    amount = payroll.piece_day_pay(scheme, [payroll.OutputLine(f.product, f.grade, f.quantity)])
                    line_facts = {"outputs": [{"event_id": event_id, "product": f.product, "grade": f.grade,
                                               "quantity": f.quantity}]}
                elif scheme_dict["kind"] == "daily":
                    amount = payroll.daily_day_pay(scheme, f.status)
                    line_facts = {"attendance_event_id": event_id, "status": f.status}
                else:
                    minutes = f.minutes
                    if f.check_in:
                        minutes = _minutes(f.check_out) - _minutes(f.check_in)
                    amount = payroll.hourly_day_pay(scheme, f.status, minutes)
                    line_facts = {"attendance_event_id": event_id, "status": f.status, "minutes": minutes}
                yield {**base, "work_date": f.day, "amount_fen": amount, "facts": line_facts}

    def month_days(self) -> int:
        return calendar.monthrange(self.first_day.year, self.first_day.month)[1] - self.first_day.day + 1


def encode(event: dict) -> bytes:
    return json.dumps(event, sort_keys=True, separators=(",", ":")).encode()


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _minutes(hhmm: str) -> int:
    return int(hhmm[:2]) * 60 + int(hhmm[3:5])


SIZES = {  # name -> (workers, days)
    "village": (200, 3),
    "township": (2_000, 5),
    "county": (20_000, 3),
    "city": (200_000, 2),
    "province": (2_000_000, 1),
}


def bank_card(i: int) -> str:
    """Worker i's bank card: 16 digits with a right Luhn digit, so no generated worker carries a warning."""
    body = f"6222{i:011d}"
    return body + luhn.calc_check_digit(body)
