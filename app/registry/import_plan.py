"""What a registry sheet adds to the registry, checked against itself and against what is registered, set-based:
one query for the villages, one for the sites, one for the households, one for the national ids' hashes (and one
for the workers' ids given), one for the registered workers' assignments; never a query a row.

A row that names what is registered already, with the same values, adds nothing: that is how a re-import changes
nothing. A row that differs from what is registered is an error, not a change: an import registers, it does not
edit (edits go through `PATCH` and are audited value by value)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.crypto import keyring
from app.db.models import Assignment, Household, Region, Site, Worker
from app.db.models.types import new_id
from app.db.queries import among_slices
from app.ledger.vacancies import SCHEMES_BY_SITE_KIND
from app.registry.sheet import Sheet, SheetRow

WORKER_COLUMNS = ("household_id", "name", "phone", "bank_account")
COLUMN_OF = {"household_id": "household_number", "id": "worker_id"}


class ImportOutOfScope(PermissionError):
    """The sheet names villages or sites the importer may not register in, or employs without the right."""


@dataclass(frozen=True)
class Importer:
    """Who imports: their region (None: nationwide) and whether they may employ workers at sites."""

    region_path: str | None
    may_assign: bool

    def covers(self, path: str | None) -> bool:
        return self.region_path is None or (path is not None and path.startswith(self.region_path))


@dataclass
class Plan:
    """The rows to insert, what each row matched of the registry, and the region paths for the audit log."""

    households: list[dict] = field(default_factory=list)
    workers: list[dict] = field(default_factory=list)
    assignments: list[dict] = field(default_factory=list)
    unchanged: dict[str, int] = field(default_factory=lambda: {"households": 0, "workers": 0, "assignments": 0})
    village_paths: dict[str, str] = field(default_factory=dict)
    site_paths: dict[str, str] = field(default_factory=dict)


def check_within(sheet: Sheet) -> None:
    """Rows of one household (or one worker) must agree, and one worker's assignments at a site must not overlap."""
    households: dict[str, SheetRow] = {}
    workers: dict[str, SheetRow] = {}
    worker_ids: dict[str, SheetRow] = {}
    spans: dict[tuple[str, str], list[SheetRow]] = defaultdict(list)
    for line in sheet.rows:
        first = households.setdefault(line.household["id"], line)
        for name in ("size", "status"):
            if line.household[name] != first.household[name]:
                sheet.refuse(line.row, f"household_{name}", f"row {first.row} gives this household another {name}")
        national_id = line.worker["national_id"]
        first = workers.setdefault(national_id, line)
        for name in ("id", *WORKER_COLUMNS):
            if line.worker.get(name) != first.worker.get(name):
                sheet.refuse(line.row, COLUMN_OF.get(name, name), f"row {first.row} gives this worker another {name}")
        if "id" in line.worker:
            other = worker_ids.setdefault(line.worker["id"], line)
            if other.worker["national_id"] != national_id:
                sheet.refuse(line.row, "worker_id", f"row {other.row} gives this worker id to another national id")
        if line.assignment is not None:
            key = (national_id, line.assignment["site_id"])
            for other in spans[key]:
                if _overlap(line.assignment, other.assignment):
                    sheet.refuse(line.row, "start_date", f"overlaps row {other.row}'s assignment of this worker "
                                                         "at this site")
            spans[key].append(line)


def plan_import(session: Session, sheet: Sheet, importer: Importer) -> Plan:
    """Check the sheet's rows against the registry (errors go to `sheet.errors`) and say what they add.
    Raises ImportOutOfScope before anything else is checked."""
    plan = Plan()
    lines = sheet.rows
    plan.village_paths = _paths(session, Region.code, Region.path, {line.household["region_code"] for line in lines})
    sites = {row.id: row for row in _read(session, select(Site.id, Site.kind, Region.path).join(
        Region, Site.region_code == Region.code), Site.id, {line.assignment["site_id"] for line in lines
                                                            if line.assignment})}
    plan.site_paths = {site_id: site.path for site_id, site in sites.items()}
    _refuse_outside(importer, plan, lines)
    households = {row.id: row for row in _read(session, select(Household.id, Household.size, Household.status),
                                               Household.id, {line.household["id"] for line in lines})}
    holders = _holders(session, {line.worker["national_id"] for line in lines})
    taken_ids = set(_read(session, select(Worker.id), Worker.id, {line.worker["id"] for line in lines
                                                                 if "id" in line.worker}, scalars=True))
    assigned = defaultdict(list)
    for row in _read(session, select(Assignment.worker_id, Assignment.site_id, Assignment.start_date,
                                     Assignment.end_date, Assignment.scheme), Assignment.worker_id,
                     {holder.id for holder in holders.values()}):
        assigned[row.worker_id].append(row)
    seen_households: set[str] = set()
    seen_workers: dict[str, str] = {}  # national id -> the worker's id
    for line in lines:
        _plan_household(sheet, plan, line, households, seen_households)
        worker_id = _plan_worker(sheet, plan, line, holders, taken_ids, seen_workers, importer)
        if line.assignment is not None:
            _plan_assignment(sheet, plan, line, worker_id, sites, assigned)
    return plan


def _refuse_outside(importer: Importer, plan: Plan, lines: list[SheetRow]) -> None:
    outside = sorted(code for code, path in plan.village_paths.items() if not importer.covers(path))
    outside_sites = sorted(site for site, path in plan.site_paths.items() if not importer.covers(path))
    if outside or outside_sites:
        named = ", ".join([f"village {code}" for code in outside] + [f"site {site}" for site in outside_sites])
        raise ImportOutOfScope(f"outside your region: {named}; nothing was registered")
    if not importer.may_assign and any(line.assignment for line in lines):
        raise ImportOutOfScope("your role may not employ workers at sites: leave the site columns empty; "
                               "nothing was registered")


def _plan_household(sheet: Sheet, plan: Plan, line: SheetRow, registered: dict, seen: set) -> None:
    household = line.household
    if household["region_code"] not in plan.village_paths:
        sheet.refuse(line.row, "village_code", f"unknown region {household['region_code']}")
        return
    if household["id"] in seen:
        return
    seen.add(household["id"])
    existing = registered.get(household["id"])
    if existing is None:
        plan.households.append(household)
        return
    plan.unchanged["households"] += 1
    for name in ("size", "status"):
        if getattr(existing, name) != household[name]:
            sheet.refuse(line.row, f"household_{name}", f"household {household['id']} is registered with {name} "
                                                        f"{getattr(existing, name)}: an import does not change it")


def _plan_worker(sheet: Sheet, plan: Plan, line: SheetRow, holders: dict, taken_ids: set, seen: dict[str, str],
                 importer: Importer) -> str | None:
    worker = line.worker
    holder = holders.get(worker["national_id"])
    if holder is None:
        if worker.get("id") in taken_ids:
            sheet.refuse(line.row, "worker_id", f"worker {worker['id']} is registered with another national id")
            return None
        if worker["national_id"] not in seen:
            seen[worker["national_id"]] = worker.get("id") or new_id()
            plan.workers.append({**worker, "id": seen[worker["national_id"]],
                                 "village": line.household["region_code"]})
        return seen[worker["national_id"]]
    if not importer.covers(holder.path):
        sheet.refuse(line.row, "national_id", "it is the national id of a worker outside your scope")
        return None
    registered = {"id": holder.id, **{name: getattr(holder, name) for name in WORKER_COLUMNS}}
    # an empty cell says nothing: a sheet without bank accounts does not clear those registered
    differing = [name for name in ("id", *WORKER_COLUMNS)
                 if worker.get(name) is not None and worker[name] != registered[name]]
    for name in differing:
        sheet.refuse(line.row, COLUMN_OF.get(name, name), f"worker {holder.id} ({holder.name}) holds this national "
                                                          f"id with another {name}: an import does not change it")
    if worker["national_id"] not in seen:
        seen[worker["national_id"]] = holder.id
        plan.unchanged["workers"] += 1
    return None if differing else holder.id


def _plan_assignment(sheet: Sheet, plan: Plan, line: SheetRow, worker_id: str | None, sites: dict,
                     assigned: dict) -> None:
    assignment = line.assignment
    site = sites.get(assignment["site_id"])
    if site is None:
        sheet.refuse(line.row, "site_id", f"unknown site {assignment['site_id']}")
        return
    allowed = SCHEMES_BY_SITE_KIND.get(site.kind, ())
    if assignment["scheme"]["kind"] not in allowed:
        sheet.refuse(line.row, "scheme", f"a {site.kind} pays by {', '.join(allowed) or 'no scheme of a sheet'}, "
                                         f"not {assignment['scheme']['kind']}")
        return
    if worker_id is None:
        return
    for other in assigned.get(worker_id, ()):
        if other.site_id != assignment["site_id"] or not _overlap(assignment, other._mapping):
            continue
        if (other.start_date, other.end_date, other.scheme) == (
                assignment["start_date"], assignment["end_date"], assignment["scheme"]):
            plan.unchanged["assignments"] += 1
        else:
            sheet.refuse(line.row, "start_date", f"overlaps an assignment of this worker at {site.id} from "
                                                 f"{other.start_date}: an import does not change it")
        return
    plan.assignments.append({**assignment, "worker_id": worker_id})


def _holders(session: Session, national_ids: set[str]) -> dict[str, Any]:
    """The registered holder of each national id, found by its lookup hashes (under every key of the ring)."""
    ring = keyring()
    by_hash = {digest: national_id for national_id in national_ids for digest in ring.lookup_hashes(national_id)}
    query = (select(Worker.id, Worker.national_id_hash, Worker.household_id, Worker.name, Worker.phone,
                    Worker.bank_account, Region.path)
             .join(Household, Worker.household_id == Household.id).join(Region, Household.region_code == Region.code))
    return {by_hash[row.national_id_hash]: row for row in _read(session, query, Worker.national_id_hash, by_hash)}


def _paths(session: Session, key, path, values: set) -> dict[str, str]:
    return {row[0]: row[1] for row in _read(session, select(key, path), key, values)}


def _read(session: Session, query, column, values, scalars: bool = False) -> list:
    """The rows of `query` whose `column` is among `values`, a slice of values at a time where the database
    needs it."""
    run = session.scalars if scalars else session.execute
    return [row for condition in among_slices(session, column, sorted(values)) for row in run(query.where(condition))]


def _overlap(one: Any, other: Any) -> bool:
    ends_before = one["end_date"] is not None and one["end_date"] < other["start_date"]
    starts_after = other["end_date"] is not None and one["start_date"] > other["end_date"]
    return not (ends_before or starts_after)
