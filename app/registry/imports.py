"""Households, workers and their assignments registered from a sheet (app.registry.sheet): every row checked
(app.registry.import_plan) before anything is written, then each kind of row written in one set-based statement
(COPY on PostgreSQL, the personal numbers encrypted before), and one audit entry per village or site naming the
ids added.

All or nothing: RegistryRejected names every bad row and column, and nothing is written. Idempotent: a row that is
registered already adds nothing, so importing the same file again changes nothing, and the result says so."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import Column, MetaData, Table, Text
from sqlalchemy.orm import Session

from app.db.audit import record_summaries
from app.db.crypto import Encrypted, keyring
from app.db.models import Assignment, Household, Worker
from app.db.models.types import new_id, utcnow
from app.db.phones import phone_hash
from app.db.rows import insert_rows
from app.ledger.labour import derive_work, labourers_among
from app.registry.import_plan import Importer, ImportOutOfScope, Plan, check_within, plan_import
from app.registry.sheet import Sheet, SheetRejected, read_sheet

__all__ = ["NATIONWIDE", "Importer", "ImportOutOfScope", "RegistryImport", "RegistryRejected", "import_registry",
           "read_sheet"]

NATIONWIDE = Importer(region_path=None, may_assign=True)  # the command line: the system itself
RegistryRejected = SheetRejected
# The workers' table with its encrypted columns typed as the text they hold, for values encrypted before COPY.
_ENCRYPTED_AS_TEXT = Table(Worker.__tablename__, MetaData(), *(
    Column(column.name, Text if isinstance(column.type, Encrypted) else column.type)
    for column in Worker.__table__.columns))


@dataclass(frozen=True)
class Counts:
    added: int
    unchanged: int


@dataclass(frozen=True)
class RegistryImport:
    rows: int
    households: Counts
    workers: Counts
    assignments: Counts
    warnings: dict[str, list[str]]  # "row N" -> what a manager should check (a bank card failing its Luhn check)

    @property
    def changed(self) -> bool:
        return bool(self.households.added or self.workers.added or self.assignments.added)


def import_registry(session: Session, sheet: Sheet, importer: Importer) -> RegistryImport:
    """Register what the sheet adds, or nothing: raises RegistryRejected naming every bad row and column (the
    sheet's own errors among them), ImportOutOfScope for villages or sites outside the importer's region."""
    check_within(sheet)  # over the rows that read well, so that one answer tells every error
    plan = plan_import(session, sheet, importer)
    if sheet.errors:
        raise sheet.rejected()
    _write(session, plan)
    return RegistryImport(
        rows=len(sheet.rows),
        households=Counts(len(plan.households), plan.unchanged["households"]),
        workers=Counts(len(plan.workers), plan.unchanged["workers"]),
        assignments=Counts(len(plan.assignments), plan.unchanged["assignments"]),
        warnings={f"row {line.row}": line.warnings for line in sheet.rows if line.warnings})


def _write(session: Session, plan: Plan) -> None:
    now = utcnow()
    ring = keyring()
    households = [{**household, "created_at": now} for household in plan.households]
    encrypt = ring.encrypt
    workers = [{"id": worker["id"], "household_id": worker["household_id"], "name": worker["name"],
                "national_id_encrypted": encrypt(worker["national_id"]),
                "national_id_hash": ring.lookup_hash(worker["national_id"]),
                "phone_encrypted": worker["phone"] and encrypt(worker["phone"]),
                "phone_hash": phone_hash(ring, worker["phone"]),
                "bank_account_encrypted": worker["bank_account"] and encrypt(worker["bank_account"]),
                "bank_account_hash": worker["bank_account"] and ring.lookup_hash(worker["bank_account"]),
                "created_at": now} for worker in plan.workers]
    assignments = [{"id": new_id(), "worker_id": assignment["worker_id"], "site_id": assignment["site_id"],
                    "start_date": assignment["start_date"], "end_date": assignment["end_date"],
                    "scheme": assignment["scheme"], "created_at": now} for assignment in plan.assignments]
    insert_rows(session, Household.__table__, households)
    insert_rows(session, _ENCRYPTED_AS_TEXT, workers)  # encrypted above: the one cost a row that COPY cannot take
    insert_rows(session, Assignment.__table__, assignments)
    derive_work(session, labourers_among(session, [row["worker_id"] for row in assignments]))
    villages = {worker["id"]: worker["village"] for worker in plan.workers}
    _record(session, Household.__tablename__, households, lambda row: row["region_code"], plan.village_paths)
    _record(session, Worker.__tablename__, workers, lambda row: villages[row["id"]], plan.village_paths)
    _record(session, Assignment.__tablename__, assignments, lambda row: row["site_id"], plan.site_paths)


def _record(session: Session, table: str, rows: list[dict], place, paths: dict[str, str]) -> None:
    """One audit entry per village (households, workers) or site (assignments) naming the ids it gained."""
    ids: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        ids[place(row)].append(row["id"])
    record_summaries(session, "insert", table, [(f"{key}/{len(added)} imported", paths.get(key), None,
                                                 {"imported": added}) for key, added in sorted(ids.items())])
