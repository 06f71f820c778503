"""Schemathesis against the API's own OpenAPI document: for every operation, a bounded number of generated
requests (valid and invalid), then sequences of operations linked by what one answers and the next takes
(the stateful phase), sent as an admin to an app with the test registry (`world`); none may answer 5xx,
and every answer must be one the document promises (status code, content type, headers, body schema).

Derandomized, so CI sends the same requests every run. A deeper run, random and with 300 examples per
operation and 300 sequences: `make fuzz` (its last figures: docs/architecture.md, Fuzzing).
"""
from __future__ import annotations

import dataclasses
import os
import shutil
import sqlite3
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    allow_header_conformance,
    content_type_conformance,
    ignored_auth,
    missing_required_header,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
)
from support.data_keys import TEST_DATA_KEY

from app import create_app
from app.access.tokens import issue_token
from app.runtime import build_runtime
from app.settings import Settings
from events.bus import OutgoingMessage

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "40"))
DEEP = "FUZZ_EXAMPLES" in os.environ
SEQUENCES = int(os.environ.get("FUZZ_EXAMPLES", "10"))  # of the stateful phase, each up to STEPS requests
STEPS = 10
# Every built-in check but positive_data_acceptance: a request that fits the document may still name a
# region or worker that does not exist, and is rightly refused (404, 422).
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance, negative_data_rejection, missing_required_header, unsupported_method,
          allow_header_conformance, ignored_auth]


def load_schema() -> schemathesis.BaseSchema:
    """The document, read at collection time from an app over a throwaway database that is never opened.

    Each test then sends its requests to its own `app` fixture. (The lazy loader,
    `schemathesis.pytest.from_fixture`, fails under pytest 9.2: it reads `Node._nodeid`, which is gone.)
    """
    with tempfile.TemporaryDirectory() as directory:
        app = create_app(Settings(database_url=f"sqlite:///{Path(directory) / 'unused.db'}", log_level="WARNING",
                                  data_keys=TEST_DATA_KEY))
        try:
            return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
        finally:
            app.extensions["stablework"].close()


schema = load_schema()
# A URI or body too large to judge (414, 413) refuses invalid data as surely as a 422.
rejection = schema.config.checks.negative_data_rejection
rejection.expected_statuses = [*rejection.expected_statuses, "413", "414"]


@schema.hook
def filter_query(context, query):
    """Drop a query with a value that may not reach the wire as generated (None, an empty list or object, a
    list of None: sent as nothing, or as an empty string), which the check would judge as if it had been."""
    return not any(_blank(value) for value in (query or {}).values())


def _blank(value) -> bool:
    if isinstance(value, (list, dict)):
        return all(map(_blank, value.values() if isinstance(value, dict) else value))
    return value is None


@dataclass
class Target:
    """Who the generated requests are sent as, and what exists to name: set by the `target` fixture."""

    token: str = ""
    # Path parameters that name something in `world`: generated values almost never name a row, and a
    # request that ends in 404 tests little beyond the lookup.
    known: dict[str, tuple[str, ...]] = field(default_factory=dict)


TARGET = Target()
# The WSGI transport hands over the body as the app sent it, never decoded: the answers are asked for as they
# are (their compression is tests/web/test_compression.py's).
PLAIN = {"Accept-Encoding": "identity"}


@schema.auth(refresh_interval=None)  # every test has its own database, so its own admin token
class AsAdmin:
    def get(self, case, context):
        return TARGET.token

    def set(self, case, token, context):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {token}"}


def flatmap_path_parameters(context, path_parameters):
    """Keep the generated path parameters, or swap in names of things that exist, half of the time each."""
    if not isinstance(path_parameters, dict) or not TARGET.known.keys() & path_parameters.keys():
        return st.just(path_parameters)
    known = st.fixed_dictionaries({name: st.sampled_from(TARGET.known[name]) if name in TARGET.known
                                   else st.just(value) for name, value in path_parameters.items()})
    return st.one_of(st.just(path_parameters), known)


@pytest.fixture
def settings(settings):
    # The fuzzer sends far more than a person would: the limits are raised, not switched off.
    return dataclasses.replace(settings, rate_limit_reads="1000000/minute", rate_limit_writes="1000000/minute")


@pytest.fixture
def target(api, checker, runtime, world, build, consume, admin_token):
    """`world` with a month of work paid, a parked message, a webhook and the month's alerts, all named."""
    work = [*(build.attendance(world.li, world.post, f"2026-03-{day:02}") for day in range(2, 7)),
            build.output(world.li, world.glove, "2026-03-02", "GLOVE", 90),
            build.attendance(world.wang, world.sewing, "2026-03-10")]
    assert api.post("/events", {"events": work}).status_code == 202
    producer = runtime.bus.producer()
    producer.send(OutgoingMessage(runtime.settings.topic_work_events, world.li, b"not an event"))
    producer.flush()
    consume()
    assert api.post(f"/sites/{world.post}/periods/2026-03/close", {}).status_code == 200
    assert checker.post(f"/sites/{world.post}/periods/2026-03/approve", {}).status_code == 200
    batch = api.created(f"/sites/{world.post}/periods/2026-03/pay", None)
    webhook = api.created("/webhooks", {"url": "http://127.0.0.1:9/stablework"})
    alerts = api.post("/alerts/evaluate", {"month": "2026-03", "as_of": "2026-04-20"}).get_json()["alerts"]
    letters = api.get("/dead-letters").get_json()["items"]
    TARGET.token = admin_token
    TARGET.known = {"site_id": (world.glove, world.sewing, world.post, world.far),
                    "worker_id": (world.li, world.wang, world.chen), "household_id": ("h-li", "h-wang", "h-chen"),
                    "code": (world.province, world.county, world.village), "month": ("2026-03", "2026-04"),
                    "batch_id": (batch["id"],), "letter_id": tuple(letter["id"] for letter in letters),
                    "webhook_id": (webhook["id"],), "alert_id": tuple(alert["id"] for alert in alerts)}
    assert all(TARGET.known.values()), TARGET.known
    yield TARGET
    TARGET.token, TARGET.known = "", {}


@schema.hooks.apply(flatmap_path_parameters)
@schema.parametrize()
@hypothesis_settings(max_examples=EXAMPLES, deadline=None, derandomize=not DEEP, database=None,
                     suppress_health_check=list(HealthCheck))
def test_no_operation_answers_5xx_or_outside_its_documentation(case, app, target):
    case.call_and_validate(app=app, checks=CHECKS, headers=PLAIN)


class Workflow(schema.as_state_machine()):
    """Sequences of linked operations (schemathesis infers the links: an id one answers, the next takes),
    judged by the same checks. Each sequence has an app of its own over a copy of the test's database:
    hypothesis requires a sequence to run the same way each time it draws it, so no state may outlive one."""

    start_app = None  # set by the test: () -> (app, admin token, close)
    failures: list[str] = []
    requests = 0

    def setup(self):
        # A fresh admin token too: a sequence may revoke the token it runs as (GET /tokens lists it).
        self.app, TARGET.token, self.close_app = type(self).start_app()

    def teardown(self):
        self.close_app()

    def get_call_kwargs(self, case):
        type(self).requests += 1
        return {"app": self.app, "headers": PLAIN}

    def validate_response(self, response, case, additional_checks=None, **kwargs):
        # Kept and asserted at the end, so every failure of the run is reported, not only the first.
        try:
            case.validate_response(response, checks=CHECKS, transport_kwargs=kwargs, recorder=self.recorder)
        except FailureGroup as failure:
            type(self).failures.append(f"{case.operation.label}: {failure}")


def test_no_sequence_of_linked_operations_answers_5xx_or_outside_its_documentation(settings, runtime, target,
                                                                                  tmp_path):
    snapshot = tmp_path / "target.db"
    with sqlite3.connect(settings.database_url.removeprefix("sqlite:///")) as source, \
            sqlite3.connect(snapshot) as copy:
        source.backup(copy)  # consistent while the test's own engine holds the file open

    def start_app():
        database = tmp_path / f"sequence-{uuid.uuid4().hex}.db"
        shutil.copyfile(snapshot, database)
        fresh = build_runtime(dataclasses.replace(settings, database_url=f"sqlite:///{database}"))
        with fresh.sessions.begin() as session:
            token = issue_token(session, name="fuzz admin", role="admin")
        app = create_app(runtime=fresh)
        app.config["TESTING"] = True

        def close():
            fresh.close()
            database.unlink()

        return app, token, close

    Workflow.start_app, Workflow.failures, Workflow.requests = start_app, [], 0
    try:
        Workflow.run(settings=hypothesis_settings(
            max_examples=SEQUENCES, stateful_step_count=STEPS, deadline=None, derandomize=not DEEP,
            database=None, suppress_health_check=list(HealthCheck), phases=[Phase.generate]))
    finally:
        Workflow.start_app = None

    print(f"stateful phase: {SEQUENCES} sequences, {Workflow.requests} requests")  # make fuzz shows it
    assert Workflow.requests >= SEQUENCES
    assert Workflow.failures == []
