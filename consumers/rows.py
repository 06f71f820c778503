"""Set-based writes of plain rows (column name -> value): one multi-row statement per kind of change,
instead of an ORM object and a statement per row."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Table, bindparam, insert, update
from sqlalchemy.orm import Session

Row = dict[str, Any]


def insert_rows(session: Session, table: Table, rows: list[Row]) -> None:
    if rows:
        session.execute(insert(table), rows)


def update_rows(session: Session, table: Table, rows: list[Row]) -> None:
    """UPDATE each row by its primary key (which it holds), one executemany; its other columns are set."""
    if not rows:
        return
    key = [column.name for column in table.primary_key.columns]
    # a bind name may not repeat a column's name in an UPDATE: the key's values go in as key_*
    statement = update(table).where(*(table.c[name] == bindparam(f"key_{name}") for name in key))
    session.execute(statement, [{**{name: value for name, value in row.items() if name not in key},
                                 **{f"key_{name}": row[name] for name in key}} for row in rows])
