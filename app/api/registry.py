"""What the registry's views share: a new record is refused when its id is taken (409), and a record is
read only inside the caller's scope (404 when there is none, the scope check's refusal otherwise)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask_smorest import abort
from sqlalchemy.orm import Session

from app.api.access import Principal

Record = TypeVar("Record")


def _noun(model: type) -> str:
    return model.__name__.lower()


def refuse_taken(session: Session, model: type, key: Any) -> None:
    """409 when a `model` with this key exists: a create never overwrites."""
    if session.get(model, key) is not None:
        abort(409, message=f"{_noun(model)} {key} exists")


def add_new(session: Session, model: type[Record], data: dict) -> Record:
    """Add a `model` made of `data` and flush it (so its generated id is known); 409 when its id is taken."""
    if "id" in data:
        refuse_taken(session, model, data["id"])
    record = model(**data)
    session.add(record)
    session.flush()
    return record


def get_in_scope(session: Session, principal: Principal, model: type[Record], key: Any,
                 require: Callable[[Principal, Session, Record], None]) -> Record:
    """The `model` with this key if `require` lets the caller see it; 404 when there is none."""
    record = session.get(model, key) or abort(404, message=f"no such {_noun(model)}")
    require(principal, session, record)
    return record
