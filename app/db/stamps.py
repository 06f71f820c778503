"""Change stamps: the rows the alert rules read carry the stamp of the transaction that last wrote them, so
that an evaluation can tell the rows written since a watermark (app/alerts/baseline.py) without reading the
others. On PostgreSQL a stamp is the writing transaction's id and the watermark the oldest transaction still
running when an evaluation starts: every row stamped below it was committed before the evaluation read
anything. SQLite has one writer at a time: its stamp is a counter (`change_clock`) that each evaluation moves
on before it reads, so that what is written after carries a stamp at least the watermark."""
from __future__ import annotations

from sqlalchemy import BigInteger, Connection, Index, text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import mapped_column
from sqlalchemy.sql.functions import FunctionElement

# what PostgreSQL fills in for a row written without a stamp (COPY, a row written by hand), as the migration sets it
POSTGRESQL_STAMP = "CAST(CAST(pg_current_xact_id() AS TEXT) AS BIGINT)"


class change_stamp(FunctionElement):  # noqa: N801 (a SQL function, named as one)
    """The stamp of the transaction writing the row."""
    type = BigInteger()
    inherit_cache = True


@compiles(change_stamp, "postgresql")
def _postgresql(element, compiler, **kw) -> str:
    return POSTGRESQL_STAMP


@compiles(change_stamp)
def _counter(element, compiler, **kw) -> str:
    return "(SELECT stamp FROM change_clock)"


def stamp_column():
    """A row's change stamp, written with every insert and update; NULL for the rows written before stamps were
    kept, which every watermark is after."""
    return mapped_column(BigInteger, nullable=True, default=change_stamp(), onupdate=change_stamp())


def stamp_index(table: str) -> Index:
    """The index that finds a large table's rows written since a watermark: of block ranges (BRIN), as rows
    are appended in stamp order, and one costs a write next to nothing where a b-tree grows with every row."""
    return Index(f"ix_{table}_stamp", "stamp", postgresql_using="brin", postgresql_with={"autosummarize": "on"})


def take_watermark(connection: Connection) -> int:
    """A stamp such that every row stamped below it is seen by what this connection reads from now on, and
    every row written from now on is stamped at least it."""
    if connection.dialect.name == "postgresql":
        return int(connection.scalar(text("SELECT CAST(CAST(pg_snapshot_xmin(pg_current_snapshot()) AS TEXT) "
                                          "AS BIGINT)")))
    # the writer's lock is held from here to the commit: nothing is written in between
    return int(connection.scalar(text("UPDATE change_clock SET stamp = stamp + 1 RETURNING stamp")))
