"""The manager's desk through its pages: a region's month by village, a village's sites, a site's month, its
moves (close, approve by another person, return with a reason, a village's approval at once) and its payment
(the batch, the bank file, the bank's results with a failed line). Each action is a form posted as a browser
posts it."""
from __future__ import annotations

import csv
import dataclasses
import io
from collections import Counter
from datetime import date

import hypothesis
import pytest
from hypothesis import given
from hypothesis import strategies as st
from support.pages import PageClient, account_id, make_account
from support.world import LI_BANK_ACCOUNT

from app.db.models import PaymentLine, PeriodTransition
from app.pay.month_overview import VillageCounts
from app.web.desk.months import add_up

APRIL = "2026-04"
SEWING = "/desk/sites/ws-sewing/months/2026-04"


@pytest.fixture
def maker_checker() -> bool:
    return True


@pytest.fixture
def settings(settings, maker_checker):
    # "Last month" is April.
    return dataclasses.replace(settings, fixed_today=date(2026, 5, 6), maker_checker=maker_checker)


@pytest.fixture
def desk(app, runtime, world):
    """A post manager of Zhanggong at the desk, in Chinese; `desk.other()` a second one."""
    return manager(app, runtime, world.county)


def manager(app, runtime, region: str, language: str | None = None) -> PageClient:
    pages = PageClient(app, language)
    pages.enter_as(account_id(runtime, make_account(runtime, "post_manager", region)))
    return pages


def text(response) -> str:
    return response.get_data(as_text=True)


def refusal(response) -> str:
    """What the page says in its alert: why the form was refused."""
    page = text(response)
    start = page.index('role="alert"')
    return page[start:page.index("</div>", start)]


@pytest.fixture
def april(api, build, consume, world):
    """Li's and Wang's April at the sewing workshop, and Li's at the glove workshop."""
    events = [build.attendance(world.li, world.sewing, "2026-04-06", check_in="08:00", check_out="17:00"),
              build.attendance(world.wang, world.sewing, "2026-04-06"),
              build.output(world.li, world.glove, "2026-04-07", "GLOVE", 10)]
    assert api.post("/events", {"events": events}).status_code == 202
    consume()


def test_the_months_page_counts_last_months_sites_and_workers_of_each_village_by_state(desk, april, world):
    assert desk.post(f"{SEWING}/close").status_code == 303

    page = text(desk.get("/desk/months"))

    assert "2026年4月" in page and "Tangxi" not in page  # another county's village
    villages = page[page.index("按村汇总"):page.index("</table>", page.index("按村汇总"))]
    xiaba = villages[villages.index("Xiaba"):villages.index("</tr>", villages.index("Xiaba"))]
    assert f'href="/desk/villages/{world.village}/months/{APRIL}"' in villages
    assert "已关账 1" in xiaba and "未关账 2" in xiaba  # sites: sewing closed; glove and the cleaner's post open
    assert "已关账 2" in xiaba and "未关账 1" in xiaba  # workers: Li and Wang at sewing; Li at the glove workshop
    assert "审核已关账月份" in xiaba and "审核Zhanggong全部已关账月份" in villages
    assert "Sewing workshop" not in page  # a village's sites are on its own page


counts = st.dictionaries(st.sampled_from(["open", "closed", "approved", "paid"]), st.integers(1, 10**6))
villages = st.lists(st.builds(VillageCounts, village_code=st.text(max_size=3), village_name=st.just("v"),
                              month=st.just(APRIL), sites=counts, workers=counts), max_size=20)


@hypothesis.settings(max_examples=50)
@given(villages)
def test_the_regions_line_adds_up_its_villages_by_status(villages):
    total = add_up(villages)

    for kind in ("sites", "workers"):
        assert Counter(total[kind]) == sum((Counter(getattr(v, kind)) for v in villages), Counter())
        assert list(total[kind]) == sorted(total[kind])


def test_a_villages_page_shows_its_site_months_with_totals_and_who_closed_them(desk, april, world):
    assert desk.post(f"{SEWING}/close").status_code == 303

    page = text(desk.get(f"/desk/villages/{world.village}/months/{APRIL}"))

    assert "Xiaba" in page and "2026年4月" in page
    assert "Sewing workshop" in page and "Glove workshop" in page and "Village cleaner" in page
    assert "Tangxi workshop" not in page
    assert "已关账" in page and "未关账" in page and "您" in page  # closed, by this manager
    assert "¥286.25" in page  # the sewing workshop earned: Li's 9 hours (one overtime) and Wang's day
    assert "计时工资" in page and "计件工资" in page
    assert f'href="{SEWING}"' in page


def test_a_villages_page_filters_by_status_and_other_countys_villages_are_refused(desk, april, world):
    desk.post(f"{SEWING}/close")

    closed = text(desk.get(f"/desk/villages/{world.village}/months/{APRIL}?status=closed"))
    elsewhere = desk.get(f"/desk/villages/{world.other_village}/months/{APRIL}")
    unknown = desk.get(f"/desk/villages/999999999999/months/{APRIL}")
    bad_status = desk.get(f"/desk/villages/{world.village}/months/{APRIL}?status=lost")

    assert "Sewing workshop" in closed and "Glove workshop" not in closed
    assert (elsewhere.status_code, unknown.status_code, bad_status.status_code) == (403, 404, 400)


def earned(page: str) -> str:
    """The village's earned total, as its totals card shows it."""
    start = page.index("<dt>应发</dt><dd>") + len("<dt>应发</dt><dd>")
    return page[start:page.index("</dd>", start)]


def test_a_villages_sites_come_a_page_at_a_time_under_the_whole_villages_totals(desk, world, april, monkeypatch):
    village = f"/desk/villages/{world.village}/months/{APRIL}"
    whole = text(desk.get(village))
    monkeypatch.setattr("app.web.desk.village.PAGE_SIZE", 2)

    first, second = text(desk.get(village)), text(desk.get(f"{village}?page=2"))

    assert earned(first) == earned(second) == earned(whole) == "¥289.55"  # sewing ¥286.25, Li's 10 gloves ¥3.30

    assert "Village cleaner" in first and "Glove workshop" in first and "Sewing workshop" not in first
    assert "第 1 页，共 2 页" in first and 'rel="next"' in first and 'rel="prev"' not in first
    assert "Sewing workshop" in second and "Glove workshop" not in second and 'rel="prev"' in second
    assert desk.get(f"{village}?page=3").status_code == 404


def test_the_months_page_sends_a_village_asked_for_by_name_to_its_own_page(desk, world):
    answer = desk.get(f"/desk/months?month={APRIL}&village={world.village}")

    assert answer.status_code == 302
    assert answer.headers["Location"].endswith(f"/desk/villages/{world.village}/months/{APRIL}")
    assert desk.get(f"/desk/months?month={APRIL}&village={world.other_village}").status_code == 403


def test_a_month_closed_by_one_manager_is_approved_by_another(app, runtime, desk, april, world):
    checker = manager(app, runtime, world.county)
    desk.post(f"{SEWING}/close")

    closer_sees = text(desk.get(SEWING))
    approved = checker.post(f"{SEWING}/approve")

    assert "本月由您关账：须由他人审核。" in closer_sees and f"{SEWING}/approve" not in closer_sees
    assert approved.status_code == 303 and approved.headers["Location"].endswith(SEWING)
    page = text(checker.get(SEWING))
    assert "本月已审核，工资已锁定。" in page and "已审核" in page


def test_returning_a_month_needs_a_reason_and_keeps_it_in_the_history(runtime, desk, april):
    desk.post(f"{SEWING}/close")

    refused = desk.post(f"{SEWING}/return", {"reason": "  "})
    returned = desk.post(f"{SEWING}/return", {"reason": "王建国4月6日的考勤漏记"})

    assert refused.status_code == 422 and "请填写退回原因" in refusal(refused)
    assert returned.status_code == 303
    page = text(desk.get(SEWING))
    assert "未关账" in page and "王建国4月6日的考勤漏记" in page
    with runtime.sessions() as session:
        assert [move.reason for move in session.query(PeriodTransition).filter_by(to_status="open")] == [
            "王建国4月6日的考勤漏记"]


def test_a_move_the_month_is_not_ready_for_is_refused_with_a_clear_message(desk, april):
    refused = desk.post(f"{SEWING}/approve")  # still open

    assert refused.status_code == 409
    assert "该月份现为未关账；审核需要该月份为已关账。" in refusal(refused)


def test_approving_a_village_at_once_approves_its_closed_months_and_counts_the_others(api, desk, april, world):
    for site in (world.sewing, world.glove):
        assert api.post(f"/sites/{site}/periods/{APRIL}/close", {}).status_code == 200

    answer = desk.post(f"/desk/months/{APRIL}/approve", {"region_code": world.village})

    assert answer.status_code == 303
    page = text(desk.get(answer.headers["Location"]))
    assert "Xiaba：已审核 2 个站点月份。" in page
    assert "未审核（未关账）：1 个。" in page  # the village cleaner's post
    assert api.get(f"/sites/{world.glove}/periods/{APRIL}").get_json()["status"] == "approved"


def test_approving_a_village_from_its_page_goes_back_to_it(api, desk, april, world):
    assert api.post(f"/sites/{world.glove}/periods/{APRIL}/close", {}).status_code == 200
    village = f"/desk/villages/{world.village}/months/{APRIL}"
    assert "审核2026年4月已关账的月份" in text(desk.get(village))

    answer = desk.post(f"/desk/months/{APRIL}/approve", {"region_code": world.village, "back": "village"})

    assert answer.status_code == 303 and answer.headers["Location"].endswith(village)
    page = text(desk.get(village))
    assert "Xiaba：已审核 1 个站点月份。" in page and "审核2026年4月已关账的月份" not in page


def test_approving_another_countys_village_is_refused(desk, world):
    assert desk.post(f"/desk/months/{APRIL}/approve", {"region_code": world.other_village}).status_code == 403


def approved_april(api, checker) -> None:
    """Closed by one admin and approved by another (maker-checker)."""
    assert api.post(f"/sites/ws-sewing/periods/{APRIL}/close", {}).status_code == 200
    assert checker.post(f"/sites/ws-sewing/periods/{APRIL}/approve", {}).status_code == 200


def test_paying_an_approved_month_makes_a_batch_whose_bank_file_is_the_apis(api, checker, desk, april):
    approved_april(api, checker)

    paid = desk.post(f"{SEWING}/pay")

    assert paid.status_code == 303 and paid.headers["Location"].endswith(f"{SEWING}#payments")
    page = text(desk.get(SEWING))
    batch = _batch_id(page)
    bank_file = desk.get(f"/desk/batches/{batch}/bank.csv")
    assert bank_file.status_code == 200 and bank_file.mimetype == "text/csv"
    assert bank_file.headers["Content-Disposition"] == f"attachment; filename=payment-batch-{batch}.csv"
    assert bank_file.data == api.get(f"/payment-batches/{batch}/bank.csv").data
    assert LI_BANK_ACCOUNT in bank_file.data.decode("utf-8-sig")
    assert LI_BANK_ACCOUNT not in page  # the page shows accounts masked


def _batch_id(page: str) -> int:
    marker = "/desk/batches/"
    start = page.index(marker) + len(marker)
    return int(page[start:page.index("/", start)])


def test_the_banks_results_with_a_failed_line_show_it_and_the_next_pay_sends_it_again(api, checker, desk, april,
                                                                                     runtime):
    approved_april(api, checker)
    desk.post(f"{SEWING}/pay")
    batch = _batch_id(text(desk.get(SEWING)))
    lines = {row["worker_id"]: row["line_id"] for row in csv.DictReader(
        io.StringIO(desk.get(f"/desk/batches/{batch}/bank.csv").data.decode("utf-8-sig")))}
    results = (f"line_id,status,bank_reference,reason\r\n{lines['w-li']},confirmed,B-77,\r\n"
               f"{lines['w-wang']},failed,,账户已冻结\r\n").encode()

    answered = desk.post(f"/desk/batches/{batch}/results", {"results": (io.BytesIO(results), "回盘.csv")})

    assert answered.status_code == 303
    page = text(desk.get(SEWING))
    assert "银行结果已记录：1 条已到账，1 条发放失败。" in page
    assert "账户已冻结" in page and "下一代发批次将发放" in page and "Wang Jianguo: ¥120.00" in page
    new_account = api.client.patch("/api/v1/workers/w-wang", json={"bank_account": "6228480402564890018"},
                                   headers={"Authorization": f"Bearer {api.token}"})
    assert new_account.status_code == 200
    assert desk.post(f"{SEWING}/pay").status_code == 303  # the failed line, in a second batch, to the new account
    with runtime.sessions() as session:
        again = session.query(PaymentLine).filter(PaymentLine.batch_id != batch).all()
    assert [(line.worker_id, line.amount_fen, line.status) for line in again] == [("w-wang", 12000, "pending")]
    assert "6228***********0018" in text(desk.get(SEWING))
    second_file = desk.get(f"/desk/batches/{again[0].batch_id}/bank.csv").data.decode("utf-8-sig")
    assert "6228480402564890018" in second_file


def test_a_bad_results_file_is_refused_by_row_and_nothing_is_recorded(api, checker, desk, april, runtime):
    approved_april(api, checker)
    desk.post(f"{SEWING}/pay")
    batch = _batch_id(text(desk.get(SEWING)))
    results = b"line_id,status\r\n999999,confirmed\r\nx,paid\r\n"

    refused = desk.post(f"/desk/batches/{batch}/results", {"results": (io.BytesIO(results), "results.csv")})

    assert refused.status_code == 422
    page = text(refused)
    assert "第 3 行：line_id 须为本批次的明细编号。" in page
    assert "第 3 行：status 须为 confirmed（已到账）或 failed（失败）。" in page
    assert "第 2 行：明细 999999 不属于本批次。" in page
    with runtime.sessions() as session:
        assert {line.status for line in session.query(PaymentLine)} == {"pending"}


def test_a_results_file_that_is_not_a_csv_of_the_banks_answers_is_refused(api, checker, desk, april):
    approved_april(api, checker)
    desk.post(f"{SEWING}/pay")
    batch = _batch_id(text(desk.get(SEWING)))

    binary = desk.post(f"/desk/batches/{batch}/results", {"results": (io.BytesIO(b"\xff\xfe\x00"), "x.csv")})
    headless = desk.post(f"/desk/batches/{batch}/results", {"results": (io.BytesIO(b"1,confirmed\n"), "x.csv")})
    missing = desk.post(f"/desk/batches/{batch}/results", {})

    assert binary.status_code == headless.status_code == missing.status_code == 422
    assert "不是 UTF-8 编码的 CSV 文件" in text(binary)
    assert "须有 line_id 和 status" in text(headless)
    assert "请选择要上传的银行回盘文件" in text(missing)


def test_the_payroll_sheet_shows_on_the_page_and_downloads_as_the_apis_files(api, desk, april):
    page = text(desk.get(SEWING))
    sheet_csv = desk.get(f"{SEWING}/payroll.csv")
    sheet_xlsx = desk.get(f"{SEWING}/payroll.xlsx")

    assert "Li Xiuying" in page and "Wang Jianguo" in page and "¥120.00" in page
    assert sheet_csv.data == api.get(f"/sites/ws-sewing/periods/{APRIL}/payroll.csv").data
    assert sheet_xlsx.headers["Content-Disposition"] == f"attachment; filename=payroll-ws-sewing-{APRIL}.xlsx"
    assert sheet_xlsx.data[:2] == b"PK"


def test_the_desk_speaks_english_when_asked(app, runtime, world, april):
    desk = manager(app, runtime, world.county, language="en")

    page = text(desk.get(SEWING))

    assert 'lang="en"' in page and "Close the month" in page and "Payroll sheet" in page and "Apr 2026" in page


def test_supervisors_and_poverty_offices_have_no_desk(app, runtime, world):
    for role, sites in (("supervisor", ("ws-sewing",)), ("poverty_office", ())):
        pages = PageClient(app)
        pages.enter_as(account_id(runtime, make_account(runtime, role, world.county, sites)))
        assert pages.get("/desk/months").status_code == 403
        assert pages.get(SEWING).status_code == 403


def test_an_adjustment_to_an_approved_month_shows_with_the_month_it_corrects(api, checker, build, consume, desk,
                                                                           april, world):
    approved_april(api, checker)
    late = build.attendance(world.wang, world.sewing, "2026-04-07")  # a day of April, told after its approval
    assert api.post("/events", {"events": [late]}).status_code == 202
    consume()

    may = text(desk.get("/desk/sites/ws-sewing/months/2026-05"))

    assert "随本月发放的差额调整" in may
    adjustments = may[may.index("随本月发放的差额调整"):]
    assert "Wang Jianguo" in adjustments and "2026年4月" in adjustments and "¥120.00" in adjustments
    village = text(desk.get(f"/desk/villages/{world.village}/months/2026-05"))
    listed = village[village.index("随本月发放的差额调整"):]
    assert "Sewing workshop" in listed and "Wang Jianguo" in listed and "2026年4月" in listed


def test_the_person_who_closed_a_month_is_refused_its_approval_with_a_clear_message(desk, april, api):
    desk.post(f"{SEWING}/close")

    refused = desk.post(f"{SEWING}/approve")  # a form kept from before the close, say

    assert refused.status_code == 409
    assert "本月由您关账：须由他人审核。" in refusal(refused)
    assert api.get(f"/sites/ws-sewing/periods/{APRIL}").get_json()["status"] == "closed"


def test_approving_a_village_at_once_leaves_the_months_you_closed_for_someone_else(desk, april, api, world):
    desk.post(f"{SEWING}/close")
    assert api.post(f"/sites/{world.glove}/periods/{APRIL}/close", {}).status_code == 200

    answer = desk.post(f"/desk/months/{APRIL}/approve", {"region_code": world.village})

    page = text(desk.get(answer.headers["Location"]))
    assert "Xiaba：已审核 1 个站点月份。" in page
    assert "由您关账、未审核：1 个，须由他人审核。" in page
    assert api.get(f"/sites/ws-sewing/periods/{APRIL}").get_json()["status"] == "closed"


@pytest.mark.parametrize("maker_checker", [False])
def test_without_maker_checker_the_person_who_closed_a_month_may_approve_it(desk, april, maker_checker):
    desk.post(f"{SEWING}/close")

    offered = text(desk.get(SEWING))
    approved = desk.post(f"{SEWING}/approve")

    assert f"{SEWING}/approve" in offered and "须由他人审核" not in offered
    assert approved.status_code == 303
