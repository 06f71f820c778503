"""The callers of the authorization matrix (tests/api/test_authorization_matrix.py), and the environment its
requests run in: fresh state in the `world` registry, made once per kind."""
from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from app.access.tokens import create_token, issue_token
from app.db.models import Alert, DeadLetter, Dispute, LabourProfile, PendingVoid, ReviewFlag, Vacancy
from app.jobs.match_rows import refill_match_rows

COUNTY, VILLAGE, TOWNSHIP = "360702", "360702101201", "360702101"
VILLAGE_PATH = "/36/3607/360702/360702101/360702101201/"
AFTER_FRESH_MONTHS = date(2040, 1, 1)  # the matrices' today: every fresh month (Env.month) is before it
OTHER_COUNTY = "360703"
SITE, WORKER, HOUSEHOLD = "ws-sewing", "w-wang", "h-wang"


@dataclass(frozen=True)
class Caller:
    name: str
    role: str | None = None  # None: no valid token
    region: str | None = None
    sites: tuple[str, ...] = ()
    in_scope: bool = True


CALLERS = (
    Caller("no token"),
    Caller("made-up token"),
    Caller("revoked token"),
    Caller("expired token"),
    # Out of scope first: a list or an evaluation they run must not see what the others create.
    Caller("admin elsewhere", "admin", OTHER_COUNTY, in_scope=False),
    Caller("post_manager elsewhere", "post_manager", OTHER_COUNTY, in_scope=False),
    Caller("poverty_office elsewhere", "poverty_office", OTHER_COUNTY, in_scope=False),
    Caller("supervisor elsewhere", "supervisor", OTHER_COUNTY, ("ws-far",), in_scope=False),
    Caller("supervisor of another site", "supervisor", COUNTY, ("ws-glove",), in_scope=False),
    Caller("admin", "admin", COUNTY),
    Caller("post_manager", "post_manager", COUNTY),
    Caller("poverty_office", "poverty_office", COUNTY),
    Caller("supervisor", "supervisor", COUNTY, (SITE,)),
    Caller("nationwide admin", "admin", None),
)


@dataclass(frozen=True)
class Req:
    path: str
    json: Any = None
    data: bytes | None = None
    content_type: str | None = None


class Env:
    """What a row's request needs: the nationwide admin's client to prepare state (and a second admin's, to
    approve what the first closed), and fresh names."""

    def __init__(self, api, runtime, build, consume):
        self.api, self.runtime, self.build, self.consume = api, runtime, build, consume
        with runtime.sessions.begin() as session:
            self.checker = api.as_token(issue_token(session, name="matrix checker", role="admin"))
        self.fresh = False  # set per case: True when the case should succeed (and may use its state up)
        self._count = 0
        self._kept: dict[str, Any] = {}

    def n(self) -> int:
        self._count += 1
        return self._count

    def kept(self, key: str, make: Callable[[], Any]) -> Any:
        if key not in self._kept:
            self._kept[key] = make()
        return self._kept[key]

    def state(self, key: str, make: Callable[[], Any]) -> Any:
        """Fresh for a case that should succeed; otherwise one kept for the whole row."""
        return make() if self.fresh else self.kept(key, make)

    def month(self) -> str:
        """A month no other request of the run has touched: one after another from January 2027 (work in them
        is taken by matrices whose today is AFTER_FRESH_MONTHS)."""
        n = self.n()
        return f"{2027 + n // 12}-{n % 12 + 1:02d}"

    def closed_month(self) -> str:
        return self.state("closed", lambda: self._moved(self.month(), "close"))

    def approved_month(self) -> str:
        """A month of the sewing workshop with Li's wages in it, approved."""
        def make():
            month = self.month()
            event = self.build.attendance("w-li", SITE, f"{month}-05", check_in="08:00", check_out="17:00")
            assert self.api.post("/events", {"events": [event]}).status_code == 202
            self.consume()
            return self._moved(self._moved(month, "close"), "approve")
        return self.state("approved", make)

    def _moved(self, month: str, action: str) -> str:
        client = self.checker if action == "approve" else self.api
        response = client.post(f"/sites/{SITE}/periods/{month}/{action}", {})
        assert response.status_code == 200, response.get_json()
        return month

    def batch(self) -> dict:
        def make():
            response = self.api.post(f"/sites/{SITE}/periods/{self.approved_month()}/pay")
            assert response.status_code == 201, response.get_json()
            return response.get_json()
        return self.kept("batch", make)

    def alert(self, status: str = "open") -> str:
        """An alert on Wang's household, in the county's village."""
        def make():
            with self.runtime.sessions.begin() as session:
                alert = Alert(kind="income_drop", subject_type="household", subject_id=HOUSEHOLD,
                              household_id=HOUSEHOLD, month=self.month(), region_code=VILLAGE,
                              region_path=VILLAGE_PATH, status=status, detail={})
                session.add(alert)
                session.flush()
                return alert.id
        return self.state(f"alert {status}", make)

    def flag(self) -> str:
        """An open review flag on Wang at the sewing workshop."""
        def make():
            with self.runtime.sessions.begin() as session:
                flag = ReviewFlag(kind="never_absent", subject_type="worker", subject_id=WORKER, site_id=SITE,
                                  month=self.month(), region_path=VILLAGE_PATH, reason_code="never_absent",
                                  reason_params={}, reason="never absent", status="open")
                session.add(flag)
                session.flush()
                return flag.id
        return self.state("flag", make)

    def dispute(self) -> str:
        """An open dispute of Wang's at the sewing workshop (of kind `other`: its acceptance sends no work)."""
        def make():
            with self.runtime.sessions.begin() as session:
                dispute = Dispute(worker_id=WORKER, site_id=SITE, month="2026-04", work_date=date(2026, 4, 1),
                                  region_path=VILLAGE_PATH, kind="other", status="open",
                                  raised_at=datetime.now(UTC), corrections=[], last_event_id=f"raised-{self.n()}")
                session.add(dispute)
                session.flush()
                return dispute.id
        return self.state("dispute", make)

    def matched_vacancy(self) -> str:
        """An open vacancy at the sewing workshop that Wang, whose labour profile it makes, may take."""
        def make():
            with self.runtime.sessions.begin() as session:
                session.add(LabourProfile(worker_id=WORKER, skills=["sewing"], travel_range="county",
                                          max_physical_demand="medium"))
                session.add(Vacancy(id="v-sewing", site_id=SITE, region_code=VILLAGE, office_region_code=COUNTY,
                                    title="Sewing machinist", count=2, skills=["sewing"], physical_demand="light",
                                    scheme={"kind": "daily", "day_rate_fen": 12000}, start_date=date(2026, 3, 1),
                                    posted_event_id=str(uuid.uuid4()), posted_at=datetime(2026, 2, 20, tzinfo=UTC)))
                session.flush()
                refill_match_rows(session)  # as the app's writers keep them
            return "v-sewing"
        return self.kept("matched vacancy", make)

    def webhook(self) -> str:
        return self.kept("webhook", lambda: self.api.created(
            "/webhooks", {"url": "http://example.org/hook", "region_code": COUNTY})["id"])

    def county_token(self) -> str:
        """A token of the county (not one of the callers'), to list or revoke."""
        def make():
            with self.runtime.sessions.begin() as session:
                record, _ = create_token(session, name="sewing tablet", role="supervisor", region_code=COUNTY,
                                         site_ids=[SITE])
                return record.id
        return self.state("token", make)

    def dead_letter(self) -> int:
        def make():
            with self.runtime.sessions.begin() as session:
                letter = DeadLetter(fingerprint=uuid.uuid4().hex, topic=self.runtime.settings.topic_work_events,
                                    reason="unknown worker", key="w-nobody", payload='{"id": "x"}',
                                    value=b'{"id": "x"}', raw_key=b"w-nobody")
                session.add(letter)
                session.flush()
                return letter.id
        return self.state("dead letter", make)

    def pending_void(self) -> str:
        def make():
            void_id = str(uuid.uuid4())
            with self.runtime.sessions.begin() as session:  # its output never came
                session.add(PendingVoid(event_id=void_id, output_id=str(uuid.uuid4()), worker_id=WORKER, site_id=SITE))
            return void_id
        return self.state("pending void", make)

    def vacancy(self) -> str:
        """An open vacancy at the sewing workshop, posted by its office, in a year of its own (so that each
        hire's assignment of Wang there is alone in its days)."""
        def make():
            year = 2040 + self.n()
            response = self.api.post("/vacancies", {
                "site_id": SITE, "title": "Cutter", "count": 5, "physical_demand": "light", "full_time": False,
                "scheme": {"kind": "daily", "day_rate_fen": 9000}, "start_date": f"{year}-01-01",
                "end_date": f"{year}-12-31"})
            assert response.status_code == 202, response.get_json()
            self.consume()
            return response.get_json()["vacancy_id"]
        return self.state("vacancy", make)

    def referral(self) -> str:
        """Wang referred to a vacancy, waiting for its decision."""
        def make():
            response = self.api.post("/referrals", {"vacancy_id": self.vacancy(), "worker_id": WORKER})
            assert response.status_code == 202, response.get_json()
            self.consume()
            return response.get_json()["referral_id"]
        return self.state("referral", make)

    def employer(self) -> str:
        return self.kept("employer", lambda: self.api.created("/employers", {
            "kind": "cooperative", "name": "Tea cooperative", "region_code": VILLAGE,
            "office_region_code": COUNTY})["id"])
