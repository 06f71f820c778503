"""A vacancy as a message for a village's WeChat or QQ group: a few short lines in Chinese (what, where, the
pay in words, the dates, housing, how to apply) ending with the link of its public page, and that link as a
QR code (segno) to paste beside it.

The message is Chinese whatever the reader's language, because the groups it goes to are; its length is at
most `MAX_MESSAGE_CHARS`: a group message a phone shows whole, well under WeChat's and QQ's own limits. It is
made from a `VacancyNotice`, which holds only what the vacancy's public page shows, so no labourer's name or
phone can reach it; and any long run of digits in the employer's free text (a phone or ID number typed
into a title) is masked."""
from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date

import segno

from payroll.schemes import DailyScheme, HourlyScheme, MonthlyScheme, PieceScheme, WageScheme

MAX_MESSAGE_CHARS = 300
MAX_LINK_CHARS = 90  # a link is never cut, so it has its own bound: refused beyond it
# Each free text has its own share of the message, so the whole stays within MAX_MESSAGE_CHARS by construction.
TITLE_CHARS, EMPLOYER_CHARS, PLACE_CHARS, PRODUCT_CHARS = 24, 20, 24, 6
PIECE_PRODUCTS = 2  # a piece-rate's first products named; the rest as "等"
MASK = "＊＊＊"

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]+")
_SPACES = re.compile(r"\s+")
_LONG_NUMBER = re.compile(r"\d(?:[\s\-.()（）]*\d){6,}")  # 7 digits or more: a phone, ID or card number


@dataclass(frozen=True)
class VacancyNotice:
    """What a vacancy's public page shows, and nothing else."""
    title: str
    employer: str  # an employer's name: a base, cooperative, farm or enterprise
    place: str  # its region's names, e.g. "于都县潘田村"
    scheme: WageScheme
    openings: int
    start: date
    end: date | None  # None: no end date
    housing: bool
    poor_first: bool  # poor and monitored households come first


def group_message(notice: VacancyNotice, link: str) -> str:
    """The message, its last line the link. Raises ValueError for a link over MAX_LINK_CHARS or holding a
    space or a control character (a link is pasted whole or it does not open)."""
    if len(link) > MAX_LINK_CHARS or not link or _SPACES.search(link) or _CONTROL.search(link):
        raise ValueError(f"a link of at most {MAX_LINK_CHARS} characters without spaces is needed, got {link!r}")
    openings = f"招{min(notice.openings, 9999)}人" + ("，脱贫户和监测户优先" if notice.poor_first else "")
    lines = [
        f"【招工】{_short(notice.title, TITLE_CHARS)}",
        f"单位：{_short(notice.employer, EMPLOYER_CHARS)}",
        f"地点：{_short(notice.place, PLACE_CHARS)}",
        f"工资：{pay_in_words(notice.scheme)}",
        f"时间：{dates_in_words(notice.start, notice.end)}",
        f"住宿：{'包住' if notice.housing else '不包住'}",
        f"人数：{openings}",
        "报名：打开链接或扫二维码，留下姓名和手机号，村干部会联系您。",
        link,
    ]
    return "\n".join(lines)


def pay_in_words(scheme: WageScheme) -> str:
    """"每小时18元", "每天150元", "每月800元", "计件：鞋面每件0.80元等"."""
    if isinstance(scheme, HourlyScheme):
        return f"每小时{yuan(scheme.rate_fen)}"
    if isinstance(scheme, DailyScheme):
        return f"每天{yuan(scheme.day_rate_fen)}"
    if isinstance(scheme, MonthlyScheme):
        return f"每月{yuan(scheme.stipend_fen)}"
    if isinstance(scheme, PieceScheme):
        named = list(scheme.rates.items())[:PIECE_PRODUCTS]  # in the order the employer wrote them
        rates = "，".join(f"{_short(product, PRODUCT_CHARS)}每件{yuan(fen)}" for product, fen in named)
        return f"计件：{rates}" + ("等" if len(scheme.rates) > PIECE_PRODUCTS else "")
    raise TypeError(f"not a wage scheme: {scheme!r}")


def yuan(fen: int) -> str:
    """1800 -> "18元", 1850 -> "18.50元": whole yuan without decimals, as people write pay."""
    whole, cents = divmod(fen, 100)
    return f"{whole}元" if cents == 0 else f"{whole}.{cents:02d}元"


def dates_in_words(start: date, end: date | None) -> str:
    """"2026年11月5日至12月31日", "2026年11月5日起，长期"."""
    first = _day(start)
    if end is None:
        return f"{first}起，长期"
    last = f"{end.month}月{end.day}日" if end.year == start.year else _day(end)
    return f"{first}至{last}"


def _day(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _short(text: str, limit: int) -> str:
    """One line of at most `limit` characters: controls dropped, spaces folded, long numbers masked, and an
    ellipsis where it was cut."""
    text = mask_numbers(_SPACES.sub(" ", _CONTROL.sub("", text)).strip())
    return text if len(text) <= limit else text[:limit - 1] + "…"


def mask_numbers(text: str) -> str:
    """Runs of 7 digits or more (a phone, ID or bank card number), with spaces, hyphens, dots or brackets between
    them, become MASK."""
    return _LONG_NUMBER.sub(MASK, text)


def qr_code(link: str, kind: str) -> bytes:
    """The link as a QR code: `kind` "png" (for pasting into a chat) or "svg"; medium error correction, so a
    code printed on a notice and a little worn still reads. Raises ValueError for another kind."""
    if kind not in ("png", "svg"):
        raise ValueError(f"a QR code is a png or an svg, not {kind!r}")
    code = segno.make(link, error="m", micro=False)
    out = io.BytesIO()
    code.save(out, kind=kind, scale=8 if kind == "png" else 4, border=4)
    return out.getvalue()
