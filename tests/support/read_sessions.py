"""What a read-only session must do on either database: read what is committed, refuse every write."""
from __future__ import annotations

import pytest
from sqlalchemy import func, insert, select, update

from app.db import ReadOnlySession
from app.db.models import Region


def county(code: str = "360702") -> Region:
    return Region(code=code, name="Zhanggong", level="county", path=f"/{code}/")


def assert_reads_and_refuses_writes(runtime) -> None:
    with runtime.sessions.begin() as session:
        session.add(county())
    with runtime.readers() as session:
        assert session.get(Region, "360702").name == "Zhanggong"
        session.add(county("360703"))
        with pytest.raises(ReadOnlySession):
            session.flush()
        session.expunge_all()
        with pytest.raises(ReadOnlySession):
            session.execute(insert(Region).values(code="360704", name="x", level="county", path="/360704/"))
        with pytest.raises(ReadOnlySession):
            session.execute(update(Region).values(name="renamed"))
    with runtime.readers() as session:
        assert session.scalars(select(Region.name).order_by(Region.code)).all() == ["Zhanggong"]
        assert session.scalar(select(func.count()).select_from(Region)) == 1
