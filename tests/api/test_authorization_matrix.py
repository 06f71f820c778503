"""Every route of the URL map, every kind of caller: who gets in, and how everyone else is refused.

The matrix has one row per route and method; a route the URL map serves without a row fails the build.
Each row makes a real request (ids from the `world` registry, a valid body, fresh state where a success
changes it) and says what each caller gets. The targets all lie in Zhanggong county (360702), at the
sewing workshop, its worker Wang and his household. Callers:

- without a valid token: none, a made-up one, a revoked one, an expired one: always 401 (public routes aside);
- in scope: an admin, a post manager and a poverty office of Zhanggong, a supervisor of the sewing workshop;
  and a nationwide admin: the status of the row's `allowed` roles, 403 for the other roles;
- out of scope: the same four roles in Nankang (360703, the supervisor of its workshop), and a Zhanggong
  supervisor of the glove workshop: the row's `outside` status (403, or 404 for alerts) for the allowed
  roles, 403 for the others. `exact` overrides a cell where the general rule does not hold.

The roles allowed per row must be those of app.api.access.POLICY, which the views enforce.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from support.authorization import (
    AFTER_FRESH_MONTHS,
    CALLERS,
    COUNTY,
    HOUSEHOLD,
    SITE,
    TOWNSHIP,
    VILLAGE,
    WORKER,
    Caller,
    Env,
    Req,
)
from support.registry_sheets import person, sheet

from app.access.tokens import create_token, revoke_token
from app.api.access import POLICY
from app.web import PAGE_BLUEPRINTS


@pytest.fixture
def settings(settings):
    return dataclasses.replace(settings, fixed_today=AFTER_FRESH_MONTHS)

DAY = "2026-04-01"  # Wang works at the sewing workshop from 2026-03-10 to 2026-06-30
MONTH = "2026-04"
LI_NATIONAL_ID = "360702198912291234"  # Li, of the same village


def _assignment(env: Env) -> Req:
    year = 2030 + env.n()  # one year each: assignments of a worker at a site must not overlap
    return Req("/api/v1/assignments", {"worker_id": WORKER, "site_id": SITE, "start_date": f"{year}-01-01",
                                       "end_date": f"{year}-12-31", "scheme": {"kind": "daily", "day_rate_fen": 9000}})


def _wang_at_sewing(env: Env) -> str:
    def find() -> str:
        assignments = env.api.get(f"/workers/{WORKER}/assignments").get_json()
        return next(a["id"] for a in assignments if a["site_id"] == SITE)
    return env.kept("wang at sewing", find)  # the changes are staged, never consumed here: it stays as it is


EVERYONE = ("admin", "post_manager", "poverty_office", "supervisor")


def ok(status: int, *roles: str) -> dict[str, int]:
    return dict.fromkeys(roles, status)


@dataclass(frozen=True)
class Route:
    method: str
    rule: str
    request: Callable[[Env], Req]
    allowed: dict[str, int] = field(default_factory=dict)  # role -> status in scope; empty with `public`
    outside: int = 403
    public: int | None = None  # the status everyone gets, token or not
    exact: dict[str, int] = field(default_factory=dict)  # caller name -> status, where the rule above does not hold
    listed: Callable[[Env], str] | None = None  # in an answer in scope; never in one out of scope

    def expected(self, caller: Caller) -> int:
        if caller.name in self.exact:
            return self.exact[caller.name]
        if self.public is not None:
            return self.public
        if caller.role is None:
            return 401
        if caller.role not in self.allowed:
            return 403
        return self.allowed[caller.role] if caller.in_scope else self.outside


def at(path: str) -> Callable[[Env], Req]:
    return lambda env: Req(path)


V1 = "/api/v1"
PERIOD = f"{V1}/sites/{SITE}/periods"
NATIONWIDE_ONLY = {"admin": 403}  # the county admin, in scope for everything else
ONLY_SITE_BLIND = {"supervisor of another site": 200}  # a region route: this supervisor's region covers it

MATRIX = (
    # --- public ---------------------------------------------------------------------------------------
    Route("GET", "/healthz", at("/healthz"), public=200),
    Route("GET", "/readyz", at("/readyz"), public=200),
    Route("GET", "/metrics", at("/metrics"), public=200),
    Route("GET", f"{V1}/openapi.json", at(f"{V1}/openapi.json"), public=200),
    Route("GET", f"{V1}/docs", at(f"{V1}/docs"), public=200),
    Route("GET", f"{V1}/docs/assets/<path:filename>", at(f"{V1}/docs/assets/swagger-ui.css"), public=200),
    Route("GET", "/static/<path:filename>", at("/static/app.js"), public=404),  # Flask's; nothing is there
    # --- registry -------------------------------------------------------------------------------------
    Route("POST", f"{V1}/regions", lambda env: Req(f"{V1}/regions", {
        "code": f"{TOWNSHIP}{300 + env.n()}", "name": "New village", "level": "village", "parent_code": TOWNSHIP}),
        ok(201, "admin")),
    Route("GET", f"{V1}/regions/<code>", at(f"{V1}/regions/{VILLAGE}"), ok(200, *EVERYONE), exact=ONLY_SITE_BLIND),
    Route("POST", f"{V1}/households", lambda env: Req(f"{V1}/households", {
        "region_code": VILLAGE, "size": 2, "status": "poor"}), ok(201, "admin", "poverty_office")),
    Route("GET", f"{V1}/households/<household_id>", at(f"{V1}/households/{HOUSEHOLD}"),
          ok(200, "admin", "poverty_office", "post_manager")),
    Route("GET", f"{V1}/households/<household_id>/income", at(f"{V1}/households/{HOUSEHOLD}/income"),
          ok(200, "admin", "poverty_office", "post_manager")),
    Route("PATCH", f"{V1}/households/<household_id>", lambda env: Req(f"{V1}/households/{HOUSEHOLD}", {
        "status": "monitored"}), ok(200, "admin", "poverty_office")),
    Route("POST", f"{V1}/workers", lambda env: Req(f"{V1}/workers", {"household_id": HOUSEHOLD, "name": "Wang Min"}),
          ok(201, "admin", "poverty_office")),
    Route("GET", f"{V1}/workers", at(f"{V1}/workers?national_id={LI_NATIONAL_ID}"), ok(200, "admin", "poverty_office"),
          outside=200, listed=lambda env: "w-li"),
    Route("GET", f"{V1}/workers/<worker_id>", at(f"{V1}/workers/{WORKER}"), ok(200, *EVERYONE)),
    Route("PATCH", f"{V1}/workers/<worker_id>", lambda env: Req(f"{V1}/workers/{WORKER}", {"phone": "13907970000"}),
          ok(200, "admin", "poverty_office")),
    Route("GET", f"{V1}/workers/<worker_id>/assignments", at(f"{V1}/workers/{WORKER}/assignments"),
          ok(200, *EVERYONE)),
    Route("GET", f"{V1}/workers/<worker_id>/balance", at(f"{V1}/workers/{WORKER}/balance"), ok(200, *EVERYONE)),
    Route("GET", f"{V1}/workers/<worker_id>/wages", at(f"{V1}/workers/{WORKER}/wages"), ok(200, *EVERYONE)),
    Route("POST", f"{V1}/sites", lambda env: Req(f"{V1}/sites", {
        "kind": "workshop", "name": "Bamboo workshop", "region_code": VILLAGE}), ok(201, "admin")),
    Route("GET", f"{V1}/sites/<site_id>", at(f"{V1}/sites/{SITE}"), ok(200, *EVERYONE)),
    Route("POST", f"{V1}/assignments", _assignment, ok(201, "admin", "post_manager")),
    Route("GET", f"{V1}/assignments/<assignment_id>", lambda env: Req(f"{V1}/assignments/{_wang_at_sewing(env)}"),
          ok(200, *EVERYONE)),
    Route("POST", f"{V1}/assignments/<assignment_id>/end", lambda env: Req(
        f"{V1}/assignments/{_wang_at_sewing(env)}/end", {"end_date": "2026-06-29"}), ok(202, "admin", "post_manager")),
    Route("POST", f"{V1}/assignments/<assignment_id>/scheme", lambda env: Req(
        f"{V1}/assignments/{_wang_at_sewing(env)}/scheme", {"from_date": "2026-04-01", "scheme": {
            "kind": "daily", "day_rate_fen": 13000}}), ok(202, "admin", "post_manager")),
    Route("POST", f"{V1}/assignments/<assignment_id>/transfer", lambda env: Req(
        f"{V1}/assignments/{_wang_at_sewing(env)}/transfer", {"from_date": "2026-04-01", "site_id": "ws-glove"}),
          ok(202, "admin", "post_manager")),
    # --- work -----------------------------------------------------------------------------------------
    Route("POST", f"{V1}/events", lambda env: Req(f"{V1}/events", {
        "events": [env.build.attendance(WORKER, SITE, DAY)]}), ok(202, "admin", "supervisor")),
    Route("POST", f"{V1}/imports/attendance", lambda env: Req(
        f"{V1}/imports/attendance", data=f"worker_id,site_id,date,status\n{WORKER},{SITE},{DAY},present\n".encode(),
        content_type="text/csv"), ok(202, "admin", "supervisor")),
    # the same sheet again changes nothing, so every caller in scope may send it
    Route("POST", f"{V1}/imports/registry", lambda env: Req(
        f"{V1}/imports/registry", data=sheet([person(900, "0900", VILLAGE)]), content_type="text/csv"),
          ok(201, "admin", "poverty_office")),
    Route("GET", f"{V1}/voids", at(f"{V1}/voids?status=pending"), ok(200, "admin", "supervisor"), outside=200,
          listed=lambda env: env.pending_void()),
    # --- pay periods, payroll sheets and payments ------------------------------------------------------
    Route("GET", f"{V1}/sites/<site_id>/periods", at(PERIOD), ok(200, *EVERYONE)),
    Route("GET", f"{V1}/sites/<site_id>/periods/<month>", at(f"{PERIOD}/{MONTH}"), ok(200, *EVERYONE)),
    Route("POST", f"{V1}/sites/<site_id>/periods/<month>/close", lambda env: Req(
        f"{PERIOD}/{env.month()}/close", {}), ok(200, "admin", "post_manager", "supervisor")),
    Route("POST", f"{V1}/sites/<site_id>/periods/<month>/approve", lambda env: Req(
        f"{PERIOD}/{env.closed_month()}/approve", {}), ok(200, "admin", "post_manager")),
    Route("POST", f"{V1}/sites/<site_id>/periods/<month>/return", lambda env: Req(
        f"{PERIOD}/{env.closed_month()}/return", {"reason": "Wang's days are disputed"}),
        ok(200, "admin", "post_manager")),
    Route("POST", f"{V1}/sites/<site_id>/periods/<month>/pay", lambda env: Req(
        f"{PERIOD}/{env.approved_month()}/pay"), ok(201, "admin", "post_manager")),
    Route("POST", f"{V1}/periods/<month>/close", lambda env: Req(
        f"{V1}/periods/{env.month()}/close", {"site_ids": [SITE]}), ok(200, "admin", "post_manager", "supervisor")),
    Route("POST", f"{V1}/periods/<month>/approve", lambda env: Req(
        f"{V1}/periods/{env.closed_month()}/approve", {"site_ids": [SITE]}), ok(200, "admin", "post_manager")),
    Route("GET", f"{V1}/sites/<site_id>/periods/<month>/payroll.csv", at(f"{PERIOD}/{MONTH}/payroll.csv"),
          ok(200, "admin", "post_manager", "supervisor")),
    Route("GET", f"{V1}/sites/<site_id>/periods/<month>/payroll.xlsx", at(f"{PERIOD}/{MONTH}/payroll.xlsx"),
          ok(200, "admin", "post_manager", "supervisor")),
    Route("GET", f"{V1}/payment-batches/<row_id:batch_id>", lambda env: Req(
        f"{V1}/payment-batches/{env.batch()['id']}"), ok(200, "admin", "post_manager")),
    Route("GET", f"{V1}/payment-batches/<row_id:batch_id>/bank.csv", lambda env: Req(
        f"{V1}/payment-batches/{env.batch()['id']}/bank.csv"), ok(200, "admin", "post_manager")),
    Route("POST", f"{V1}/payment-batches/<row_id:batch_id>/results", lambda env: Req(
        f"{V1}/payment-batches/{env.batch()['id']}/results",
        {"lines": [{"line_id": env.batch()["lines"][0]["id"], "status": "confirmed"}]}),  # the same answer again: 200
        ok(200, "admin", "post_manager")),
    # --- review flags ---------------------------------------------------------------------------------------
    Route("POST", f"{V1}/sites/<site_id>/periods/<month>/review", at(f"{PERIOD}/{MONTH}/review"),
          ok(200, "admin", "post_manager")),
    Route("GET", f"{V1}/review-flags", at(f"{V1}/review-flags"), ok(200, "admin", "post_manager"), outside=200,
          listed=lambda env: env.flag()),
    Route("POST", f"{V1}/review-flags/<hex_id:flag_id>/dismiss", lambda env: Req(
        f"{V1}/review-flags/{env.flag()}/dismiss", {"reason": "Wang was checked at the gate"}),
        ok(200, "admin", "post_manager")),
    Route("POST", f"{V1}/review-flags/<hex_id:flag_id>/confirm", lambda env: Req(
        f"{V1}/review-flags/{env.flag()}/confirm", {}), ok(200, "admin", "post_manager")),
    # --- alerts, webhooks, statistics ------------------------------------------------------------------
    Route("POST", f"{V1}/alerts/evaluate", lambda env: Req(f"{V1}/alerts/evaluate", {
        "month": MONTH, "as_of": "2026-05-10"}), ok(200, "admin", "poverty_office"), outside=200),
    Route("GET", f"{V1}/alerts", at(f"{V1}/alerts"), ok(200, "admin", "poverty_office"), outside=200,
          listed=lambda env: env.alert()),
    Route("GET", f"{V1}/alerts/<hex_id:alert_id>", lambda env: Req(f"{V1}/alerts/{env.alert()}"),
          ok(200, "admin", "poverty_office"), outside=404),
    Route("POST", f"{V1}/alerts/<hex_id:alert_id>/acknowledge", lambda env: Req(
        f"{V1}/alerts/{env.alert()}/acknowledge", {"note": "visiting on Monday"}),
        ok(200, "admin", "poverty_office"), outside=404),
    Route("POST", f"{V1}/alerts/<hex_id:alert_id>/resolve", lambda env: Req(
        f"{V1}/alerts/{env.alert('acknowledged')}/resolve", {"help_given": "a post at the village clinic"}),
        ok(200, "admin", "poverty_office"), outside=404),
    Route("POST", f"{V1}/webhooks", lambda env: Req(f"{V1}/webhooks", {
        "url": "http://example.org/alerts", "region_code": COUNTY}), ok(201, "admin", "poverty_office")),
    Route("GET", f"{V1}/webhooks", at(f"{V1}/webhooks"), ok(200, "admin", "poverty_office"), outside=200,
          listed=lambda env: env.webhook()),
    Route("GET", f"{V1}/webhooks/<webhook_id>", lambda env: Req(f"{V1}/webhooks/{env.webhook()}"),
          ok(200, "admin", "poverty_office")),
    Route("GET", f"{V1}/webhooks/<webhook_id>/deliveries", lambda env: Req(
        f"{V1}/webhooks/{env.webhook()}/deliveries"), ok(200, "admin", "poverty_office")),
    Route("GET", f"{V1}/stats/employment", at(f"{V1}/stats/employment?region={COUNTY}&date={DAY}"),
          ok(200, "admin", "poverty_office", "post_manager")),
    Route("GET", f"{V1}/stats/disputes", at(f"{V1}/stats/disputes?region={COUNTY}"),
          ok(200, "admin", "poverty_office", "post_manager")),
    Route("GET", f"{V1}/stats/return-to-work", at(f"{V1}/stats/return-to-work?region={COUNTY}&date={DAY}"),
          ok(200, "admin", "poverty_office", "post_manager")),
    Route("GET", f"{V1}/stats/return-to-work/weeks",
          at(f"{V1}/stats/return-to-work/weeks?region={COUNTY}&from={DAY}&to={DAY}"),
          ok(200, "admin", "poverty_office", "post_manager")),
    Route("GET", f"{V1}/stats/return-to-work/weeks.xlsx",
          at(f"{V1}/stats/return-to-work/weeks.xlsx?region={COUNTY}&from={DAY}&to={DAY}"),
          ok(200, "admin", "poverty_office", "post_manager")),
    Route("GET", f"{V1}/audit", at(f"{V1}/audit"), ok(200, "admin", "poverty_office"), outside=200,
          listed=lambda env: env.api.created("/households", {"id": "h-audited", "region_code": VILLAGE, "size": 1,
                                                             "status": "poor"})["id"]),
    # --- jobs: labourers, the baseline, employers, vacancies, referrals ---------------------------------
    Route("GET", f"{V1}/labourers/<worker_id>/profile", at(f"{V1}/labourers/{WORKER}/profile"),
          ok(200, "admin", "poverty_office")),
    Route("PUT", f"{V1}/labourers/<worker_id>/profile", lambda env: Req(
        f"{V1}/labourers/{WORKER}/profile", {"skills": ["sewing"], "travel_range": "county"}),
        ok(200, "admin", "poverty_office")),
    Route("GET", f"{V1}/labourers/<worker_id>/status", at(f"{V1}/labourers/{WORKER}/status"),
          ok(200, "admin", "poverty_office")),
    Route("POST", f"{V1}/labourers/<worker_id>/status", lambda env: Req(
        f"{V1}/labourers/{WORKER}/status", {"status": "idle", "date": DAY}), ok(202, "admin", "poverty_office")),
    Route("GET", f"{V1}/labour-baselines", at(f"{V1}/labour-baselines?region={COUNTY}"),
          ok(200, "admin", "poverty_office")),
    Route("POST", f"{V1}/labour-baselines", lambda env: Req(f"{V1}/labour-baselines", {
        "region_code": COUNTY, "year": 2025, "migrant_workers": 1200}), ok(200, "admin", "poverty_office")),
    Route("POST", f"{V1}/labour-baselines/import", lambda env: Req(
        f"{V1}/labour-baselines/import", data=f"region_code,year,migrant_workforce\n{COUNTY},2025,1200\n".encode(),
        content_type="text/csv"), ok(200, "admin", "poverty_office")),
    Route("POST", f"{V1}/employers", lambda env: Req(f"{V1}/employers", {
        "kind": "family_farm", "name": "Navel orange farm", "region_code": VILLAGE, "office_region_code": COUNTY}),
        ok(201, "admin", "poverty_office", "post_manager")),
    Route("GET", f"{V1}/employers", at(f"{V1}/employers"), ok(200, "admin", "poverty_office", "post_manager"),
          outside=200, listed=lambda env: env.employer()),
    Route("GET", f"{V1}/employers/<employer_id>", lambda env: Req(f"{V1}/employers/{env.employer()}"),
          ok(200, "admin", "poverty_office", "post_manager")),
    Route("POST", f"{V1}/vacancies", lambda env: Req(f"{V1}/vacancies", {
        "site_id": SITE, "title": "Cutter", "count": 1, "physical_demand": "light", "start_date": "2030-01-01",
        "scheme": {"kind": "daily", "day_rate_fen": 9000}}), ok(202, *EVERYONE)),
    # a vacancy holds no personal data: anyone signed in reads it
    Route("GET", f"{V1}/vacancies", at(f"{V1}/vacancies"), ok(200, *EVERYONE), outside=200),
    Route("GET", f"{V1}/vacancies/<vacancy_id>", lambda env: Req(f"{V1}/vacancies/{env.vacancy()}"),
          ok(200, *EVERYONE), outside=200),
    Route("POST", f"{V1}/vacancies/<vacancy_id>/fill", lambda env: Req(f"{V1}/vacancies/{env.vacancy()}/fill", {}),
          ok(202, *EVERYONE)),
    Route("POST", f"{V1}/vacancies/<vacancy_id>/close", lambda env: Req(
        f"{V1}/vacancies/{env.vacancy()}/close", {"reason": "postponed"}), ok(202, *EVERYONE)),
    Route("POST", f"{V1}/referrals", lambda env: Req(f"{V1}/referrals", {
        "vacancy_id": env.vacancy(), "worker_id": WORKER}), ok(202, *EVERYONE)),
    Route("GET", f"{V1}/referrals", lambda env: Req(f"{V1}/referrals?vacancy_id={env.vacancy()}"),
          ok(200, *EVERYONE)),
    Route("GET", f"{V1}/referrals/<referral_id>", lambda env: Req(f"{V1}/referrals/{env.referral()}"),
          ok(200, *EVERYONE)),
    # --- disputes: read by who keeps the site, answered by its supervisor (or an admin) ----------------------------
    Route("GET", f"{V1}/disputes", at(f"{V1}/disputes"), ok(200, "admin", "post_manager", "supervisor"), outside=200,
          listed=lambda env: env.dispute()),
    Route("GET", f"{V1}/disputes/<dispute_id>", lambda env: Req(f"{V1}/disputes/{env.dispute()}"),
          ok(200, "admin", "post_manager", "supervisor")),
    Route("POST", f"{V1}/disputes/<dispute_id>/accept", lambda env: Req(f"{V1}/disputes/{env.dispute()}/accept", {}),
          ok(202, "admin", "supervisor")),
    Route("POST", f"{V1}/disputes/<dispute_id>/reject", lambda env: Req(
        f"{V1}/disputes/{env.dispute()}/reject", {"reason": "not that day"}), ok(202, "admin", "supervisor")),
    Route("POST", f"{V1}/referrals/<referral_id>/accept", lambda env: Req(
        f"{V1}/referrals/{env.referral()}/accept", {}), ok(202, *EVERYONE)),
    Route("POST", f"{V1}/referrals/<referral_id>/decline", lambda env: Req(
        f"{V1}/referrals/{env.referral()}/decline", {"reason": "no night shifts"}), ok(202, *EVERYONE)),
    Route("POST", f"{V1}/referrals/<referral_id>/hire", lambda env: Req(
        f"{V1}/referrals/{env.referral()}/hire", {}), ok(202, *EVERYONE)),
    # --- matching -------------------------------------------------------------------------------------
    Route("GET", f"{V1}/vacancies/<vacancy_id>/matches", lambda env: Req(
        f"{V1}/vacancies/{env.matched_vacancy()}/matches?as_of={DAY}"),
        ok(200, "admin", "poverty_office", "post_manager"), outside=200,
        listed=lambda env: env.matched_vacancy() and WORKER),
    Route("GET", f"{V1}/labourers/<worker_id>/matches", lambda env: Req(
        f"{V1}/labourers/{WORKER}/matches?as_of={env.matched_vacancy() and DAY}"),
        ok(200, "admin", "poverty_office", "post_manager")),
    # --- tokens, audit log and dead letters -----------------------------------------------------------
    Route("POST", f"{V1}/tokens", lambda env: Req(f"{V1}/tokens", {
        "name": "sewing tablet", "role": "supervisor", "region_code": COUNTY, "site_ids": [SITE],
        "expires_in_days": 30}), ok(201, "admin")),
    Route("GET", f"{V1}/tokens", at(f"{V1}/tokens"), ok(200, "admin"), outside=200,
          listed=lambda env: env.county_token()),
    Route("POST", f"{V1}/tokens/<token_id>/revoke", lambda env: Req(f"{V1}/tokens/{env.county_token()}/revoke"),
          ok(200, "admin")),
    Route("GET", f"{V1}/dead-letters", at(f"{V1}/dead-letters"), ok(200, "admin"), exact=NATIONWIDE_ONLY),
    Route("POST", f"{V1}/dead-letters/<row_id:letter_id>/replay", lambda env: Req(
        f"{V1}/dead-letters/{env.dead_letter()}/replay"), ok(202, "admin"), exact=NATIONWIDE_ONLY),
)


def _served(app) -> set[tuple[str, str]]:
    """The API's routes; the pages' have a matrix of their own (tests/web/test_page_access.py)."""
    return {(method, rule.rule) for rule in app.url_map.iter_rules()
            if rule.endpoint.partition(".")[0] not in PAGE_BLUEPRINTS
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"})}


def _endpoint(app, method: str, rule: str) -> str:
    [endpoint] = [r.endpoint for r in app.url_map.iter_rules() if r.rule == rule and method in r.methods]
    return endpoint


def test_the_matrix_covers_every_route_and_method_of_the_url_map(app):
    covered = [(route.method, route.rule) for route in MATRIX]

    assert len(covered) == len(set(covered)), "a route has two rows"
    assert sorted(_served(app) - set(covered)) == [], "routes without a row in the authorization matrix"
    assert sorted(set(covered) - _served(app)) == [], "rows for routes the app no longer serves"


def test_every_endpoint_has_a_row_in_the_policy_table(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}

    assert sorted(endpoints - set(POLICY)) == [], "endpoints without a rule in app.api.access.POLICY"
    assert sorted(set(POLICY) - endpoints) == [], "rules for endpoints the app no longer has"


def test_the_matrix_allows_the_roles_the_policy_table_allows(app):
    disagree = [f"{route.method} {route.rule}: {sorted(route.allowed)} in the matrix, {sorted(roles)} in POLICY"
                for route in MATRIX
                if set(route.allowed) != set(roles := POLICY[_endpoint(app, route.method, route.rule)].roles)]

    assert disagree == []


def _headers(runtime) -> dict[str, dict[str, str]]:
    tokens = {"made-up token": "swk_not-a-token"}
    with runtime.sessions.begin() as session:
        for caller in CALLERS:
            if caller.role is not None:
                _, tokens[caller.name] = create_token(session, name=caller.name, role=caller.role,
                                                      region_code=caller.region, site_ids=list(caller.sites))
        revoked, tokens["revoked token"] = create_token(session, name="revoked", role="admin", region_code=COUNTY)
        revoke_token(session, revoked.id)
        _, tokens["expired token"] = create_token(session, name="expired", role="admin", region_code=COUNTY,
                                                  expires_at=datetime.now(UTC) - timedelta(seconds=1))
    return {caller.name: {"Authorization": f"Bearer {tokens[caller.name]}"} if caller.name in tokens else {}
            for caller in CALLERS}


@pytest.mark.parametrize("route", MATRIX, ids=lambda route: f"{route.method} {route.rule}")
def test_each_caller_gets_what_the_matrix_says(app, runtime, world, api, build, consume, route):
    client, env, headers = app.test_client(), Env(api, runtime, build, consume), _headers(runtime)
    marker = route.listed(env) if route.listed else None  # before anyone asks for the list
    wrong = []
    for caller in CALLERS:
        expected = route.expected(caller)
        env.fresh = 200 <= expected < 300
        request = route.request(env)
        response = client.open(request.path, method=route.method, json=request.json, data=request.data,
                               content_type=request.content_type, headers=headers[caller.name])
        response.close()  # a file sent from disk (the docs' assets) is closed only then
        if response.status_code != expected:
            # A problem's detail says why; any other answer may hold personal data: not in the output.
            answer = (response.get_json() or {}).get("detail") if response.is_json else response.content_type
            wrong.append(f"{caller.name}: {response.status_code}, not {expected}: {answer}")
        elif marker is not None and response.status_code == 200:
            shown = marker in response.get_data(as_text=True)
            if shown != caller.in_scope:
                wrong.append(f"{caller.name}: {'sees' if shown else 'does not see'} the county's {route.rule}")
    assert not wrong, f"{route.method} {route.rule}\n" + "\n".join(wrong)
