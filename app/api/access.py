"""Who may do what: the one place that decides it (role, region scope, supervised sites).

`POLICY` holds, for every endpoint of the app (Flask's `request.endpoint`), the roles that may call it
and the scope rules that apply. Views call `authorize(session)`, which looks their endpoint up; a scope
check (`require_site`, `require_worker`, ...) refuses to run for an endpoint whose row does not name its
scope, so the table stays true. An endpoint without a row is refused (fail closed), and
tests/api/test_authorization_matrix.py fails for any route of the URL map that it does not cover.

The policy, by role (a missing or bad token is 401; a valid one outside its role or scope is 403, but
an alert outside the caller's region is 404, as if it did not exist):
- supervisor: the sites they supervise: logs their work, reads their workers, periods, payroll
  sheets and voids waiting for their output, closes their months; reads the regions inside their own.
- post_manager: sites, assignments, periods (close, approve, return, pay) and payments in their region;
  reads the workers and households of their region (to staff the posts) and its employment statistics.
- poverty_office: households, workers, incomes, alerts, webhooks and statistics in their region; reads
  its sites and periods.
- admin: everything in their region, nationwide if the token has no region. Dead letters (which have
  no region), nationwide tokens, nationwide webhooks and top-level regions: a nationwide admin only.
- worker (pages only, signed in with their phone): their own pay, and nothing of anyone else's.
- public: /healthz, /readyz, /metrics, the OpenAPI document and the docs with their assets.

Pages (app.web) have rows too, marked `Scope.PAGE`: their caller is the account signed in by the session
cookie (app.web.pages.authorize_page), with the same role, region and sites as a token, and the same
scope checks.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Any, NoReturn

from flask import g, request
from flask_smorest import abort
from sqlalchemy import Row, Select, exists, select
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException

from app.access.tokens import BEARER, Bearer, bearer_in, find_bearer
from app.access.worker_sign_in import WORKER_ROLE
from app.api.context import reading
from app.db import Reader
from app.db.audit import note_actor
from app.db.models import Account, ApiToken, Assignment, Employer, Household, Region, Site, Vacancy, Worker
from app.db.models.auth import ROLES


class Scope(Enum):
    PUBLIC = "public: no token needed"
    NATIONWIDE = "a nationwide admin only: the records have no region"
    REGION = "a region inside the caller's, named in the path, the body or the query"
    OWN_REGION = "the answer holds only what lies inside the caller's region"
    SITE = "the site: a supervisor's own sites; the other roles the sites inside their region"
    WORKER = "the worker: a supervisor's (assigned at their sites); the other roles their region's"
    HOUSEHOLD = "the household's region"
    LOGGED_SITES = "every site the work is logged for: a supervisor's own sites, an admin's region"
    ALERT = "the alert's region; outside it the alert is not found (404)"
    WEBHOOK = "the webhook's region; a nationwide webhook, nationwide callers only"
    TOKEN = "the token's (or account's) region; a nationwide one, nationwide admins only"
    PAGE = "a page: the caller is the account signed in by the session cookie, not a bearer token"
    VACANCY = "a vacancy or employer: its office's region; a supervisor, the vacancies of their sites"
    SELF = "a worker's own records: the worker signed in, never another, whatever the request names"


@dataclass(frozen=True)
class Rule:
    roles: tuple[str, ...]  # none: public
    scopes: tuple[Scope, ...]


def _rule(roles: tuple[str, ...], *scopes: Scope) -> Rule:
    return Rule(roles, scopes)


def _page(roles: tuple[str, ...], *scopes: Scope) -> Rule:
    return Rule(roles, (Scope.PAGE, *scopes))


EVERYONE = ROLES
OFFICES = ("admin", "poverty_office")
MANAGERS = ("admin", "post_manager")
LOGGERS = ("admin", "supervisor")
PUBLIC = Rule((), (Scope.PUBLIC,))
PUBLIC_PAGE = Rule((), (Scope.PUBLIC, Scope.PAGE))

# Every endpoint (all its methods share the row: split a view whose methods should differ).
POLICY: dict[str, Rule] = {
    "health.Health": PUBLIC,
    "health.Ready": PUBLIC,
    "metrics": PUBLIC,
    "api-docs.openapi_json": PUBLIC,
    "api-docs.openapi_swagger_ui": PUBLIC,
    "docs_assets.swagger_asset": PUBLIC,
    "static": PUBLIC,
    "regions.Regions": _rule(("admin",), Scope.REGION),
    "regions.RegionByCode": _rule(EVERYONE, Scope.REGION),
    "households.Households": _rule(OFFICES, Scope.REGION),
    "households.HouseholdById": _rule((*OFFICES, "post_manager"), Scope.HOUSEHOLD),
    "households.HouseholdIncome": _rule((*OFFICES, "post_manager"), Scope.HOUSEHOLD),
    "households.HouseholdChanges": _rule(OFFICES, Scope.HOUSEHOLD, Scope.REGION),  # PATCH: a region moved to too
    # POST: a household, and the holder of its national id named only to who may see them; GET: a search
    "workers.Workers": _rule(OFFICES, Scope.HOUSEHOLD, Scope.OWN_REGION, Scope.WORKER),
    "workers.WorkerById": _rule(EVERYONE, Scope.WORKER),
    "workers.WorkerChanges": _rule(OFFICES, Scope.WORKER),  # PATCH: who registers workers keeps them
    "workers.WorkerAssignments": _rule(EVERYONE, Scope.WORKER),
    "earnings.WorkerBalance": _rule(EVERYONE, Scope.WORKER),
    "earnings.WorkerWages": _rule(EVERYONE, Scope.WORKER),
    "sites.Sites": _rule(("admin",), Scope.REGION),
    "sites.SiteById": _rule(EVERYONE, Scope.SITE),
    "assignments.Assignments": _rule(MANAGERS, Scope.SITE, Scope.WORKER),
    # Changes of an assignment (app.api.assignment_changes): who staffs the site and the worker; a transfer, both sites.
    "assignments.AssignmentById": _rule(EVERYONE, Scope.SITE),
    "assignments.End": _rule(MANAGERS, Scope.SITE, Scope.WORKER),
    "assignments.Scheme": _rule(MANAGERS, Scope.SITE, Scope.WORKER),
    "assignments.Transfer": _rule(MANAGERS, Scope.SITE, Scope.WORKER),
    "events.Events": _rule(LOGGERS, Scope.LOGGED_SITES),
    "imports.AttendanceImport": _rule(LOGGERS, Scope.LOGGED_SITES),
    # A registry sheet: its villages and sites inside the caller's region; sites (employing) only for managers.
    "registry_imports.RegistryImport": _rule(OFFICES, Scope.REGION, Scope.SITE),
    "voids.Voids": _rule(LOGGERS, Scope.OWN_REGION, Scope.SITE),  # a supervisor's own sites, an admin's region
    "periods.Periods": _rule(EVERYONE, Scope.SITE),
    "periods.Period": _rule(EVERYONE, Scope.SITE),
    "periods.Close": _rule((*MANAGERS, "supervisor"), Scope.SITE),
    "periods.Approve": _rule(MANAGERS, Scope.SITE),
    "periods.Return": _rule(MANAGERS, Scope.SITE),
    "periods.Pay": _rule(MANAGERS, Scope.SITE),
    # A month for every site in scope (a supervisor's own, the others' region), narrowed by a region or sites.
    "periods.CloseMonth": _rule((*MANAGERS, "supervisor"), Scope.OWN_REGION, Scope.REGION, Scope.SITE),
    "periods.ApproveMonth": _rule(MANAGERS, Scope.OWN_REGION, Scope.REGION, Scope.SITE),
    "payroll_sheets.payroll_csv": _rule((*MANAGERS, "supervisor"), Scope.SITE),
    "payroll_sheets.payroll_xlsx": _rule((*MANAGERS, "supervisor"), Scope.SITE),
    "payments.Batch": _rule(MANAGERS, Scope.SITE),
    "payments.BankFile": _rule(MANAGERS, Scope.SITE),
    "payments.BankResults": _rule(MANAGERS, Scope.SITE),
    # Review flags (app.review): the managers who approve a month see and resolve its flags; a supervisor, whose
    # records they question, does not.
    "review.Review": _rule(MANAGERS, Scope.SITE),
    "review.Flags": _rule(MANAGERS, Scope.OWN_REGION, Scope.REGION, Scope.SITE),
    "review.Dismiss": _rule(MANAGERS, Scope.SITE),
    "review.Confirm": _rule(MANAGERS, Scope.SITE),
    # Workers' disputes (app.api.disputes): read by who keeps the site; answered by its supervisor (or an admin), whose
    # acceptance logs the correcting work.
    "disputes.Disputes": _rule((*LOGGERS, "post_manager"), Scope.SITE, Scope.OWN_REGION),
    "disputes.DisputeById": _rule((*LOGGERS, "post_manager"), Scope.SITE),
    "disputes.Accept": _rule(LOGGERS, Scope.SITE),
    "disputes.Reject": _rule(LOGGERS, Scope.SITE),
    "alerts.Evaluate": _rule(OFFICES, Scope.OWN_REGION),
    "alerts.Alerts": _rule(OFFICES, Scope.OWN_REGION, Scope.REGION),
    "alerts.AlertById": _rule(OFFICES, Scope.ALERT),
    "alerts.Acknowledge": _rule(OFFICES, Scope.ALERT),
    "alerts.Resolve": _rule(OFFICES, Scope.ALERT),
    "webhooks.Webhooks": _rule(OFFICES, Scope.OWN_REGION, Scope.REGION),
    "webhooks.WebhookById": _rule(OFFICES, Scope.WEBHOOK),
    "webhooks.WebhookDeliveries": _rule(OFFICES, Scope.WEBHOOK),
    "stats.Employment": _rule((*OFFICES, "post_manager"), Scope.REGION),
    "stats.Disputes": _rule((*OFFICES, "post_manager"), Scope.REGION),  # workers' disputes per site, by outcome
    # Return-to-work statistics (app.api.return_to_work): read as the employment statistics are.
    "return_to_work.AsOf": _rule((*OFFICES, "post_manager"), Scope.REGION),
    "return_to_work.Weeks": _rule((*OFFICES, "post_manager"), Scope.REGION),
    "return_to_work.weeks_xlsx": _rule((*OFFICES, "post_manager"), Scope.REGION),
    "tokens.Tokens": _rule(("admin",), Scope.OWN_REGION, Scope.REGION),
    "tokens.Revoke": _rule(("admin",), Scope.TOKEN),
    "dead_letters.DeadLetters": _rule(("admin",), Scope.NATIONWIDE),
    "dead_letters.ReplayDeadLetter": _rule(("admin",), Scope.NATIONWIDE),
    "audit.AuditLog": _rule(OFFICES, Scope.OWN_REGION),
    # Jobs (app.api.labour, vacancies, referrals): offices keep labourers' profiles and statuses and the baseline;
    # vacancies hold no personal data, so anyone signed in reads them; whoever keeps a vacancy (its office, its
    # site's supervisor) fills, closes and decides its referrals; a referral is read from either side.
    "labour.Profile": _rule(OFFICES, Scope.WORKER),
    "labour.Status": _rule(OFFICES, Scope.WORKER),
    "labour.Baselines": _rule(OFFICES, Scope.REGION),
    "labour.BaselinesImport": _rule(OFFICES, Scope.REGION),  # each row's region
    "vacancies.Employers": _rule((*OFFICES, "post_manager"), Scope.REGION, Scope.OWN_REGION),
    "vacancies.EmployerById": _rule((*OFFICES, "post_manager"), Scope.VACANCY),
    "vacancies.Vacancies": _rule(EVERYONE, Scope.SITE, Scope.VACANCY),  # POST: a site's or an employer's
    "vacancies.VacancyById": _rule(EVERYONE),
    "vacancies.Fill": _rule(EVERYONE, Scope.VACANCY),
    "vacancies.Close": _rule(EVERYONE, Scope.VACANCY),
    "referrals.Referrals": _rule(EVERYONE, Scope.WORKER, Scope.VACANCY),  # POST: the worker's; GET: either
    "referrals.ReferralById": _rule(EVERYONE, Scope.WORKER, Scope.VACANCY),
    "referrals.Accept": _rule(EVERYONE, Scope.VACANCY),
    "referrals.Decline": _rule(EVERYONE, Scope.VACANCY),
    "referrals.Hire": _rule(EVERYONE, Scope.VACANCY),
    # Matching (app.api.matching): vacancies are public, so any vacancy's matches, but only labourers of the
    # caller's region; a labourer's matches as the worker.
    "matching.VacancyMatches": _rule((*OFFICES, "post_manager"), Scope.OWN_REGION),
    "matching.LabourerMatches": _rule((*OFFICES, "post_manager"), Scope.WORKER),
    # Pages (app.web): signing in and out, the language, the pages' files; the landing page.
    "web.login": PUBLIC_PAGE,
    "web.logout": PUBLIC_PAGE,
    "web.language": PUBLIC_PAGE,
    "web.static": PUBLIC_PAGE,
    "web.home": _page((*EVERYONE, WORKER_ROLE)),
    # Pages of accounts (app.web.people): an admin's people, in their region; anyone's own password.
    "people.accounts": _page(("admin",), Scope.OWN_REGION),
    "people.create": _page(("admin",), Scope.REGION),
    "people.account": _page(("admin",), Scope.TOKEN),
    "people.reset": _page(("admin",), Scope.TOKEN),
    "people.disable": _page(("admin",), Scope.TOKEN),
    "people.enable": _page(("admin",), Scope.TOKEN),
    "people.own_password": _page(EVERYONE),
    # The supervisor's register (app.web.register): a site's day, its marks and voids, a worker's month.
    "register.today": _page(LOGGERS, Scope.SITE),
    "register.send": _page(LOGGERS, Scope.LOGGED_SITES),
    "register.void": _page(LOGGERS, Scope.LOGGED_SITES),
    "register.worker": _page(LOGGERS, Scope.WORKER),
    "register.service_worker": PUBLIC_PAGE,
    # Workers' disputes (app.web.register.disputes): read by who keeps the site, answered by who logs its work.
    "register.disputes": _page((*LOGGERS, "post_manager"), Scope.OWN_REGION),
    "register.answer_dispute": _page(LOGGERS, Scope.SITE),
    # The manager's desk (app.web.desk): a region's months, a village's, a site's, its moves and payments. Managers
    # only: a supervisor closes their own sites' months through the API or their own pages.
    "desk.months": _page(MANAGERS, Scope.OWN_REGION, Scope.REGION),
    "desk.approve_months": _page(MANAGERS, Scope.REGION),
    "desk.village_months": _page(MANAGERS, Scope.REGION),
    "desk.site_month": _page(MANAGERS, Scope.SITE),
    "desk.payroll_csv": _page(MANAGERS, Scope.SITE),
    "desk.payroll_xlsx": _page(MANAGERS, Scope.SITE),
    "desk.close": _page(MANAGERS, Scope.SITE),
    "desk.approve": _page(MANAGERS, Scope.SITE),
    "desk.return_month": _page(MANAGERS, Scope.SITE),
    "desk.pay": _page(MANAGERS, Scope.SITE),
    "desk.bank_file": _page(MANAGERS, Scope.SITE),
    "desk.bank_results": _page(MANAGERS, Scope.SITE),
    "desk.resolve": _page(MANAGERS, Scope.SITE),  # a review flag of a site's month (app.web.desk.flags)
    # The poverty office's pages (app.web.office): the alert inbox and its moves, as the alerts API; a household's
    # page shows its alerts too, so offices only, where the API lets post managers read households; the county at a
    # glance is statistics, which post managers read too.
    "office.alerts": _page(OFFICES, Scope.OWN_REGION, Scope.REGION),
    "office.alert": _page(OFFICES, Scope.ALERT),
    "office.acknowledge": _page(OFFICES, Scope.ALERT),
    "office.resolve": _page(OFFICES, Scope.ALERT),
    "office.household": _page(OFFICES, Scope.HOUSEHOLD),
    "office.county": _page((*OFFICES, "post_manager"), Scope.REGION),  # as the API's employment statistics
    # The jobs pages (app.web.jobs): return-to-work statistics, read as the API's are; a vacancy as a group message,
    # by whoever keeps it; the interest shown on public pages, by the offices of the labourers' villages.
    "jobs.page": _page((*OFFICES, "post_manager"), Scope.REGION),
    "jobs.workbook_file": _page((*OFFICES, "post_manager"), Scope.REGION),
    "jobs.share": _page(EVERYONE, Scope.VACANCY),
    "jobs.interests": _page(OFFICES, Scope.OWN_REGION),
    "jobs.handled": _page(OFFICES, Scope.REGION),
    # A vacancy's public page (app.web.vacancy): no sign-in, no personal data; interest shown is limited per address.
    "vacancy.show": PUBLIC_PAGE,
    "vacancy.interest": PUBLIC_PAGE,
    "vacancy.qr": PUBLIC_PAGE,
    # A worker's own pay (app.web.me): signing in with a phone and a code, then their months; no one else's.
    "me.login": PUBLIC_PAGE,
    "me.code": PUBLIC_PAGE,
    "me.logout": PUBLIC_PAGE,
    "me.months": _page((WORKER_ROLE,), Scope.SELF),
    "me.month": _page((WORKER_ROLE,), Scope.SELF),
    "me.new_dispute": _page((WORKER_ROLE,), Scope.SELF),  # a dispute of a day of their own (app.web.me.disputes)
    "me.api_disputes": _page((WORKER_ROLE,), Scope.SELF),
    "me.api_raise": _page((WORKER_ROLE,), Scope.SELF),
}


Principal = Bearer  # the caller of a request: its live bearer token, as app.access.tokens.find_bearer reads it


def authenticate(reader: Reader, statement: Select = BEARER, params: Mapping[str, Any] | None = None
                 ) -> tuple[Principal, Sequence[Row]]:
    """The caller behind the bearer token, with the rows of `statement` (app.access.tokens.bearer_alongside);
    401 when the token is missing, unknown, revoked or expired."""
    token = bearer_in(request.headers.get("Authorization", ""))
    # One query, on every request (no cache): a revoked or expired token is refused from the next request on.
    bearer, rows = find_bearer(reader, token, statement, params) if token else (None, ())
    if bearer is None:
        _unauthorized()
    note_actor(bearer.token_id, bearer.role)  # the audit log records this request's writes as the caller's
    g.principal = bearer
    return bearer, rows


def _unauthorized() -> NoReturn:
    abort(401, message="a valid bearer token is required", headers={"WWW-Authenticate": "Bearer"})


def rule_for(endpoint: str | None) -> Rule:
    """The row of a view that authorizes; none, or a public one, is a mistake: refused, not let through."""
    rule = POLICY.get(endpoint or "")
    if rule is None or Scope.PUBLIC in rule.scopes:
        raise LookupError(f"endpoint {endpoint!r} authorizes, but its row in app.api.access.POLICY is "
                          f"{'public' if rule else 'missing'}")
    return rule


def authorize(reader: Reader) -> Principal:
    """Authenticate, then 403 unless POLICY lets the caller's role use this endpoint."""
    return authorize_with(reader, BEARER)[0]


def authorize_with(reader: Reader, statement: Select, params: Mapping[str, Any] | None = None
                   ) -> tuple[Principal, Sequence[Row]]:
    """`authorize`, reading `statement` (app.access.tokens.bearer_alongside) in the token's round trip: its rows too."""
    rule = rule_for(request.endpoint)
    principal, rows = authenticate(reader, statement, params)
    if principal.role not in rule.roles:
        abort(403, message=f"the {principal.role} role may not do this")
    return principal, rows


def _declared(scope: Scope) -> None:
    if scope not in rule_for(request.endpoint).scopes:
        raise LookupError(f"{request.endpoint} checks {scope.name} scope, which its POLICY row does not name")


def require_nationwide(principal: Principal) -> None:
    _declared(Scope.NATIONWIDE)
    if principal.region_path is not None:
        abort(403, message="only a nationwide admin may do this")


def _region(principal: Principal, session: Session, region_code: str) -> Region:
    region = session.get(Region, region_code)
    if region is None:
        abort(404, message=f"unknown region {region_code}")
    _in_region(principal, region.path)
    return region


def _in_region(principal: Principal, region_path: str | None) -> None:
    """403 unless the caller's region covers `region_path`."""
    if not principal.covers(region_path):
        abort(403, message="outside your region")


def require_region(principal: Principal, session: Session, region_code: str) -> Region:
    """A region named in the path or query: 404 when unknown, 403 when outside the caller's."""
    _declared(Scope.REGION)
    return _region(principal, session, region_code)


def require_region_field(principal: Principal, session: Session, region_code: str, field: str) -> Region:
    """A region named in a request body: 422 on `field` when unknown, 403 when outside scope."""
    _declared(Scope.REGION)
    if session.get(Region, region_code) is None:
        abort(422, errors={field: [f"unknown region {region_code}"]})
    return _region(principal, session, region_code)


def region_filter(principal: Principal, session: Session, region_code: str | None) -> Region | None:
    """A list's optional `region` query field: None when not given, else as `require_region_field`."""
    return None if region_code is None else require_region_field(principal, session, region_code, "region")


def require_household(principal: Principal, session: Session, household: Household) -> None:
    _declared(Scope.HOUSEHOLD)
    _region(principal, session, household.region_code)


def require_site(principal: Principal, session: Session, site: Site) -> None:
    """A supervisor acts only on the sites they supervise; everyone else within their region."""
    _declared(Scope.SITE)
    if principal.role == "supervisor":
        if site.id not in principal.site_ids:
            abort(403, message="you do not supervise this site")
        return
    _region(principal, session, site.region_code)


def require_worker(principal: Principal, session: Session, worker: Worker) -> None:
    """A supervisor reads the workers assigned to their sites; others those of their region."""
    household = session.get(Household, worker.household_id)
    require_worker_at(principal, session.get(Region, household.region_code).path, lambda: session.scalar(select(
        exists().where(Assignment.worker_id == worker.id, Assignment.site_id.in_(principal.site_ids)))))


def require_worker_at(principal: Principal, region_path: str, supervised: Callable[[], bool]) -> None:
    """`require_worker` for a worker whose region path is already read; `supervised` tells whether the
    worker has an assignment at one of the caller's sites (asked of supervisors only)."""
    _declared(Scope.WORKER)
    if principal.role == "supervisor":
        if not supervised():
            abort(403, message="this worker has no assignment at your sites")
        return
    _in_region(principal, region_path)


def forbidden_sites(principal: Principal, session: Session, site_ids: set[str]) -> list[str]:
    """The ids among `site_ids` this caller may not log work for (supervisors and admins log work)."""
    _declared(Scope.LOGGED_SITES)
    if principal.role == "supervisor":
        return sorted(site_ids - principal.site_ids)
    if principal.role != "admin":
        return sorted(site_ids)
    if principal.region_path is None:
        return []
    rows = session.execute(
        select(Site.id, Region.path).join(Region, Site.region_code == Region.code).where(Site.id.in_(site_ids)))
    return sorted(site_ids - {row.id for row in rows if principal.covers(row.path)})


def require_vacancy(principal: Principal, session: Session, vacancy: Vacancy) -> None:
    """A supervisor keeps the vacancies of the sites they supervise; everyone else those their region's office
    posted."""
    _declared(Scope.VACANCY)
    if not keeps_vacancy(principal, session, vacancy):
        abort(403, message="this vacancy is not yours to keep")


def keeps_vacancy(principal: Principal, session: Session, vacancy: Vacancy) -> bool:
    if principal.role == "supervisor":
        return vacancy.site_id in principal.site_ids
    return principal.covers(session.get(Region, vacancy.office_region_code).path)


def require_employer(principal: Principal, session: Session, employer: Employer) -> None:
    _declared(Scope.VACANCY)
    _region(principal, session, employer.office_region_code)


def require_referral(principal: Principal, session: Session, vacancy: Vacancy, worker: Worker) -> None:
    """A referral is seen by who keeps its vacancy and by who may see its labourer."""
    _declared(Scope.VACANCY)
    if not keeps_vacancy(principal, session, vacancy):
        require_worker(principal, session, worker)


def require_self(principal: Principal) -> str:
    """The id of the worker signed in: the only worker whose records a worker's page reads."""
    _declared(Scope.SELF)
    if principal.role != WORKER_ROLE:
        abort(403, message="only a worker reads their own pay here")
    return principal.token_id


def require_alert(principal: Principal, alert_region_path: str) -> None:
    """An alert outside the caller's region is answered as if it did not exist."""
    _declared(Scope.ALERT)
    if not principal.covers(alert_region_path):
        abort(404, message="no such alert in your region")


def require_webhook(principal: Principal, webhook_region_path: str | None) -> None:
    _declared(Scope.WEBHOOK)
    _in_region(principal, webhook_region_path)


def require_token(principal: Principal, session: Session, token: ApiToken | Account) -> None:
    """A token, or an account (scoped alike): inside the caller's region; a nationwide one, nationwide callers."""
    _declared(Scope.TOKEN)
    _in_region(principal, session.get(Region, token.region_code).path if token.region_code else None)


def refusal_for_outsiders(error: HTTPException) -> HTTPException:
    """A request's input refused before its view authenticated the caller (a 400 or 422 from parsing its
    body, its query or its Idempotency-Key): the caller is checked first, so a bad token still hears 401 and
    a role the endpoint does not serve 403, and neither learns how its input would be judged."""
    rule = POLICY.get(request.endpoint or "")
    if error.code not in (400, 422) or "principal" in g or rule is None or not _bearer_needed(rule):
        return error
    try:
        with reading() as session:
            authorize(session)
    except HTTPException as refusal:
        return refusal
    return error


def _bearer_needed(rule: Rule) -> bool:
    """Public endpoints need no caller, and a page's caller signs in with an account."""
    return Scope.PUBLIC not in rule.scopes and Scope.PAGE not in rule.scopes


def require_bearer() -> None:
    """Before any view reads its input (a before_request hook): no bearer token, no further (401).

    So a caller without a token learns nothing of how its body would be judged. The token itself is
    checked by `authenticate`, in the view, or by `refusal_for_outsiders` when the input is refused first.
    Public endpoints, pages (their caller signs in), OPTIONS, and URLs that match none, pass.
    """
    rule = POLICY.get(request.endpoint or "")
    if rule is None or not _bearer_needed(rule) or request.method == "OPTIONS":  # OPTIONS only lists the methods
        return
    if bearer_in(request.headers.get("Authorization", "")) is None:
        _unauthorized()
