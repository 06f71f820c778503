"""Languages of the pages: Simplified Chinese first, English second; money, dates and months in each.

Messages are written in English in the code and templates and translated in the catalogs under
`app/web/translations/<area>/` (one directory per area of pages, merged by Flask-Babel), compiled by
bin/bootstrap. A person's choice of language is kept in a cookie; without one, the browser's
languages decide between the two, and Chinese wins when they name neither.
"""
from __future__ import annotations

from datetime import date
from functools import lru_cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_skeleton
from babel.numbers import get_decimal_symbol, get_group_symbol
from flask import Flask, request
from flask_babel import get_locale

DEFAULT_LOCALE = "zh_Hans_CN"
LANGUAGES = {"zh": DEFAULT_LOCALE, "en": "en"}  # what a person chooses -> the locale the pages use
LANGUAGE_COOKIE = "lang"
CATALOGS = Path(__file__).parent / "translations"


def catalog_directories() -> list[Path]:
    return sorted(path for path in CATALOGS.iterdir() if path.is_dir())


def select_locale() -> str:
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in LANGUAGES:
        return LANGUAGES[chosen]
    best = request.accept_languages.best_match(["zh", "zh-CN", "en"], default="zh")
    return LANGUAGES["en" if best == "en" else "zh"]


def language() -> str:
    """The page's language as HTML names it (`lang="zh-CN"` or `"en"`)."""
    return "en" if str(get_locale()) == "en" else "zh-CN"


def money(fen: int | None) -> str:
    """¥1,234.50 in either language (fen are integers: no float ever touches an amount), with the locale's
    separators as `format_decimal(yuan, "#,##0.00")` places them, without its cost on a page of many rows."""
    if fen is None:
        return ""
    group, decimal = _separators(get_locale())
    yuan, cents = divmod(abs(fen), 100)
    return f"{'-' if fen < 0 else ''}¥{yuan:,}".replace(",", group) + f"{decimal}{cents:02d}"


@lru_cache
def _separators(locale: Locale) -> tuple[str, str]:
    return get_group_symbol(locale), get_decimal_symbol(locale)


def day(value: date | str | None) -> str:
    """2026年11月5日, or November 5, 2026."""
    if value is None:
        return ""
    return format_date(_date(value), "long", locale=get_locale())


def month(value: str | date | None) -> str:
    """A month `YYYY-MM`: 2026年10月, or Oct 2026."""
    if value is None:
        return ""
    moment = _date(f"{value}-01" if isinstance(value, str) and len(value) == 7 else value)
    return format_skeleton("yMMM", moment, locale=get_locale())


def _date(value: date | str) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def install_filters(app: Flask) -> None:
    app.jinja_env.filters.update(money=money, day=day, month=month)
    app.jinja_env.globals.update(language=language)
