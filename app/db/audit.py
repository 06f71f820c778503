"""The audit log, written by the database layer itself so that no write can skip it.

Every session of the process (`install_audit`, by `app.runtime.build_runtime`) records, in the same
transaction as the write:
- each flushed insert, update and delete of a mapped row (`after_flush`: keys are known by then);
- each ORM-enabled bulk UPDATE or DELETE (`do_orm_execute`: the rows it touches, read before and after).
Personal data (columns of the `Encrypted` type) is recorded masked; secrets and hashes are left out.

Set-based writes (one statement over thousands of rows: a month closed for every site, a batch of
received events) record one summary entry instead (`record_summary`), in the same transaction; their
UPDATE and DELETE statements say so with `SUMMARISED` so that they are not also recorded row by row.

Who writes comes from a context variable the entry point sets (`begin_write_context`: the API per
request, `note_actor` once the caller is authenticated); without one, the write is the system's
(consumers, CLI). Tables that hold no decision of anyone's are not recorded (`NOT_AUDITED`).
"""
from __future__ import annotations

import json
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, bindparam, event, insert, inspect, select, tuple_
from sqlalchemy.orm import Mapper, ORMExecuteState, Session, sessionmaker

from app.db.crypto import Encrypted, mask
from app.db.declarative import Base
from app.db.models import AuditEntry, Household, Region, Site, Worker

# Derived from events (which are themselves recorded as received_events) and rebuilt by the consumers,
# bookkeeping, or the log itself: recording these would say nothing about who decided what.
NOT_AUDITED = frozenset({
    "audit_log",
    "processed_events", "attendance_records", "output_records", "pending_voids", "wage_lines", "adjustments",  # derived
    "worker_month_income",  # derived
    "idempotency_records",  # a cache of answers; the write it guards is recorded
    "webhook_deliveries", "webhook_attempts",  # the delivery log is its own record
    "worker_messages", "message_attempts",  # the delivery log is its own record
    "sign_in_codes",  # secrets, spent in minutes; a sign-in decides nothing
    "retention_horizons",  # bookkeeping of the retention purge, which records its own summary
    "event_log", "bus_offsets",  # the embedded bus (not mapped)
})
# Secrets and keyed hashes: never copied into the log, not even masked.
LEFT_OUT = frozenset({"token_hash", "secret", "password_hash", "national_id_hash", "request_hash",
                       "phone_hash", "bank_account_hash"})
LEFT_OUT_OF = {"dead_letters": frozenset({"payload"})}  # large, and already kept in the row itself
# Execution options of a bulk UPDATE or DELETE whose caller records a summary with `record_summary`.
SUMMARISED = {"audit": "summarised"}


@dataclass
class WriteContext:
    actor_token_id: str | None = None
    actor_role: str = "system"
    request_id: str | None = None
    method: str | None = None
    endpoint: str | None = None


_context: ContextVar[WriteContext | None] = ContextVar("stablework_write_context", default=None)


def begin_write_context(**fields: Any) -> WriteContext:
    """Writes from now on (in this thread or task) are recorded with these fields."""
    context = WriteContext(**fields)
    _context.set(context)
    return context


def end_write_context() -> None:
    _context.set(None)


def note_actor(token_id: str, role: str) -> None:
    """The authenticated caller of the current write context (no effect outside one)."""
    context = _context.get()
    if context is not None:
        context.actor_token_id, context.actor_role = token_id, role


def install_audit(sessions: sessionmaker) -> None:
    event.listen(sessions, "after_flush", _record_flush)
    event.listen(sessions, "do_orm_execute", _record_bulk)


def record_summary(session: Session, action: str, table: str, key: str, region_path: str | None,
                   before: dict | None, after: dict | None) -> None:
    """One entry for a set-based write of many rows of `table` (`key` names the set, the values say what
    changed and which rows), by the current write context's actor."""
    record_summaries(session, action, table, [(key, region_path, before, after)])


def record_summaries(session: Session, action: str, table: str,
                     summaries: list[tuple[str, str | None, dict | None, dict | None]]) -> None:
    """Several `record_summary` entries, each (key, region_path, before, after), in one statement."""
    if summaries:
        context = _context.get() or WriteContext()
        entries = [_entry(context, action, table, (key,), region_path, before, after)
                   for key, region_path, before, after in summaries]
        session.execute(insert(AuditEntry.__table__), entries)


# --- what is recorded -------------------------------------------------------------------------------

def _mappers() -> dict[Table, Mapper]:
    return {mapper.local_table: mapper for mapper in Base.registry.mappers}


def _audited(table: Any) -> bool:
    return isinstance(table, Table) and table.name not in NOT_AUDITED and table.info.get("audited", True)


def _shown(table: str, column, key: str, value: Any) -> tuple[bool, Any]:
    """(whether the column is recorded, the value as recorded)."""
    if column.name in LEFT_OUT or key in LEFT_OUT or column.name in LEFT_OUT_OF.get(table, ()):
        return False, None
    if isinstance(column.type, Encrypted):
        return True, mask(value) if isinstance(value, str) else None
    return True, _jsonable(value)


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return json.loads(json.dumps(value, default=str))


def _values(mapper: Mapper, get) -> tuple[dict[str, Any], dict[str, Any]]:
    """(every loaded value by attribute, the recorded ones) of a row, `get(key, column)` reading each."""
    raw, shown = {}, {}
    missing = object()
    for attribute in mapper.column_attrs:
        column = attribute.columns[0]
        value = get(attribute.key, column, missing)
        if value is missing:
            continue
        raw[attribute.key] = value
        recorded, value = _shown(mapper.local_table.name, column, attribute.key, value)
        if recorded:
            shown[attribute.key] = value
    return raw, shown


_PATH_OF = {  # the region path of a row, by the first of these keys it has
    "region_code": select(Region.path).where(Region.code == bindparam("value")),
    "site_id": select(Region.path).join(Site, Site.region_code == Region.code).where(Site.id == bindparam("value")),
    "household_id": select(Region.path).join(Household, Household.region_code == Region.code)
    .where(Household.id == bindparam("value")),
    "worker_id": select(Region.path).join(Household, Household.region_code == Region.code)
    .join(Worker, Worker.household_id == Household.id).where(Worker.id == bindparam("value")),
}


class _Regions:
    """The region path of a written row, looked up on the write's connection (once per key per flush)."""

    def __init__(self, connection):
        self.connection = connection
        self.cache: dict[tuple[str, str], str | None] = {}

    def path_of(self, table: str, values: dict[str, Any]) -> str | None:
        if values.get("region_path"):
            return values["region_path"]
        if table == "regions":
            return values.get("path")
        for key, query in _PATH_OF.items():
            if values.get(key):
                value = str(values[key])
                if (key, value) not in self.cache:
                    self.cache[key, value] = self.connection.execute(query, {"value": value}).scalar()
                return self.cache[key, value]
        return None


def _entry(context: WriteContext, action: str, table: str, key: tuple, region_path: str | None,
           before: dict | None, after: dict | None) -> dict[str, Any]:
    return {"actor_token_id": context.actor_token_id, "actor_role": context.actor_role,
            "request_id": context.request_id, "method": context.method, "endpoint": context.endpoint,
            "action": action, "table_name": table, "row_key": "/".join(str(part) for part in key)[:300],
            "region_path": region_path, "before": before, "after": after}


def _record_flush(session: Session, _flush_context) -> None:
    written = [(state, action) for objects, action in ((session.new, "insert"), (session.dirty, "update"),
                                                       (session.deleted, "delete"))
               for state in map(inspect, objects) if _audited(state.mapper.local_table)]
    if not written:
        return
    context = _context.get() or WriteContext()
    regions = _Regions(session.connection())
    entries = []
    for state, action in written:
        mapper = state.mapper
        table = mapper.local_table
        raw, shown = _values(mapper, lambda key, _column, missing: state.dict.get(key, missing))
        before, after = (None, shown) if action == "insert" else (shown, None)
        if action == "update":
            before, after = _changes(state)
            if not before and not after:
                continue
        key = tuple(raw.get(mapper.get_property_by_column(column).key) for column in mapper.primary_key)
        entries.append(_entry(context, action, table.name, key, regions.path_of(table.name, raw), before, after))
    if entries:
        session.connection().execute(insert(AuditEntry.__table__), entries)


def _changes(state) -> tuple[dict[str, Any], dict[str, Any]]:
    """The changed recorded columns of a dirty row: their values before and after."""
    before, after = {}, {}
    table = state.mapper.local_table.name
    for attribute in state.mapper.column_attrs:
        history = state.attrs[attribute.key].history
        if not history.has_changes():
            continue
        column = attribute.columns[0]
        old = history.deleted[0] if history.deleted else None
        new = history.added[0] if history.added else None
        recorded, old = _shown(table, column, attribute.key, old)
        if recorded:
            before[attribute.key] = old
            after[attribute.key] = _shown(table, column, attribute.key, new)[1]
    return before, after


def _record_bulk(execute_state: ORMExecuteState):
    """An ORM-enabled UPDATE or DELETE statement: the rows it touches, read before and after it."""
    if not (execute_state.is_update or execute_state.is_delete):
        return None
    if execute_state.execution_options.get("audit") == SUMMARISED["audit"]:
        return None  # the caller records one entry for the whole set
    statement = execute_state.statement
    table = statement.table
    mapper = _mappers().get(table)
    if mapper is None or not _audited(table):
        return None
    connection = execute_state.session.connection()
    query = select(table)
    if statement.whereclause is not None:
        query = query.where(statement.whereclause)
    if connection.dialect.name == "postgresql":
        query = query.with_for_update()  # the statement then touches exactly these rows
    keys = list(table.primary_key.columns)
    before_rows = {tuple(row[c] for c in keys): row for row in connection.execute(query).mappings()}
    result = execute_state.invoke_statement()
    if not before_rows:
        return result
    after_rows = {}
    if execute_state.is_update:
        located = select(table).where(_key_in(keys, list(before_rows)))
        after_rows = {tuple(row[c] for c in keys): row for row in connection.execute(located).mappings()}
    context = _context.get() or WriteContext()
    regions = _Regions(connection)
    entries = []
    for key, row in before_rows.items():
        raw, before = _values(mapper, _reader(row))
        if execute_state.is_delete:
            entries.append(_entry(context, "delete", table.name, key, regions.path_of(table.name, raw), before, None))
            continue
        _, after = _values(mapper, _reader(after_rows.get(key, {})))
        changed = {name for name in after if after[name] != before.get(name)}
        if changed:
            entries.append(_entry(context, "update", table.name, key, regions.path_of(table.name, raw),
                                  {name: before.get(name) for name in sorted(changed)},
                                  {name: after[name] for name in sorted(changed)}))
    if entries:
        connection.execute(insert(AuditEntry.__table__), entries)
    return result


def _reader(row):
    return lambda _key, column, missing: row.get(column, missing)


def _key_in(columns: list, keys: list[tuple]):
    if len(columns) == 1:
        return columns[0].in_([key[0] for key in keys])
    return tuple_(*columns).in_(keys)
