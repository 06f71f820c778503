"""Query pieces shared by the API and the consumers."""
from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import ARRAY, ColumnElement, any_, bindparam
from sqlalchemy.orm import Session


def among(session: Session, column, values: Collection) -> ColumnElement[bool]:
    """`column IN values`; on PostgreSQL `column = ANY(:array)`: one parameter, where an IN list of a
    thousand ids costs more to render and bind (SQLAlchemy and psycopg) than the query takes to run."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, sorted(values), type_=ARRAY(column.type)))
    return column.in_(values)
