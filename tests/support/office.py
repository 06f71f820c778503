"""Alerts for the poverty office's page tests, written straight to the database as the evaluation would."""
from __future__ import annotations

import itertools
from typing import Any

from app.db.models import Alert, Household, Region

SECOND_VILLAGE = "360702101202"  # Shuidong, in the same township as Xiaba
_months = itertools.count()


def add_second_village(runtime) -> str:
    """A second village of the county, Shuidong, with its household h-zhao; its code."""
    with runtime.sessions.begin() as session:
        session.add(Region(code=SECOND_VILLAGE, name="Shuidong", level="village", parent_code="360702101",
                           path=f"/36/3607/360702/360702101/{SECOND_VILLAGE}/"))
        session.flush()
        session.add(Household(id="h-zhao", region_code=SECOND_VILLAGE, size=2, status="poor"))
    return SECOND_VILLAGE


def add_alert(runtime, household: str = "h-wang", kind: str = "income_drop", month: str | None = None,
              status: str = "open", subject: tuple[str, str] | None = None, **fields: Any) -> str:
    """An alert on a household of the world's county (or its other county's h-chen), or on `subject` (a worker
    of the household, or a site: household None); its id."""
    region = {"h-wang": "360702101201", "h-li": "360702101201", "h-zhao": SECOND_VILLAGE,
              "h-chen": "360703101201"}[household]
    path = {"360702101201": "/36/3607/360702/360702101/360702101201/",
            SECOND_VILLAGE: f"/36/3607/360702/360702101/{SECOND_VILLAGE}/",
            "360703101201": "/36/3607/360703/360703101/360703101201/"}[region]
    month = month or f"2026-{next(_months) % 12 + 1:02d}"
    with runtime.sessions.begin() as session:
        subject_type, subject_id = subject or ("household", household)
        alert = Alert(kind=kind, subject_type=subject_type, subject_id=subject_id,
                      household_id=None if subject_type == "site" else household,
                      month=month, region_code=region, region_path=path, status=status,
                      detail=fields.pop("detail", {}), **fields)
        session.add(alert)
        session.flush()
        return alert.id
