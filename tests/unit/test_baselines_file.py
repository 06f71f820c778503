"""A baseline file reads back the rows written into it, whatever its encoding, header language and column order."""
from __future__ import annotations

import csv
import io

from hypothesis import given, settings
from hypothesis import strategies as st

from app.jobs.baselines_file import HEADERS, BaselineRow, read_baselines

rows = st.lists(st.tuples(st.integers(100000, 999999).map(str), st.integers(2000, 2100), st.integers(0, 10**6),
                          st.none() | st.integers(0, 10**6)), max_size=6,
                unique_by=lambda row: row[:2]).map(lambda drawn: [(*row[:3], None if row[3] is None else
                                                                   min(row[3], row[2])) for row in drawn])


@settings(max_examples=40)
@given(rows, st.sampled_from(["utf-8", "utf-8-sig", "gbk", "gb18030"]), st.sampled_from([0, 1]), st.randoms())
def test_a_file_reads_back_its_rows_whatever_its_encoding_headers_and_column_order(drawn, encoding, language, order):
    fields = list(HEADERS)
    order.shuffle(fields)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([HEADERS[field][language] for field in fields])
    for row in drawn:
        values = dict(zip(HEADERS, row))
        writer.writerow(["" if values[field] is None else values[field] for field in fields])

    assert read_baselines(out.getvalue().encode(encoding)) == [BaselineRow(n, *row) for n, row in
                                                                 enumerate(drawn, start=2)]
