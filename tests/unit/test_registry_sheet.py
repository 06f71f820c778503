"""The registry sheet read as an office writes it: the same rows whatever its encoding (UTF-8 with or without a
byte-order mark, GB18030), its headers' language (English or Chinese) and their order."""
from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st
from support.registry_sheets import CHINESE, ENGLISH, person, sheet

from app.registry.sheet import read_sheet, sheet_rows

TODAY = date(2026, 12, 1)
VILLAGE = "360702101201"
NAMES = st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5), min_size=1, max_size=4)


def rows_of(content: bytes) -> list[tuple]:
    parsed = read_sheet(sheet_rows(content), TODAY)
    assert parsed.errors == {}
    return [(line.row, line.household, line.worker, line.assignment) for line in parsed.rows]


@settings(max_examples=25, deadline=None)
@given(households=st.lists(st.tuples(st.integers(1, 9), st.sampled_from(["poor", "monitored", "other"]), NAMES),
                           min_size=1, max_size=6),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]), chinese=st.booleans(), order=st.randoms())
def test_a_sheet_reads_alike_in_any_office_encoding_header_language_and_column_order(households, encoding, chinese,
                                                                                    order):
    rows = [{**person(n, f"{n:04d}", VILLAGE, size=size, status=status), "name": name}
            for n, (size, status, name) in enumerate(households, start=1)]
    columns = list(ENGLISH)
    order.shuffle(columns)
    header = [CHINESE[name] if chinese else name for name in columns]
    text = "\r\n".join([",".join(header)] + [",".join(str(row.get(name, "")) for name in columns) for row in rows])

    assert rows_of(text.encode(encoding)) == rows_of(sheet(rows))
