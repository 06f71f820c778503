"""`bin/bench --only fraud`: the review flags against known frauds. A generated county (bench.country) works from
September to November on the embedded database; into its records go frauds of each kind, at workers (and
supervisors) chosen by a hash; then every site's November is reviewed at once (app.review.raising). Reported:
the recall of each kind (injected subjects flagged with it), the share of honest workers flagged, and the
review's time beside a floor: a bare scan of November's attendance rows on the same database."""
from __future__ import annotations

import dataclasses
import os
import tempfile
import time
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert, select

from bench.country import Country, bank_card, mix

MONTH = "2026-11"
FIRST = date(2026, 9, 1)
DAYS = 91  # September to November
KINDS = ("cloned_attendance", "shared_bank_account", "never_absent", "two_sites_one_day", "output_spike",
         "supervisor_far_apart")
EVERY = 97  # about one worker in EVERY is made a fraud of each kind


def run_fraud(workers: int, repeat: int) -> dict:
    from app.db.models import Site
    from app.migrate import upgrade_database
    from app.review.raising import raise_flags
    from app.runtime import build_runtime
    from app.settings import Settings

    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{os.path.join(folder, 'fraud.db')}"
        upgrade_database(url)
        runtime = build_runtime(dataclasses.replace(Settings.from_env(), database_url=url, bus="embedded"))
        country = Country(workers, first_day=FIRST)
        started = time.perf_counter()
        frauds = _load(runtime, country)
        loaded = time.perf_counter() - started
        with runtime.sessions() as session:
            sites = sorted(session.scalars(select(Site.id)))
        runs = []
        for _ in range(repeat):
            runs.append({"floor_seconds": _floor(runtime, date(2026, 11, 1)),
                         "history_floor_seconds": _floor(runtime, FIRST),
                         "review_seconds": _review(runtime, raise_flags, sites), "load_avg": os.getloadavg()})
        flags = _flags(runtime)
        runtime.close()
    return {"workers": workers, "sites": len(sites), "load_seconds": loaded, "runs": runs,
            **_score(frauds, flags, country)}


def _review(runtime, raise_flags, sites: list[str]) -> float:
    """Every site's month reviewed in one transaction, a chunk of sites at a time as a bulk close does, its flags
    cleared first so each run raises them all."""
    from sqlalchemy import delete

    from app.db.models import ReviewFlag
    from app.db.queries import chunks
    from app.pay.periods import REVIEW_CHUNK

    with runtime.sessions.begin() as session:
        session.execute(delete(ReviewFlag))
    started = time.perf_counter()
    with runtime.sessions.begin() as session:
        for chunk in chunks(sites, REVIEW_CHUNK):
            raise_flags(session, MONTH, chunk)
    return time.perf_counter() - started


def _floor(runtime, since: date) -> float:
    """A bare scan of the attendance rows from `since` to the end of November (the month, or the three months
    the review reads), fetched as Core rows."""
    from app.db.models import AttendanceRecord as r

    started = time.perf_counter()
    with runtime.sessions() as session:
        session.connection().execute(select(
            r.worker_id, r.site_id, r.work_date, r.status, r.check_in, r.check_out, r.minutes)
            .where(r.work_date >= since, r.work_date < date(2026, 12, 1))).all()
    return time.perf_counter() - started


def _flags(runtime) -> dict[str, set[str]]:
    from app.db.models import ReviewFlag

    found: dict[str, set[str]] = defaultdict(set)
    with runtime.sessions() as session:
        for kind, subject in session.execute(select(ReviewFlag.kind, ReviewFlag.subject_id)):
            found[subject].add(kind)
    return found


def _score(frauds: dict[str, set[str]], flags: dict[str, set[str]], country: Country) -> dict:
    recall = {kind: {"injected": len(subjects), "found": sum(1 for s in subjects if kind in flags.get(s, ()))}
              for kind, subjects in frauds.items()}
    guilty = set().union(*frauds.values())
    honest = [country.worker_id(i) for i in range(country.workers) if country.worker_id(i) not in guilty]
    flagged = [w for w in honest if flags.get(w)]
    supervisors = [s for s in flags if s.startswith("sup-")]
    return {"recall": recall, "honest_workers": len(honest), "honest_flagged": len(flagged),
            "honest_supervisors_flagged": len(set(supervisors) - frauds["supervisor_far_apart"])}


def _load(runtime, country: Country) -> dict[str, set[str]]:
    """The county's registry and records with the frauds in them; the subjects of each kind of fraud."""
    from app.db.crypto import keyring
    from app.db.models import AttendanceRecord, AuditEntry, Household, OutputRecord, Region, Site, Worker

    plan = _plan(country)
    ring = keyring()
    with runtime.sessions.begin() as session:
        for table, rows in ((Region, country.regions()), (Household, country.household_rows()),
                            (Site, country.sites())):
            session.execute(insert(table.__table__), list(rows))
        accounts = {i: _account(country, plan, i) for i in range(country.workers)}
        session.execute(insert(Worker.__table__), [
            {"id": country.worker_id(i), "household_id": f"h{i // 2:08d}", "name": f"Worker {i}",
             "bank_account_encrypted": ring.encrypt(accounts[i]), "bank_account_hash": ring.lookup_hash(accounts[i]),
             "created_at": datetime(2026, 1, 1, tzinfo=UTC)} for i in range(country.workers)])
        for first in range(0, country.workers, 1000):  # a thousand workers' records at a time: memory stays small
            attendance, outputs = _records(country, plan, range(first, min(first + 1000, country.workers)))
            session.execute(insert(AttendanceRecord.__table__), attendance)
            if outputs:
                session.execute(insert(OutputRecord.__table__), outputs)
        session.execute(insert(AuditEntry.__table__), _receipts(country, plan))
    return {kind: subjects for kind, subjects in plan["subjects"].items()}


def _plan(country: Country) -> dict:
    """Who commits which fraud: a worker at most one kind, the partner of a clone or a shared account none."""
    subjects: dict[str, set[str]] = {kind: set() for kind in KINDS}
    taken: set[int] = set()
    plan: dict = {"clone_of": {}, "account_of": {}, "steady": set(), "double": {}, "spike": set(),
                  "travelling": set(), "subjects": subjects}
    for i in range(country.workers):
        r = mix(country.seed, 77, i) % EVERY
        if i in taken or r >= len(KINDS) - 1:
            continue
        kind, j = KINDS[r], i % country.village_size
        scheme = country.scheme_kind(i)
        if kind == "cloned_attendance" and scheme == "hourly" and (j + 20) // 60 == j // 60 and j + 20 < 200 \
                and i + 20 < country.workers and i + 20 not in taken:
            plan["clone_of"][i + 20] = i
            taken.update((i, i + 20))
            subjects[kind].update((country.worker_id(i), country.worker_id(i + 20)))
        elif kind == "shared_bank_account" and i + 2 < country.workers and i + 2 not in taken:
            plan["account_of"][i] = i + 2
            taken.update((i, i + 2))
            subjects[kind].update((country.worker_id(i), country.worker_id(i + 2)))
        elif kind == "never_absent" and scheme == "hourly":
            plan["steady"].add(i)
        elif kind == "two_sites_one_day" and scheme in ("hourly", "daily", "monthly"):
            plan["double"][i] = country.site_id((i + country.village_size) % country.workers)
        elif kind == "output_spike" and scheme == "piece":
            plan["spike"].add(i)
        else:
            continue
        taken.add(i)
        subjects[kind].add(country.worker_id(i))
    for v in range(country.villages):
        if mix(country.seed, 78, v) % 10 == 0 and country.villages > 10:  # another township ten villages on
            plan["travelling"].add(v)
            subjects["supervisor_far_apart"].add(f"sup-{v}")
    return plan


def _account(country: Country, plan: dict, i: int) -> str:
    return bank_card(plan["account_of"].get(i, i))


def _records(country: Country, plan: dict, workers: range) -> tuple[list[dict], list[dict]]:
    attendance, outputs = [], []
    spike_day, double_day = 11, 9  # of November
    for i in workers:
        worker, site = country.worker_id(i), country.site_id(i)
        source = plan["clone_of"].get(i, i)
        for d in range(DAYS):
            day = FIRST + timedelta(days=d)
            fact = country.fact(source, d)
            november = day.month == 11
            if i in plan["steady"]:
                fact = fact.__class__(i, day, "attendance.recorded", "present", "08:00", "17:00")
            elif i in plan["spike"] and november and day.day == spike_day and not fact.type:
                fact = country.fact(source, d - 1)  # a day off: the spike comes on a day at work
                fact = fact if fact.type else country.fact(source, d - 2)
            elif i in plan["double"] and november and day.day == double_day + 1:
                fact = fact.__class__(i, day, "attendance.recorded", "present", "08:00", "17:00")
                attendance.append(_attendance(worker, plan["double"][i], day, "present", None, None, None))
            if fact.type == "attendance.recorded":
                attendance.append(_attendance(worker, site, day, fact.status, fact.check_in, fact.check_out,
                                              fact.minutes))
            elif fact.type == "output.recorded":
                quantity = fact.quantity * (10 if i in plan["spike"] and november and day.day == spike_day else 1)
                outputs.append({"event_id": f"o{i}-{d}", "worker_id": worker, "site_id": site, "work_date": day,
                                "product": fact.product, "grade": fact.grade, "quantity": quantity})
    return attendance, outputs


def _attendance(worker, site, day, status, check_in, check_out, minutes) -> dict:
    return {"worker_id": worker, "site_id": site, "work_date": day, "event_id": f"a{worker}-{site}-{day}",
            "recorded_at": f"{day}T10:00:00.000000Z", "status": status, "minutes": minutes,
            "check_in": check_in, "check_out": check_out}


def _receipts(country: Country, plan: dict) -> list[dict]:
    """What each village's supervisor sent in November: each site of the village every evening, a request a
    site, minutes apart; a travelling one also a site ten villages on (another township) minutes later."""
    sites_of: dict[int, list[dict]] = defaultdict(list)
    for site in country.sites():
        sites_of[int(site["id"][1:7])].append(site)
    paths = {region["code"]: region["path"] for region in country.regions()}
    rows = []
    for v, sites in sites_of.items():
        for d in range(30):
            evening = datetime(2026, 11, 1 + d, 11, tzinfo=UTC)
            sent = [(n * 3, site) for n, site in enumerate(sites)]
            if v in plan["travelling"] and d == 14:
                sent.append((len(sites) * 3 + 5, sites_of[(v + 10) % country.villages][0]))
            for minute, site in sent:
                rows.append({"at": evening + timedelta(minutes=minute), "actor_token_id": f"sup-{v}",
                             "actor_role": "supervisor", "request_id": f"r{v}-{d}-{minute}", "method": "POST",
                             "endpoint": "events.Events", "action": "insert", "table_name": "received_events",
                             "row_key": f"{site['id']}/1 events", "region_path": paths[site["region_code"]],
                             "before": None, "after": None})
    return rows
