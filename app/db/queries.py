"""Query pieces shared by the API and the consumers."""
from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import ARRAY, ColumnElement, any_, bindparam
from sqlalchemy.orm import Session

IN_LIST = 500  # values per IN (...) where the database takes no array (SQLite's limit on variables)


def among(session: Session, column, values: Collection) -> ColumnElement[bool]:
    """`column IN values`; on PostgreSQL `column = ANY(:array)`: one parameter, where an IN list of a
    thousand ids costs more to render and bind (SQLAlchemy and psycopg) than the query takes to run."""
    if session.get_bind().dialect.name == "postgresql":
        return _any(column, values)
    return column.in_(values)


def among_slices(column, values: list, postgres: bool) -> list[ColumnElement[bool]]:
    """`among` for a list of any length: one condition on PostgreSQL, one per `IN_LIST` values elsewhere."""
    if postgres:
        return [_any(column, values)]
    return [column.in_(values[start:start + IN_LIST]) for start in range(0, len(values), IN_LIST)]


def _any(column, values: Collection) -> ColumnElement[bool]:
    return column == any_(bindparam(None, sorted(values), type_=ARRAY(column.type)))
