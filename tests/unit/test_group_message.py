"""A vacancy as a WeChat or QQ group message: never longer than a group message may be, its link whole on the
last line, its pay and dates read back exactly, no phone or ID number typed into its free text ever shown, and
its QR code a real PNG or SVG."""
from __future__ import annotations

import re
import struct
import xml.etree.ElementTree as ET
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.jobs.group_message import (
    MAX_LINK_CHARS,
    MAX_MESSAGE_CHARS,
    VacancyNotice,
    dates_in_words,
    group_message,
    pay_in_words,
    qr_code,
)
from payroll.checks import MAX_AMOUNT_FEN
from payroll.schemes import DailyScheme, HourlyScheme, MonthlyScheme, PieceScheme

fen = st.integers(min_value=0, max_value=MAX_AMOUNT_FEN)
schemes = st.one_of(
    st.builds(HourlyScheme, rate_fen=fen),
    st.builds(DailyScheme, day_rate_fen=fen),
    st.builds(MonthlyScheme, stipend_fen=fen, required_days=st.integers(1, 31)),
    st.builds(PieceScheme, rates=st.dictionaries(st.text(min_size=1, max_size=30).map(str.strip).filter(bool), fen,
                                                 min_size=1, max_size=5)),
)
days = st.dates(min_value=date(2000, 1, 1), max_value=date(9999, 12, 31))
link_characters = st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zs", "Zl", "Zp"))
links = st.builds(lambda path: "https://jobs.example.cn/v/" + path,
                  st.text(link_characters, min_size=1, max_size=MAX_LINK_CHARS - 26))
notices = st.builds(VacancyNotice, title=st.text(max_size=200), employer=st.text(max_size=200),
                    place=st.text(max_size=200), scheme=schemes, openings=st.integers(1, 10**9), start=days,
                    end=st.none() | days, housing=st.booleans(), poor_first=st.booleans())
LINES = {"title": 0, "employer": 1, "place": 2}  # where each free text shows in a message
SEPARATORS = st.sampled_from(["", " ", "-", ".", "　", "（", "）"])


def phones():
    """A mobile number as people type it: 11 digits, sometimes with spaces, hyphens or dots between."""
    digits = st.lists(st.sampled_from("0123456789"), min_size=10, max_size=10).map(lambda d: "1" + "".join(d))
    return st.builds(lambda number, gaps: "".join(c + g for c, g in zip(number, gaps)).strip(),
                     digits, st.lists(SEPARATORS, min_size=11, max_size=11))


TEA = VacancyNotice(title="采茶工", employer="宽田茶叶基地", place="于都县潘田村", scheme=DailyScheme(15000),
                    openings=5, start=date(2026, 11, 9), end=date(2026, 12, 31), housing=True, poor_first=True)


def test_a_tea_picking_vacancy_reads_as_a_group_message():
    assert group_message(TEA, "https://jobs.example.cn/v/tea-1") == "\n".join([
        "【招工】采茶工",
        "单位：宽田茶叶基地",
        "地点：于都县潘田村",
        "工资：每天150元",
        "时间：2026年11月9日至12月31日",
        "住宿：包住",
        "人数：招5人，脱贫户和监测户优先",
        "报名：打开链接或扫二维码，留下姓名和手机号，村干部会联系您。",
        "https://jobs.example.cn/v/tea-1",
    ])


@settings(max_examples=80, deadline=None)
@given(notices, links)
def test_a_message_is_never_longer_than_a_group_message_and_ends_with_its_whole_link(notice, link):
    message = group_message(notice, link)

    assert len(message) <= MAX_MESSAGE_CHARS
    lines = message.split("\n")
    assert len(lines) == 9  # a title with line breaks cannot add a line that looks like ours
    assert lines[-1] == link


@settings(max_examples=60, deadline=None)
@given(notices, phones(), st.sampled_from(["title", "employer", "place"]), st.text(max_size=12))
def test_a_phone_number_typed_into_a_vacancy_never_reaches_the_group(notice, phone, where, before):
    notice = VacancyNotice(**{**notice.__dict__, where: before + phone})

    line = group_message(notice, "https://jobs.example.cn/v/1").split("\n")[LINES[where]]

    assert re.search(r"\d{7,}", re.sub(r"[\s\-.()（）]", "", line)) is None, line


@settings(max_examples=60, deadline=None)
@given(fen, st.sampled_from([("每小时", HourlyScheme), ("每天", DailyScheme), ("每月", None)]))
def test_pay_in_words_reads_back_as_the_amount(amount, kind):
    words, make = kind
    scheme = make(amount) if make else MonthlyScheme(amount, required_days=22)

    found = re.fullmatch(words + r"(\d+)(?:\.(\d\d))?元", pay_in_words(scheme))

    assert found is not None
    assert int(found[1]) * 100 + int(found[2] or 0) == amount


def test_a_piece_rate_names_its_first_products_and_says_there_are_more():
    scheme = PieceScheme({"鞋面": 80, "鞋底": 120, "鞋带": 5})

    assert pay_in_words(scheme) == "计件：鞋面每件0.80元，鞋底每件1.20元等"


@settings(max_examples=60, deadline=None)
@given(days, st.none() | days)
def test_dates_in_words_name_the_first_day_and_the_last_or_no_end(start, end):
    words = dates_in_words(start, end)

    assert words.startswith(f"{start.year}年{start.month}月{start.day}日")
    if end is None:
        assert words.endswith("起，长期")
    else:
        year = "" if end.year == start.year else f"{end.year}年"
        assert words.endswith(f"至{year}{end.month}月{end.day}日")


@pytest.mark.parametrize("link", ["", "https://jobs.example.cn/v/" + "x" * MAX_LINK_CHARS,
                                  "https://jobs.example.cn/v/a b", "https://jobs.example.cn/v/a\nb"])
def test_a_link_that_cannot_be_pasted_whole_is_refused(link):
    with pytest.raises(ValueError):
        group_message(TEA, link)


def test_the_qr_code_is_a_square_png_of_a_whole_qr_symbol_at_eight_pixels_a_module():
    png = qr_code("https://jobs.example.cn/v/tea-1", "png")

    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    modules = width // 8 - 2 * 4  # a quiet border of 4 modules around the symbol
    assert width == height and width % 8 == 0
    assert modules >= 21 and (modules - 21) % 4 == 0  # a QR symbol (not a micro one) of some version


def test_the_qr_code_is_an_svg_picture_too():
    svg = ET.fromstring(qr_code("https://jobs.example.cn/v/tea-1", "svg"))

    assert svg.tag == "{http://www.w3.org/2000/svg}svg"
    assert svg.find("{http://www.w3.org/2000/svg}path") is not None


def test_a_qr_code_is_a_png_or_an_svg_only():
    with pytest.raises(ValueError):
        qr_code("https://jobs.example.cn/v/tea-1", "gif")
