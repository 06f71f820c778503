"""The desk's own small rules: which month is "last month", and reading the bank's results file."""
from __future__ import annotations

import csv
import io
from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from app.pay.payments import LineResult
from app.web.desk.area import last_month
from app.web.desk.bank_results import read_bank_results


@given(st.dates(min_value=date(1901, 1, 1), max_value=date(2999, 12, 31)))
def test_last_month_is_the_calendar_month_before_today(today):
    year, month = map(int, last_month(today).split("-"))

    assert (today.year * 12 + today.month) - (year * 12 + month) == 1


def test_last_month_of_january_is_december_of_the_year_before():
    assert last_month(date(2027, 1, 31)) == "2026-12"


_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Zs", "Zl", "Zp")), max_size=40)
_results = st.lists(st.builds(
    LineResult, st.integers(1, 2**40), st.sampled_from(("confirmed", "failed")),
    st.one_of(st.none(), _text.filter(bool)), st.one_of(st.none(), _text.filter(bool))),
    min_size=1, max_size=20, unique_by=lambda result: result.line_id)


@given(_results, st.booleans())
def test_a_results_file_reads_back_as_the_answers_written_into_it(results, with_extra_column):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["line_id", "status", "bank_reference", "reason", *(["amount_yuan"] if with_extra_column else [])])
    for result in results:
        writer.writerow([result.line_id, result.status, result.bank_reference or "", result.reason or "",
                         *(["1.00"] if with_extra_column else [])])
    answered = dict.fromkeys((result.line_id for result in results), "pending")

    assert read_bank_results(("\ufeff" + out.getvalue()).encode(), answered) == results
