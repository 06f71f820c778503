"""Amounts, dates and months as the pages show them: ¥1,234.50 and 2026年11月5日 in Chinese."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from babel.numbers import format_decimal
from flask import Flask
from flask_babel import Babel, force_locale
from hypothesis import given
from hypothesis import strategies as st

from app.web.i18n import DEFAULT_LOCALE, day, money, month


@pytest.fixture(scope="module")
def context():
    app = Flask(__name__)
    Babel(app, default_locale=DEFAULT_LOCALE)
    with app.test_request_context():
        yield


@pytest.mark.parametrize("locale", [DEFAULT_LOCALE, "en"])
@given(fen=st.integers(-10**12, 10**12))
def test_an_amount_reads_back_as_the_fen_it_shows(context, locale, fen):
    with force_locale(locale):
        shown = money(fen)

    sign = -1 if shown.startswith("-") else 1
    assert shown.lstrip("-").startswith("¥")
    assert sign * Decimal(shown.lstrip("-¥").replace(",", "")) * 100 == fen


@pytest.mark.parametrize("locale", [DEFAULT_LOCALE, "en"])
@given(fen=st.integers(-10**12, 10**12))
def test_an_amount_is_shown_as_babel_formats_it_in_the_locale(context, locale, fen):
    with force_locale(locale):
        shown = money(fen)

    sign = "-" if fen < 0 else ""
    assert shown == f"{sign}¥{format_decimal(Decimal(abs(fen)) / 100, '#,##0.00', locale=locale)}"


def test_dates_and_months_in_chinese_and_in_english(context):
    with force_locale(DEFAULT_LOCALE):
        chinese = money(123450), day(date(2026, 11, 5)), month("2026-10")
    with force_locale("en"):
        english = money(123450), day("2026-11-05"), month("2026-10")

    assert chinese == ("¥1,234.50", "2026年11月5日", "2026年10月")
    assert english == ("¥1,234.50", "November 5, 2026", "Oct 2026")
