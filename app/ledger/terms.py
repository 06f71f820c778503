"""The terms of an assignment: whose work, at which site, on which dates, paid by which wage scheme."""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, Text, cast, select
from sqlalchemy.orm import Session

import payroll
from app.db.models import Assignment


@dataclass(frozen=True, slots=True)
class AssignmentTerms:
    """What work under an assignment is paid by: its worker, site, dates and wage scheme.

    Read from plain rows, not ORM objects: a batch reads every assignment of its workers, and an ORM
    object costs several times as much to build. The scheme is kept as its stored JSON text, which
    parses once per distinct text (a few for a whole country), not once per row."""

    id: str
    worker_id: str
    site_id: str
    start_date: date
    end_date: date | None
    scheme_json: str

    def covers(self, day: date) -> bool:
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)

    @property
    def wage_scheme(self) -> payroll.WageScheme:
        """payroll's validated scheme; raises payroll.InvalidScheme for a stored scheme it refuses."""
        return _scheme(self.scheme_json)

    @property
    def kind(self) -> str:
        return self.wage_scheme.kind


_a = Assignment.__table__
_TERMS = (_a.c.id, _a.c.worker_id, _a.c.site_id, _a.c.start_date, _a.c.end_date, cast(_a.c.scheme, Text))


def assignment_terms(session: Session, *criteria: ColumnElement[bool]) -> list[AssignmentTerms]:
    """The terms of the assignments that meet `criteria`."""
    return [AssignmentTerms(*row) for row in session.execute(select(*_TERMS).where(*criteria))]


_SCHEMES: dict[str, payroll.WageScheme] = {}
_SCHEMES_KEPT = 4096


def _scheme(text: str) -> payroll.WageScheme:
    """The wage scheme of a stored scheme's JSON text, remembered across batches: each batch loads its
    assignments afresh, and most share a few schemes. Keyed by the exact text, so schemes that differ only
    in a JSON type (1 and true, "1.5" and 1.5) never share a parse; schemes are frozen, so sharing is safe."""
    parsed = _SCHEMES.get(text)
    if parsed is None:
        parsed = payroll.scheme_from_dict(json.loads(text))  # raises before anything is remembered
        if len(_SCHEMES) >= _SCHEMES_KEPT:
            _SCHEMES.clear()
        _SCHEMES[text] = parsed
    return parsed
