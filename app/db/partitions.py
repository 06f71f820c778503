"""The ledger's tables that grow with every event, partitioned by month on PostgreSQL (SQLite keeps them plain):
a month's work records and wage lines sit in their own table, so that what a month reads and writes costs the
same however many months are stored, and an old month is archived by detaching its table.

Each partitioned table has a DEFAULT partition: a row whose month has no partition yet goes there, never lost,
and `keep_months` moves it into its month's partition when it makes that partition. `keep_months` makes this
month's and the next months' partitions ahead of the events (the wage consumer runs it as it starts and each
day; `flask ledger-partitions` from a scheduler does the same)."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, text

MONTHS_AHEAD = 2  # intake refuses work after tomorrow: this month and the next would do, one more is margin
_LOCK = 727_011  # a transaction's advisory lock: two processes making partitions make each once


@dataclass(frozen=True)
class Partitioned:
    table: str
    key: str
    by_text_month: bool  # LIST of "YYYY-MM" texts (wage_lines.period), else RANGE of dates

    def bounds(self, month: str) -> str:
        if self.by_text_month:
            return f"FOR VALUES IN ('{month}')"
        return f"FOR VALUES FROM ('{month}-01') TO ('{next_month(month)}-01')"

    def of_month(self, month: str) -> str:
        """The condition on a row of `month`."""
        if self.by_text_month:
            return f"{self.key} = '{month}'"
        return f"{self.key} >= '{month}-01' AND {self.key} < '{next_month(month)}-01'"

    def month_expression(self) -> str:
        return self.key if self.by_text_month else f"to_char({self.key}, 'YYYY-MM')"

    def partition(self, month: str) -> str:
        return f"{self.table}_{month.replace('-', '_')}"

    @property
    def default(self) -> str:
        return f"{self.table}_default"

    @property
    def clause(self) -> str:
        return f"PARTITION BY {'LIST' if self.by_text_month else 'RANGE'} ({self.key})"


PARTITIONED = (Partitioned("attendance_records", "work_date", by_text_month=False),
               Partitioned("wage_lines", "period", by_text_month=True))


def next_month(month: str) -> str:
    year, number = int(month[:4]), int(month[5:7])
    return f"{year + number // 12}-{number % 12 + 1:02d}"


def months_from(day: date, ahead: int) -> list[str]:
    months = [day.isoformat()[:7]]
    for _ in range(ahead):
        months.append(next_month(months[-1]))
    return months


def is_partitioned(connection: Connection, table: str) -> bool:
    if connection.dialect.name != "postgresql":
        return False
    return bool(connection.scalar(text("SELECT count(*) FROM pg_partitioned_table p JOIN pg_class c "
                                       "ON c.oid = p.partrelid WHERE c.relname = :t AND pg_table_is_visible(c.oid)"),
                                  {"t": table}))


def partition_months(connection: Connection, spec: Partitioned) -> set[str]:
    """The months that have a partition of `spec.table`."""
    names = connection.scalars(text(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = :t AND pg_table_is_visible(p.oid)"),
        {"t": spec.table})
    prefix = f"{spec.table}_"
    return {name[len(prefix):].replace("_", "-") for name in names if name != spec.default}


def is_partition_name(name: str) -> bool:
    """Whether a table's name is a partition's (or an archived month's): no model declares them."""
    return any(name.startswith(f"{spec.table}_") or name.startswith(f"archived_{spec.table}_")
               for spec in PARTITIONED)


def keep_months(connection: Connection, today: date, ahead: int = MONTHS_AHEAD) -> list[str]:
    """Make the partitions of this month and `ahead` more, and of every month with rows in a DEFAULT partition,
    moving those rows in; return the partitions made. Call it in a transaction of its own: it takes locks."""
    if not is_partitioned(connection, PARTITIONED[0].table):
        return []
    connection.execute(text("SELECT pg_advisory_xact_lock(:lock)"), {"lock": _LOCK})
    made = []
    for spec in PARTITIONED:
        waiting = set(connection.scalars(text(f"SELECT DISTINCT {spec.month_expression()} FROM {spec.default}")))
        missing = (set(months_from(today, ahead)) | waiting) - partition_months(connection, spec)
        for month in sorted(missing):
            make_partition(connection, spec, month)
            made.append(spec.partition(month))
    return made


def make_partition(connection: Connection, spec: Partitioned, month: str) -> None:
    """A month's partition, with the rows of the month that waited in the DEFAULT partition: moved, then attached,
    in the caller's transaction (ATTACH checks the default holds none of the month any more)."""
    name = spec.partition(month)
    connection.execute(text(f"CREATE TABLE {name} (LIKE {spec.table} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"))
    connection.execute(text(f"WITH moved AS (DELETE FROM {spec.default} WHERE {spec.of_month(month)} RETURNING *) "
                            f"INSERT INTO {name} SELECT * FROM moved"))
    connection.execute(text(f"ALTER TABLE {spec.table} ATTACH PARTITION {name} {spec.bounds(month)}"))


def detach_month(connection: Connection, month: str) -> list[str]:
    """Detach `month`'s partitions, renamed archived_<table>_<month>: plain tables to dump and drop. Return
    their names."""
    archived = []
    for spec in PARTITIONED:
        if month not in partition_months(connection, spec):
            continue
        name = spec.partition(month)
        connection.execute(text(f"ALTER TABLE {spec.table} DETACH PARTITION {name}"))
        connection.execute(text(f"ALTER TABLE {name} RENAME TO archived_{name}"))
        archived.append(f"archived_{name}")
    return archived


def months_of_rows(connection: Connection, specs: Iterable[Partitioned], table_of=lambda spec: spec.table
                   ) -> set[str]:
    """The months the rows of these tables fall in."""
    months: set[str] = set()
    for spec in specs:
        months |= set(connection.scalars(text(
            f"SELECT DISTINCT {spec.month_expression()} FROM {table_of(spec)} WHERE {spec.key} IS NOT NULL")))
    return months
