"""An alert as an evaluation raises it: the columns of its row, without the cost of an ORM object a row, which an
evaluation raising a hundred thousand alerts would feel."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class RaisedAlert:
    id: str
    kind: str
    subject_type: str
    subject_id: str
    household_id: str | None
    month: str
    region_code: str
    region_path: str
    status: str
    detail: dict[str, Any]
    created_at: datetime
    # the handling, none yet: an alert just raised reads as one read back
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    resolved_at: datetime | None = None
    resolved_by: str | None = None
    help_given: str | None = None
    note: str | None = None
