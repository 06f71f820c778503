"""What a read-only session, and a read connection, must do on either database: read what is committed,
refuse every write."""
from __future__ import annotations

import pytest
from sqlalchemy import delete, func, insert, select, text, update

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
    with runtime.read_engine.connect() as connection:
        regions = Region.__table__
        assert connection.execute(select(regions.c.name)).scalars().all() == ["Zhanggong"]
        for write in (insert(regions).values(code="360705", name="x", level="county", path="/360705/"),
                      update(regions).values(name="renamed"), delete(regions), text("DELETE FROM regions")):
            with pytest.raises(ReadOnlySession):
                connection.execute(write)
    with runtime.sessions.begin() as session:  # the engine's own connections still write
        assert session.scalars(select(Region.name)).all() == ["Zhanggong"]
        session.execute(update(Region).values(name="Zhanggong District"))
    with runtime.read_engine.connect() as connection:
        assert connection.scalar(select(Region.__table__.c.name)) == "Zhanggong District"
