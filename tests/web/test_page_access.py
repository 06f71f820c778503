"""Every page of the URL map, every kind of person: who gets in, and how everyone else is refused.

The pages' twin of tests/api/test_authorization_matrix.py, with the same callers (tests/support/authorization.py)
signed in with accounts instead of tokens: in scope, an admin, a post manager and a poverty office of
Zhanggong and a supervisor of its sewing workshop, and a nationwide admin; out of scope, the same roles in
Nankang and a Zhanggong supervisor of the glove workshop; and two workers signed in with their phones, Wang
(whose pay the county's markers name) and Chen, another worker. Someone not signed in is sent to the sign-in page.

A row's statuses: 200 when the page is reached (a form's redirect back counts), SIGN_IN for the sign-in
page, else the refusal. A page route without a row fails the build; a row's roles must be POLICY's.
A row's `listed` marker (a name from the county) must show on the page in scope and never out of it.
"""
from __future__ import annotations

import dataclasses
import io
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from support.authorization import (
    AFTER_FRESH_MONTHS,
    CALLERS,
    COUNTY,
    HOUSEHOLD,
    OTHER_COUNTY,
    SITE,
    VILLAGE,
    WORKER,
    Caller,
    Env,
)
from support.own_pay import give_phone
from support.pages import PASSWORD, PageClient, account_id, make_account

from app.access.worker_sign_in import phone_seal
from app.api.access import POLICY
from app.db.models import Vacancy, Worker
from app.jobs.interest import record_interest
from app.web import PAGE_BLUEPRINTS


@pytest.fixture
def settings(settings):
    return dataclasses.replace(settings, fixed_today=AFTER_FRESH_MONTHS)


SIGN_IN = 401  # answered as a redirect to the sign-in page
EVERYONE = ("admin", "post_manager", "poverty_office", "supervisor")
LOGGERS = ("admin", "supervisor")
MANAGERS = ("admin", "post_manager")
SEWING = "Sewing workshop"  # the county's site: its name is the marker of the county's data
OFFICES = ("admin", "poverty_office")


@dataclass(frozen=True)
class Visit:
    path: str
    form: dict[str, str] | None = None  # sent with the page's CSRF token, for a POST


def ok(status: int, *roles: str) -> dict[str, int]:
    return dict.fromkeys(roles, status)


@dataclass(frozen=True)
class Page:
    method: str
    rule: str
    request: Callable[[Env], Visit]
    allowed: dict[str, int] = field(default_factory=dict)  # role -> status in scope; empty with `public`
    outside: int = 403
    public: int | None = None
    exact: dict[str, int] = field(default_factory=dict)
    listed: Callable[[Env], str] | None = None

    def expected(self, caller: Caller) -> int:
        if caller.name in self.exact:
            return self.exact[caller.name]
        if self.public is not None:
            return self.public
        if caller.role is None:
            return SIGN_IN
        if caller.role not in self.allowed:
            return 403
        return self.allowed[caller.role] if caller.in_scope else self.outside


def at(path: str, **form: str) -> Callable[[Env], Visit]:
    return lambda env: Visit(path, form or None)


def county_account(env: Env) -> str:
    """An account of the county's (none of the callers'): its login, for the county's admins only to see."""
    return env.kept("account", lambda: make_account(env.runtime, "supervisor", COUNTY, (SITE,), login="county-clerk"))


def account_page(suffix: str = "", **form: str) -> Callable[[Env], Visit]:
    return lambda env: Visit(f"/accounts/{account_id(env.runtime, county_account(env))}{suffix}", form or None)


def new_account(env: Env) -> Visit:
    return Visit("/accounts/new", {"login": f"new-{env.n()}", "name": "Zhou", "role": "supervisor",
                                   "region": COUNTY, "sites": SITE, "password": "a first password"})


NEW_OWN_PASSWORD = {"current": PASSWORD, "password": "a changed password", "again": "a changed password"}

PAGES = (
    Page("GET", "/login", at("/login"), public=200),
    Page("POST", "/login", at("/login", login="nobody-here", password="not a password"), public=401),
    Page("POST", "/logout", at("/logout"), public=SIGN_IN),  # back to the sign-in page
    Page("POST", "/language", at("/language", lang="en", next="/"), public=200),
    Page("GET", "/assets/<path:filename>", at("/assets/app.css"), public=200),
    Page("GET", "/", at("/"), ok(200, *EVERYONE, "worker"), outside=200),
    # Accounts (app/web/people.py)
    Page("GET", "/accounts", at("/accounts"), ok(200, "admin"), outside=200, listed=county_account),
    Page("GET", "/accounts/new", at("/accounts/new"), ok(200, "admin"), outside=200),
    Page("POST", "/accounts/new", new_account, ok(200, "admin")),
    Page("GET", "/accounts/<account_id>", account_page(), ok(200, "admin"), listed=county_account),
    Page("POST", "/accounts/<account_id>/password", account_page("/password", password="a reset password"),
         ok(200, "admin")),
    Page("POST", "/accounts/<account_id>/disable", account_page("/disable"), ok(200, "admin")),
    Page("POST", "/accounts/<account_id>/enable", account_page("/enable"), ok(200, "admin")),
    Page("GET", "/password", at("/password"), ok(200, *EVERYONE), outside=200),
    Page("POST", "/password", at("/password", **NEW_OWN_PASSWORD), ok(200, *EVERYONE), outside=200),
    # The supervisor's register (app/web/register): a form with nothing marked goes back to the page.
    Page("GET", "/register/", at(f"/register/?site={SITE}&date=2026-04-01"), ok(200, *LOGGERS),
         listed=lambda env: "Wang Jianguo"),
    Page("POST", "/register/events", at("/register/events", site=SITE, date="2026-04-01"), ok(200, *LOGGERS)),
    Page("GET", "/register/disputes", at("/register/disputes"), ok(200, *LOGGERS, "post_manager"), outside=200,
         listed=lambda env: env.dispute() and "Wang Jianguo"),
    Page("POST", "/register/disputes/<dispute_id>/<any(accept, reject):answer>", lambda env: Visit(
        f"/register/disputes/{env.dispute()}/reject", {"reason": "not that day"}), ok(200, *LOGGERS)),
    Page("POST", "/register/void", at("/register/void", site=SITE, output_id="no-such-output"), ok(404, *LOGGERS)),
    Page("GET", "/register/workers/<worker_id>", at(f"/register/workers/{WORKER}?month=2026-04"), ok(200, *LOGGERS),
         listed=lambda env: "Wang Jianguo"),
    Page("GET", "/register/sw.js", at("/register/sw.js"), public=200),
    # The manager's desk (app.web.desk).
    Page("GET", "/desk/months", at("/desk/months?month=2026-04"), ok(200, *MANAGERS), outside=200,
         listed=lambda env: "Xiaba"),
    Page("GET", "/desk/villages/<region_code>/months/<month>", at(f"/desk/villages/{VILLAGE}/months/2026-04"),
         ok(200, *MANAGERS), listed=lambda env: SEWING),
    Page("POST", "/desk/months/<month>/approve", lambda env: Visit(
        f"/desk/months/{env.month()}/approve", {"region_code": COUNTY}), ok(200, *MANAGERS)),
    Page("GET", "/desk/sites/<site_id>/months/<month>", at(f"/desk/sites/{SITE}/months/2026-04"),
         ok(200, *MANAGERS), listed=lambda env: SEWING),
    Page("GET", "/desk/sites/<site_id>/months/<month>/payroll.csv",
         at(f"/desk/sites/{SITE}/months/2026-04/payroll.csv"), ok(200, *MANAGERS)),
    Page("GET", "/desk/sites/<site_id>/months/<month>/payroll.xlsx",
         at(f"/desk/sites/{SITE}/months/2026-04/payroll.xlsx"), ok(200, *MANAGERS)),
    Page("POST", "/desk/sites/<site_id>/months/<month>/close", lambda env: Visit(
        f"/desk/sites/{SITE}/months/{env.month()}/close"), ok(200, *MANAGERS)),
    Page("POST", "/desk/sites/<site_id>/months/<month>/approve", lambda env: Visit(
        f"/desk/sites/{SITE}/months/{env.closed_month()}/approve"), ok(200, *MANAGERS)),
    Page("POST", "/desk/sites/<site_id>/months/<month>/return", lambda env: Visit(
        f"/desk/sites/{SITE}/months/{env.closed_month()}/return", {"reason": "a day is missing"}), ok(200, *MANAGERS)),
    Page("POST", "/desk/flags/<flag_id>/<any(dismiss, confirm):move>", lambda env: Visit(
        f"/desk/flags/{env.flag()}/dismiss", {"reason": "Wang was checked at the gate"}), ok(200, *MANAGERS)),
    Page("POST", "/desk/sites/<site_id>/months/<month>/pay", lambda env: Visit(
        f"/desk/sites/{SITE}/months/{env.approved_month()}/pay"), ok(200, *MANAGERS)),
    Page("GET", "/desk/batches/<int:batch_id>/bank.csv", lambda env: Visit(
        f"/desk/batches/{env.batch()['id']}/bank.csv"), ok(200, *MANAGERS)),
    Page("POST", "/desk/batches/<int:batch_id>/results", lambda env: Visit(
        f"/desk/batches/{env.batch()['id']}/results", {"results": _results_file(env)}), ok(200, *MANAGERS)),
    # The poverty office's pages (app.web.office).
    Page("GET", "/office/alerts", at("/office/alerts"), ok(200, *OFFICES), outside=200,
         listed=lambda env: env.alert()),
    Page("GET", "/office/alerts/<alert_id>", lambda env: Visit(f"/office/alerts/{env.alert()}"), ok(200, *OFFICES),
         outside=404, listed=lambda env: HOUSEHOLD),
    Page("POST", "/office/alerts/<alert_id>/acknowledge",
         lambda env: Visit(f"/office/alerts/{env.alert()}/acknowledge", {"note": "called them"}), ok(200, *OFFICES),
         outside=404),
    Page("POST", "/office/alerts/<alert_id>/resolve",
         lambda env: Visit(f"/office/alerts/{env.alert('acknowledged')}/resolve", {"help_given": "found work"}),
         ok(200, *OFFICES), outside=404),
    Page("GET", "/office/households/<household_id>", at(f"/office/households/{HOUSEHOLD}"), ok(200, *OFFICES),
         listed=lambda env: "Wang Jianguo"),
    Page("GET", "/office/county", at("/office/county"), ok(200, *OFFICES, "post_manager"), outside=200,
         listed=lambda env: "Zhanggong"),
    # The jobs pages (app.web.jobs).
    Page("GET", "/jobs/return-to-work", at("/jobs/return-to-work?date=2026-04-01"), ok(200, *OFFICES, "post_manager"),
         outside=200, listed=lambda env: "Zhanggong"),
    Page("GET", "/jobs/return-to-work.xlsx", at(f"/jobs/return-to-work.xlsx?region={COUNTY}&date=2026-04-01"),
         ok(200, *OFFICES, "post_manager")),
    Page("GET", "/jobs/vacancies/<vacancy_id>/share", lambda env: Visit(f"/jobs/vacancies/{env.vacancy()}/share"),
         ok(200, *EVERYONE)),
    Page("GET", "/jobs/requests", at("/jobs/requests"), ok(200, *OFFICES), outside=200, listed=lambda env: (
        env.kept("interest", lambda: interest(env)), INTERESTED)[1]),
    Page("POST", "/jobs/requests/<interest_id>/handled", lambda env: Visit(
        f"/jobs/requests/{env.state('interest', lambda: interest(env))}/handled"), ok(200, *OFFICES)),
    # A vacancy's public page (app.web.vacancy): anyone, signed in or not.
    Page("GET", "/v/<vacancy_id>", lambda env: Visit(f"/v/{public_vacancy(env)}"), public=200),
    Page("POST", "/v/<vacancy_id>/interest", lambda env: Visit(
        f"/v/{public_vacancy(env)}/interest", {"name": INTERESTED, "phone": "138 0013 8000", "village": VILLAGE}),
        public=200),  # back to the page, thanked
    Page("GET", "/v/<vacancy_id>/qr.<any(png, svg):kind>", lambda env: Visit(f"/v/{public_vacancy(env)}/qr.png"),
         public=200),
    # A worker's own pay (app.web.me): signing in with a phone is public; the pages show the worker signed in only.
    Page("GET", "/me/login", at("/me/login"), public=200),
    Page("POST", "/me/login", at("/me/login", phone="137 0000 0000"), public=200),  # on to the code's page
    Page("GET", "/me/code", at("/me/code"), public=SIGN_IN),  # no number asked for: back to asking
    Page("POST", "/me/code", at("/me/code", code="000000"), public=SIGN_IN),
    Page("POST", "/me/logout", at("/me/logout"), public=SIGN_IN),
    Page("GET", "/me/", at("/me/"), ok(200, "worker"), outside=200, listed=lambda env: "Wang Jianguo"),
    Page("GET", "/me/months/<month>", at("/me/months/2026-04"), ok(200, "worker"), outside=200,
         listed=lambda env: "Wang Jianguo"),
    # A dispute of a day: the worker's own, at a site they are assigned to (Chen is not, at the sewing workshop).
    Page("GET", "/me/disputes/new", at("/me/disputes/new"), ok(200, "worker"), outside=200),
    Page("POST", "/me/disputes/new", at("/me/disputes/new", site_id="ws-sewing", date="2026-04-01", kind="worked"),
         ok(200, "worker"), outside=422),
    Page("GET", "/me/api/disputes", at("/me/api/disputes"), ok(200, "worker"), outside=200),
    Page("POST", "/me/api/disputes", at("/me/api/disputes"), ok(400, "worker"), outside=400),  # a form, not JSON
)


INTERESTED = "Zhou Min"  # who showed interest on a vacancy's public page: the county's offices alone see the name


def public_vacancy(env: Env) -> str:
    """One vacancy of the county for the whole row: reading it or showing interest in it uses nothing up."""
    return env.kept("public vacancy", env.vacancy)


def interest(env: Env) -> str:
    """Zhou's interest in a vacancy of the county, from its village."""
    with env.runtime.sessions.begin() as session:
        return record_interest(session, session.get(Vacancy, public_vacancy(env)), INTERESTED, "13800138000",
                               VILLAGE).id


def _results_file(env: Env) -> tuple[io.BytesIO, str]:
    """The bank's answer for the batch's line: confirmed (the same answer again changes nothing)."""
    line = env.batch()["lines"][0]["id"]
    return io.BytesIO(f"line_id,status,bank_reference\n{line},confirmed,B-1\n".encode()), "results.csv"


WORKERS = {"worker": WORKER, "another worker": "w-chen"}  # each signs in as the worker named
PEOPLE = [caller for caller in CALLERS if caller.role is not None] + [
    Caller("not signed in"), Caller("another worker", "worker", OTHER_COUNTY, in_scope=False),
    Caller("worker", "worker", COUNTY)]


def _served(app) -> set[tuple[str, str]]:
    return {(method, rule.rule) for rule in app.url_map.iter_rules()
            if rule.endpoint.partition(".")[0] in PAGE_BLUEPRINTS
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"})}


def _endpoint(app, method: str, rule: str) -> str:
    [endpoint] = [r.endpoint for r in app.url_map.iter_rules() if r.rule == rule and method in r.methods]
    return endpoint


def test_the_matrix_covers_every_page_and_method_of_the_url_map(app):
    covered = [(page.method, page.rule) for page in PAGES]

    assert len(covered) == len(set(covered)), "a page has two rows"
    assert sorted(_served(app) - set(covered)) == [], "pages without a row in the page matrix"
    assert sorted(set(covered) - _served(app)) == [], "rows for pages the app no longer serves"


def test_the_matrix_allows_the_roles_the_policy_table_allows(app):
    disagree = [f"{page.method} {page.rule}: {sorted(page.allowed)} here, {sorted(roles)} in POLICY"
                for page in PAGES
                if set(page.allowed) != set(roles := POLICY[_endpoint(app, page.method, page.rule)].roles)]

    assert disagree == []


def _clients(app, runtime) -> dict[str, PageClient]:
    clients = {}
    for caller in PEOPLE:
        clients[caller.name] = PageClient(app)
        if caller.role == "worker":
            _enter_as_worker(runtime, clients[caller.name], WORKERS[caller.name])
        elif caller.role is not None:
            clients[caller.name].enter_as(account_id(runtime, make_account(runtime, caller.role, caller.region,
                                                                            caller.sites)))
    return clients


def _enter_as_worker(runtime, client: PageClient, worker_id: str) -> None:
    give_phone(runtime, worker_id, {"w-wang": "13800138000"}.get(worker_id, "13907970000"))
    with runtime.sessions() as session:
        seal = phone_seal(session.get(Worker, worker_id))
    with client.client.session_transaction() as cookie:
        cookie["worker"], cookie["phone_seal"] = worker_id, seal


def _status(response) -> int:
    if response.status_code in (302, 303):
        return SIGN_IN if response.headers["Location"].startswith(("/login", "/me/login")) else 200
    return response.status_code


@pytest.mark.parametrize("page", PAGES, ids=lambda page: f"{page.method} {page.rule}")
def test_each_person_gets_what_the_matrix_says(app, runtime, world, api, build, consume, page):
    env, clients = Env(api, runtime, build, consume), _clients(app, runtime)
    marker = page.listed(env) if page.listed else None
    wrong = []
    for caller in PEOPLE:
        expected = page.expected(caller)
        env.fresh = expected == 200
        visit, client = page.request(env), clients[caller.name]
        response = client.get(visit.path) if page.method == "GET" else client.post(visit.path, visit.form)
        response.close()
        if _status(response) != expected:
            wrong.append(f"{caller.name}: {response.status_code} {response.headers.get('Location', '')}, "
                         f"not {expected}")
        elif marker is not None and response.status_code == 200:
            shown = marker in response.get_data(as_text=True)
            if shown != caller.in_scope:
                wrong.append(f"{caller.name}: {'sees' if shown else 'does not see'} the county's {page.rule}")
    assert not wrong, f"{page.method} {page.rule}\n" + "\n".join(wrong)
