"""The county a county-wide page shows: the caller's own, or one they pick from the counties they may see."""
from __future__ import annotations

from sqlalchemy import select

from app.api.access import Principal
from app.db.models import Region

COUNTY_CHOICES = 500  # a province's counties fit a list; the whole country's are typed as a code


def own_county(reader, principal: Principal) -> str:
    """The caller's region when it is a county or lies in one; above a county (or nationwide) they pick one."""
    if principal.region_path is None:
        return ""
    own = reader.get(Region, principal.region_path.strip("/").rsplit("/", 1)[-1])
    return "" if own.level in ("province", "city") else own.code


def county_choices(reader, principal: Principal) -> list[Region] | None:
    """The counties the caller may pick from, or None when there are too many to list."""
    query = select(Region).where(Region.level == "county").order_by(Region.code).limit(COUNTY_CHOICES + 1)
    if principal.region_path is not None:
        query = query.where(Region.path.startswith(principal.region_path))
    found = list(reader.scalars(query))
    return None if len(found) > COUNTY_CHOICES else found
