"""On the real PostgreSQL: a line failed on a closed account is paid by the next batch to the worker's new
account, once; the first batch keeps the old account, its file too."""
from __future__ import annotations

import csv
import io

import pytest
from support.api import ApiClient

from app.access.tokens import issue_token
from app.db.models import ApprovedPay, PayPeriod, Site

pytestmark = pytest.mark.postgres

OLD_ACCOUNT, NEW_ACCOUNT = "6217003600701234567", "6228480402564890018"
SITE, MONTH, AMOUNT = "post-pg-pay", "2026-03", 80_000


@pytest.fixture(scope="module")
def clients(pg_village_api, pg_runtime) -> tuple[ApiClient, ApiClient]:
    """The post manager and the poverty office of the county, with one worker's approved March at a post."""
    api = pg_village_api
    api.created("/households", {"id": "h-pg-pay", "region_code": "360702101201", "size": 3, "status": "poor"})
    api.created("/workers", {"id": "w-pg-pay", "household_id": "h-pg-pay", "name": "Li", "bank_account": OLD_ACCOUNT})
    with pg_runtime.sessions.begin() as session:
        session.add(Site(id=SITE, kind="post", name="Cleaner", region_code="360702101201"))
        session.flush()
        session.add(PayPeriod(site_id=SITE, month=MONTH, status="approved"))
        session.add(ApprovedPay(site_id=SITE, month=MONTH, worker_id="w-pg-pay", wages_fen=AMOUNT, adjustments_fen=0,
                                amount_fen=AMOUNT))
        manager = issue_token(session, name="manager", role="post_manager", region_code="360702")
        office = issue_token(session, name="office", role="poverty_office", region_code="360702")
    return api.as_token(manager), api.as_token(office)


def accounts_in_file(client: ApiClient, batch_id: int) -> list[str]:
    response = client.get(f"/payment-batches/{batch_id}/bank.csv")
    assert response.status_code == 200
    rows = csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")))
    return [row["bank_account"] for row in rows]


def test_a_failed_line_goes_to_the_account_current_at_the_next_pay_once(clients):
    manager, office = clients
    first = manager.created(f"/sites/{SITE}/periods/{MONTH}/pay", None)
    [line] = first["lines"]
    changed = office.client.patch("/api/v1/workers/w-pg-pay", json={"bank_account": NEW_ACCOUNT},
                                  headers={"Authorization": f"Bearer {office.token}"})
    assert changed.status_code == 200, changed.get_json()

    assert accounts_in_file(manager, first["id"]) == [OLD_ACCOUNT]
    assert manager.post(f"/payment-batches/{first['id']}/results", {"lines": [
        {"line_id": line["id"], "status": "failed", "reason": "account closed"}]}).status_code == 200
    second = manager.created(f"/sites/{SITE}/periods/{MONTH}/pay", None)

    assert accounts_in_file(manager, second["id"]) == [NEW_ACCOUNT]
    assert [(again["bank_account"], again["amount_fen"]) for again in second["lines"]] == [
        ("6228***********0018", AMOUNT)]
    assert [old["bank_account"] for old in manager.get(f"/payment-batches/{first['id']}").get_json()["lines"]] == [
        "6217***********4567"]
    assert manager.post(f"/sites/{SITE}/periods/{MONTH}/pay", None).status_code == 409
