"""Set-based writes of plain rows (column name -> value): one multi-row statement per kind of change,
instead of an ORM object and a statement per row. On PostgreSQL new rows go in by COPY."""
from __future__ import annotations

import json
from collections.abc import Callable
from operator import itemgetter
from typing import Any

from sqlalchemy import ARRAY, JSON, Column, Table, Text, TypeDecorator, bindparam, cast, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

Row = dict[str, Any]


def insert_rows(session: Session, table: Table, rows: list[Row]) -> None:
    """Insert new rows (the columns of the first row, and the Python-side defaults of the others)."""
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        session.execute(insert(table), rows)
        return
    # COPY is far cheaper a row than a multi-row INSERT's parameters, and rows are most of what a batch writes.
    # Same transaction, same constraints (a duplicate key still fails the batch).
    given = list(rows[0])
    defaulted = [column for column in table.columns if column.name not in rows[0] and _python_default(column)]
    names = ", ".join(connection.dialect.identifier_preparer.quote(name)
                      for name in given + [column.name for column in defaulted])
    values = _row_values(table, given, defaulted)
    with connection.connection.dbapi_connection.cursor() as cursor:
        with cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(values(row))


def insert_new_rows(session: Session, table: Table, rows: list[Row], unique: list[str]) -> list[Row]:
    """Insert the rows whose `unique` columns no row holds yet, and return those, in their order; every row has
    the same columns, its primary key among them. On PostgreSQL one statement with the rows as arrays: a multi-row
    INSERT's parameters cost more to render and bind than the insert takes."""
    if not rows:
        return []
    [key] = [column.name for column in table.primary_key.columns]
    if session.get_bind().dialect.name == "postgresql":
        given = select(*(_column_of_rows(table.c[name], [row[name] for row in rows]) for name in rows[0]))
        statement = (postgresql.insert(table).from_select(list(rows[0]), given)
                     .on_conflict_do_nothing(index_elements=unique).returning(table.c[key]))
        inserted = set(session.scalars(statement))
    else:
        statement = sqlite.insert(table).on_conflict_do_nothing(index_elements=unique).returning(table.c[key])
        inserted = set(session.scalars(statement, rows))
    return [row for row in rows if row[key] in inserted]


def _column_of_rows(column: Column, values: list):
    """A column of the rows as one array parameter, unnested; JSON goes as text (psycopg has no json[] of dicts)."""
    if isinstance(column.type, JSON):
        texts = [None if value is None else json.dumps(value) for value in values]
        unnested = func.unnest(bindparam(f"rows_{column.name}", texts, type_=ARRAY(Text)))
        return cast(unnested, column.type).label(column.name)
    return func.unnest(bindparam(f"rows_{column.name}", values, type_=ARRAY(column.type))).label(column.name)


def update_rows(session: Session, table: Table, rows: list[Row]) -> None:
    """UPDATE each row by its primary key (which it holds); its other columns are set. Every row has the same
    columns. On PostgreSQL one statement for all of them, elsewhere one executemany."""
    if not rows:
        return
    # a column kept by its update default (a change stamp) is left to it, even if the rows read hold it
    rows = [{name: value for name, value in row.items() if table.c[name].onupdate is None} for row in rows]
    key = [column.name for column in table.primary_key.columns]
    if session.get_bind().dialect.name == "postgresql":
        # An executemany is a statement a row, each parsed and planned on its own (writes are not prepared,
        # app.db.base); one UPDATE joined to the rows as arrays is planned once.
        columns = list(rows[0])
        given = select(*(func.unnest(bindparam(f"rows_{name}", [row[name] for row in rows],
                                               type_=ARRAY(table.c[name].type))).label(name)
                         for name in columns)).subquery("given")
        session.execute(update(table).where(*(table.c[name] == given.c[name] for name in key))
                        .values({name: given.c[name] for name in columns if name not in key}))
        return
    # a bind name may not repeat a column's name in an UPDATE: the key's values go in as key_*
    statement = update(table).where(*(table.c[name] == bindparam(f"key_{name}") for name in key))
    session.execute(statement, [{**{name: value for name, value in row.items() if name not in key},
                                 **{f"key_{name}": row[name] for name in key}} for row in rows])


def _python_default(column: Column) -> bool:
    return column.default is not None and (column.default.is_callable or column.default.is_scalar)


def _row_values(table: Table, given: list[str], defaulted: list[Column]) -> Callable[[Row], list]:
    """What COPY writes for a row: its `given` values (JSON encoded), then the `defaulted` columns' defaults.
    Built once per statement, as it runs per row: a call per value cost more than COPY's own formatting."""
    for name in given:
        if isinstance(table.c[name].type, TypeDecorator):  # COPY would bypass its bind processing
            raise TypeError(f"{table.c[name]} has a TypeDecorator: insert_rows cannot COPY it")
    pick = itemgetter(*given) if len(given) > 1 else lambda row: (row[given[0]],)
    json_at = [i for i, name in enumerate(given) if isinstance(table.c[name].type, JSON)]
    defaults = [column.default.arg if column.default.is_callable else _constant(column.default.arg)
                for column in defaulted]

    def values(row: Row) -> list:
        out = list(pick(row))
        for i in json_at:
            if out[i] is not None:
                out[i] = json.dumps(out[i])
        out.extend(default(None) for default in defaults)  # per row: a default such as new_id differs
        return out

    return values


def _constant(value):
    return lambda _context: value  # the form of SQLAlchemy's callable defaults (column.default.arg)
