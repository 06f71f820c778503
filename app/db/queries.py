"""Query pieces shared by the API and the consumers."""
from __future__ import annotations

from collections.abc import Collection, Iterable

from sqlalchemy import ARRAY, ColumnElement, any_, bindparam
from sqlalchemy.orm import Session

IN_LIST = 500  # values per IN (...) where the database takes no array (SQLite's limit on variables)


def among(session: Session, column, values: Collection) -> ColumnElement[bool]:
    """`column IN values`; on PostgreSQL `column = ANY(:array)`: one parameter, where an IN list of a
    thousand ids costs more to render and bind (SQLAlchemy and psycopg) than the query takes to run."""
    if session.get_bind().dialect.name == "postgresql":
        return _any(column, values)
    return column.in_(values)


def among_slices(session: Session, column, values: list) -> list[ColumnElement[bool]]:
    """`among` for a list of any length: one condition on PostgreSQL, one per `IN_LIST` values elsewhere (none
    for no values)."""
    return [among(session, column, chunk) for chunk in key_slices(session, values)]


def chunks(items: list, size: int = IN_LIST) -> Iterable[list]:
    """`items` in slices that fit one IN (...) list anywhere (keys whose rows are looked up a slice at a time)."""
    return (items[start:start + size] for start in range(0, len(items), size))


def key_slices(session: Session, keys: list) -> Iterable[list]:
    """`keys` in slices whose values fit `among`: all at once on PostgreSQL, whose arrays take any length (and
    where a query per slice may each scan a table that has no statistics yet), `chunks` elsewhere."""
    if session.get_bind().dialect.name == "postgresql":
        return [keys] if keys else []
    return chunks(keys)


def _any(column, values: Collection) -> ColumnElement[bool]:
    return column == any_(bindparam(None, sorted(values), type_=ARRAY(column.type)))
