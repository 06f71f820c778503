"""A worker disputes a day of their pay on their phone; the site's supervisor accepts it (the correction goes through
the pipeline, and an approved month gets an adjustment) or rejects it with a reason; the worker reads the answer and
the changed pay. An open dispute holds the month back from approval, unless overridden with a reason."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select
from support.own_pay import LI_PHONE, WANG_PHONE, catch_texts, give_phone, sign_in_worker
from support.pages import signed_in

from app.db.models import Adjustment, AuditEntry, Dispute, WageLine, WorkerMessage


@pytest.fixture
def li_month(app, api, checker, world, build, consume, runtime, monkeypatch):
    """Li's March: 140 gloves of grade B and a long day sewing on the 2nd; the sewing month approved."""
    li = world.li
    events = [build.attendance(li, world.sewing, "2026-03-02", minutes=570),
              build.output(li, world.glove, "2026-03-02", "GLOVE", 104, "B")]
    assert api.post("/events", {"events": events}).status_code == 202
    consume()
    assert api.post(f"/sites/{world.sewing}/periods/2026-03/close", {}).status_code == 200
    assert checker.post(f"/sites/{world.sewing}/periods/2026-03/approve", {}).status_code == 200
    give_phone(runtime, li, LI_PHONE)
    give_phone(runtime, world.wang, WANG_PHONE)
    return catch_texts(monkeypatch)


@pytest.fixture
def supervisor(api, token, world):
    return api.as_token(token("supervisor", world.county, sites=[world.glove, world.sewing]))


def _raise(pages, **form):
    pages.get(f"/me/disputes/new?site_id={form['site_id']}&date={form['date']}")
    return pages.post("/me/disputes/new", form)


def _line(runtime, worker, site, day) -> int:
    with runtime.sessions.begin() as session:
        return session.scalar(select(WageLine.amount_fen).where(
            WageLine.worker_id == worker, WageLine.site_id == site, WageLine.work_date == day))


def test_a_worker_disputes_their_output_and_reads_the_accepted_answer_and_the_changed_pay(
        app, li_month, world, supervisor, consume, runtime):
    li = sign_in_worker(app, li_month, LI_PHONE)
    page = li.get("/me/months/2026-03").get_data(as_text=True)
    assert "有问题？" in page and "/me/disputes/new?site_id=ws-glove&amp;date=2026-03-02&amp;product=GLOVE" in page
    before = _line(runtime, world.li, world.glove, "2026-03-02")

    sent = _raise(li, site_id=world.glove, date="2026-03-02", kind="output", claimed="140", product="GLOVE",
                  note="我数过")
    assert sent.status_code == 303 and sent.headers["Location"].endswith("/me/months/2026-03")
    consume()
    [dispute] = supervisor.get("/disputes", status="open").get_json()["items"]
    assert (dispute["kind"], dispute["claimed"], dispute["product"], dispute["note"]) == ("output", "140", "GLOVE",
                                                                                            "我数过")
    assert "等待负责人处理" in li.get("/me/months/2026-03").get_data(as_text=True)

    answer = supervisor.post(f"/disputes/{dispute['id']}/accept", {})
    assert answer.status_code == 202, answer.get_json()
    assert len(answer.get_json()["corrections"]) == 2  # the 104 voided, 140 recorded
    consume()

    assert supervisor.get(f"/disputes/{dispute['id']}").get_json()["status"] == "accepted"
    after = _line(runtime, world.li, world.glove, "2026-03-02")
    assert (before, after) == (2746, 3696)  # grade B gloves at ¥0.33, 80% paid: on 104 pieces, then 140
    page = li.get("/me/months/2026-03").get_data(as_text=True)
    assert "已采纳，工资已更正" in page and "GLOVE B 等级 140 件" in page
    with runtime.sessions.begin() as session:
        message = session.get(WorkerMessage, f"dispute/{dispute['id']}")
        assert (message.kind, message.worker_id) == ("dispute_accepted", world.li)


def test_accepting_a_dispute_of_an_approved_month_pays_the_difference_as_an_adjustment(
        app, li_month, world, supervisor, consume, runtime):
    li = sign_in_worker(app, li_month, LI_PHONE)
    before = _line(runtime, world.li, world.sewing, "2026-03-02")
    assert _raise(li, site_id=world.sewing, date="2026-03-02", kind="hours", claimed="10").status_code == 303
    consume()
    [dispute] = supervisor.get("/disputes", site_id=world.sewing).get_json()["items"]

    assert supervisor.post(f"/disputes/{dispute['id']}/accept", {}).status_code == 202
    consume()

    # The approved line stands; the difference, 9.5 hours to 10 (2 of them overtime at 1.5×), is an adjustment.
    assert before == _line(runtime, world.li, world.sewing, "2026-03-02") == 17938
    with runtime.sessions.begin() as session:
        adjusted = session.scalar(select(func.sum(Adjustment.amount_fen)).where(
            Adjustment.worker_id == world.li, Adjustment.site_id == world.sewing,
            Adjustment.adjusts_month == "2026-03"))
    assert adjusted == 19250 - 17938


def test_a_rejected_dispute_tells_the_worker_why(app, li_month, world, supervisor, consume, runtime):
    li = sign_in_worker(app, li_month, LI_PHONE, language="en")
    assert _raise(li, site_id=world.glove, date="2026-03-03", kind="worked", note="").status_code == 303
    consume()
    [dispute] = supervisor.get("/disputes").get_json()["items"]

    refused = supervisor.post(f"/disputes/{dispute['id']}/reject", {"reason": "the workshop was shut that day"})
    assert refused.status_code == 202
    consume()

    page = li.get("/me/months/2026-03").get_data(as_text=True)
    assert "Not accepted" in page and "Why: the workshop was shut that day" in page
    assert li.get("/me/api/disputes").get_json()["items"][0]["status"] == "rejected"
    assert supervisor.post(f"/disputes/{dispute['id']}/reject", {"reason": "again"}).status_code == 409
    with runtime.sessions.begin() as session:
        steps = session.scalars(select(AuditEntry.row_key).where(AuditEntry.table_name == "disputes",
                                                                 AuditEntry.row_key.like(f"%{dispute['id']} %"))).all()
    assert sorted(step.split()[-1] for step in steps) == ["raised", "rejected"]


def test_an_open_dispute_holds_the_month_back_until_overridden_with_a_reason(
        app, li_month, world, api, checker, consume, runtime):
    li = sign_in_worker(app, li_month, LI_PHONE)
    assert _raise(li, site_id=world.glove, date="2026-03-02", kind="output", claimed="140",
                  product="GLOVE").status_code == 303
    consume()
    assert api.post(f"/sites/{world.glove}/periods/2026-03/close", {}).status_code == 200

    refused = checker.post(f"/sites/{world.glove}/periods/2026-03/approve", {})
    assert refused.status_code == 409 and "1 open dispute" in refused.get_json()["detail"]
    bulk = checker.post("/periods/2026-03/approve", {}).get_json()
    assert bulk["moved"] == 0 and bulk["not_moved"]["flagged"] == 1  # the glove workshop: the only month closed

    approved = checker.post(f"/sites/{world.glove}/periods/2026-03/approve", {"override": "counted again on site"})
    assert approved.status_code == 200
    with runtime.sessions.begin() as session:
        [dispute_id] = session.scalars(select(Dispute.id)).all()
        entry = session.scalars(select(AuditEntry).where(AuditEntry.row_key.like("%approved over open flags"))).one()
    assert entry.before["open_disputes"] == [dispute_id] and entry.after == {"override": "counted again on site"}


def test_a_worker_can_neither_see_nor_dispute_another_workers_days(app, li_month, world, consume):
    li = sign_in_worker(app, li_month, LI_PHONE)
    assert _raise(li, site_id=world.glove, date="2026-03-02", kind="worked").status_code == 303
    consume()
    wang = sign_in_worker(app, li_month, WANG_PHONE)

    assert wang.get("/me/api/disputes").get_json() == {"items": []}
    refused = _raise(wang, site_id=world.glove, date="2026-03-02", kind="worked")
    assert refused.status_code == 422 and "w-li" not in refused.get_data(as_text=True)
    wang.get("/me/months/2026-03")
    as_li = wang.client.post("/me/api/disputes", json={"worker_id": world.li, "site_id": world.glove,
                                                       "date": "2026-03-02", "kind": "worked"},
                             headers={"X-CSRFToken": wang.token})
    assert as_li.status_code == 422 and as_li.get_json()["errors"] == {"site_id": ["not yours on this day"]}
    assert "Li Xiuying" not in wang.get("/me/months/2026-03").get_data(as_text=True)


def test_the_worker_api_raises_a_dispute_and_refuses_bad_input_with_a_problem(app, li_month, world, consume):
    li = sign_in_worker(app, li_month, LI_PHONE)
    li.get("/me/months/2026-03")
    headers = {"X-CSRFToken": li.token}
    bad = li.client.post("/me/api/disputes", json={"site_id": world.glove, "date": "2026-13-40", "kind": "guess",
                                                   "claimed": "many"}, headers=headers)
    assert bad.status_code == 422 and bad.mimetype == "application/problem+json"
    assert set(bad.get_json()["errors"]) == {"date", "kind", "claimed"}
    later = li.client.post("/me/api/disputes", json={"site_id": world.glove, "date": "2999-01-01",
                                                     "kind": "worked"}, headers=headers)
    assert later.status_code == 422

    raised = li.client.post("/me/api/disputes", json={"site_id": world.sewing, "date": "2026-03-02",
                                                      "kind": "hours", "claimed": 10}, headers=headers)
    assert raised.status_code == 202 and raised.get_json()["status"] == "open"
    consume()
    again = li.client.post("/me/api/disputes", json={"site_id": world.sewing, "date": "2026-03-02",
                                                     "kind": "hours", "claimed": 10}, headers=headers)
    assert again.status_code == 409
    assert [d["claimed"] for d in li.get("/me/api/disputes").get_json()["items"]] == ["10"]


def test_only_the_sites_supervisor_answers_and_the_post_manager_reads(
        app, li_month, world, api, token, consume):
    li = sign_in_worker(app, li_month, LI_PHONE)
    assert _raise(li, site_id=world.glove, date="2026-03-02", kind="worked").status_code == 303
    consume()
    [dispute] = api.get("/disputes").get_json()["items"]
    elsewhere = api.as_token(token("supervisor", world.county, sites=[world.sewing]))
    manager = api.as_token(token("post_manager", world.county))
    far_manager = api.as_token(token("post_manager", world.other_county))

    assert elsewhere.post(f"/disputes/{dispute['id']}/accept", {}).status_code == 403
    assert elsewhere.get("/disputes").get_json()["items"] == []
    assert manager.get(f"/disputes/{dispute['id']}").status_code == 200
    assert manager.post(f"/disputes/{dispute['id']}/accept", {}).status_code == 403
    assert far_manager.get("/disputes").get_json()["items"] == []
    assert api.post(f"/disputes/{dispute['id']}/reject", {}).status_code == 422


def test_the_supervisor_answers_on_their_page_and_the_post_manager_reads_it_there_and_at_the_desk(
        app, li_month, world, api, consume, runtime):
    li = sign_in_worker(app, li_month, LI_PHONE)
    assert _raise(li, site_id=world.glove, date="2026-03-02", kind="output", claimed="140",
                  product="GLOVE").status_code == 303
    consume()
    assert api.post(f"/sites/{world.glove}/periods/2026-03/close", {}).status_code == 200
    [dispute] = api.get("/disputes").get_json()["items"]
    supervisor = signed_in(app, runtime, "supervisor", world.county, (world.glove,))
    manager = signed_in(app, runtime, "post_manager", world.county)

    page = supervisor.get("/register/disputes").get_data(as_text=True)
    assert "Li Xiuying" in page and "产量不对：140 (GLOVE)" in page and "采纳并更正" in page
    desk = manager.get(f"/desk/sites/{world.glove}/months/2026-03").get_data(as_text=True)
    assert "未处理的工资申诉：1 条" in desk and "有 1 条工资申诉未处理" in desk
    seen = manager.get("/register/disputes").get_data(as_text=True)
    assert "Li Xiuying" in seen and "采纳并更正" not in seen
    assert manager.post(f"/register/disputes/{dispute['id']}/accept").status_code == 403

    unsaid = supervisor.post(f"/register/disputes/{dispute['id']}/reject", {"reason": " "})
    assert "请写明不采纳的原因" in supervisor.get(unsaid.headers["Location"]).get_data(as_text=True)
    assert supervisor.post(f"/register/disputes/{dispute['id']}/accept").status_code == 303
    consume()

    assert api.get(f"/disputes/{dispute['id']}").get_json()["status"] == "accepted"
    assert "已采纳" in supervisor.get("/register/disputes").get_data(as_text=True)
    desk = manager.get(f"/desk/sites/{world.glove}/months/2026-03").get_data(as_text=True)
    assert "有 1 条工资申诉未处理" not in desk


def test_the_office_counts_each_sites_disputes_by_outcome(app, li_month, world, api, supervisor, consume, runtime):
    li = sign_in_worker(app, li_month, LI_PHONE)
    for day in ("2026-03-02", "2026-03-03", "2026-03-04"):
        assert _raise(li, site_id=world.glove, date=day, kind="worked").status_code == 303
    assert _raise(li, site_id=world.sewing, date="2026-03-05", kind="worked").status_code == 303
    consume()
    glove = supervisor.get("/disputes", site_id=world.glove).get_json()["items"]
    first, second, _third = sorted(dispute["id"] for dispute in glove)
    assert supervisor.post(f"/disputes/{first}/accept", {}).status_code == 202
    assert supervisor.post(f"/disputes/{second}/reject", {"reason": "not that day"}).status_code == 202
    consume()

    stats = api.get("/stats/disputes", region=world.county).get_json()
    assert (stats["raised"], stats["open"], stats["accepted"], stats["rejected"]) == (4, 2, 1, 1)
    assert [(s["site_id"], s["raised"], s["open"], s["accepted"], s["rejected"]) for s in stats["sites"]] == [
        (world.glove, 3, 1, 1, 1), (world.sewing, 1, 1, 0, 0)]
    assert api.get("/stats/disputes", region=world.other_county).get_json()["sites"] == []
    office = signed_in(app, runtime, "poverty_office", world.county)
    page = office.get(f"/office/county?region={world.county}").get_data(as_text=True)
    assert "工人工资申诉" in page and "Glove workshop" in page and "Sewing workshop" in page


@pytest.mark.parametrize(("role", "sites", "landing"), [("supervisor", ("ws-glove",), "/register/"),
                                                         ("post_manager", (), "/desk/months")])
def test_the_menu_names_the_disputes_and_each_role_still_lands_on_its_main_page(app, runtime, world, role, sites,
                                                                                landing):
    pages = signed_in(app, runtime, role, world.county, sites)

    assert pages.get("/").headers["Location"].startswith(landing)
    assert 'href="/register/disputes"' in pages.get(landing, follow_redirects=True).get_data(as_text=True)
