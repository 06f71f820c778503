"""The SVG charts of the pages: well-formed whatever the series, one point a value, every point inside the
picture, and a month below the monitoring line marked exactly when it is below; a trend line, a corner a value."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.web.charts import income_chart, sparkline, trend_line

SVG = "{http://www.w3.org/2000/svg}"
any_fen = st.integers(min_value=-10**30, max_value=10**30)
texts = st.text(max_size=40)


def yuan(fen: int) -> str:
    return f"¥{fen / 100:,.2f}"


def chart(values: list[int], line: int, title: str = "人均纯收入") -> ET.Element:
    months = [f"{n + 1}月" for n in range(len(values))]
    titles = [f"{m} {yuan(v)}" for m, v in zip(months, values)]
    svg = income_chart(values, line, month_labels=months, point_titles=titles, money=yuan,
                       line_label="监测线 " + yuan(line), title=title, desc="12个月人均纯收入与监测线")
    return ET.fromstring(svg)


def view_box(svg: ET.Element) -> tuple[float, float, float, float]:
    x, y, width, height = map(float, svg.get("viewBox").split())
    return x, y, x + width, y + height


def points(svg: ET.Element) -> list[ET.Element]:
    return [g for g in svg.iter(f"{SVG}g") if "point" in g.get("class", "").split()]


def assert_inside(svg: ET.Element, element: ET.Element) -> None:
    left, top, right, bottom = view_box(svg)
    if element.tag == f"{SVG}rect":
        x, y = float(element.get("x")), float(element.get("y"))
        width, height = float(element.get("width")), float(element.get("height"))
        assert width >= 0 and height >= 0
        assert left <= x and x + width <= right and top <= y and y + height <= bottom
    else:
        cx, cy = float(element.get("cx")), float(element.get("cy"))
        assert left <= cx <= right and top <= cy <= bottom


def test_an_income_chart_names_itself_and_gives_each_month_its_value_to_read():
    svg = chart([80000, 30000, 0], 50000)
    assert svg.get("role") == "img"
    assert svg.find(f"{SVG}title").text == "人均纯收入" and svg.find(f"{SVG}desc").text == "12个月人均纯收入与监测线"
    assert [g.find(f"{SVG}title").text for g in points(svg)] == ["1月 ¥800.00", "2月 ¥300.00", "3月 ¥0.00"]
    assert [("below" in g.get("class").split()) for g in points(svg)] == [False, True, True]
    labels = {text.text for text in svg.iter(f"{SVG}text")}
    assert {"1月", "2月", "3月", "监测线 ¥500.00"} <= labels


def test_a_chart_has_no_style_attribute_and_escapes_what_it_is_given():
    raw = income_chart([100], 50, month_labels=["<b>&"], point_titles=['"x" </title><script>'], money=yuan,
                       line_label="a\x00b", title="</svg>", desc="d")
    assert "style=" not in raw and "<script>" not in raw
    svg = ET.fromstring(raw)
    assert svg.find(f"{SVG}title").text == "</svg>"
    assert points(svg)[0].find(f"{SVG}title").text == '"x" </title><script>'


def test_an_empty_series_is_a_chart_with_its_line_and_no_point():
    svg = chart([], 50000)
    assert points(svg) == []
    assert svg.find(f".//{SVG}line[@class='monitoring-line']") is not None


def test_a_sparkline_with_no_value_or_one_value_or_equal_values_draws():
    for values in ([], [7], [3, 3, 3], [0, 0]):
        svg = ET.fromstring(sparkline(values, title="在岗人数"))
        assert len(points(svg)) == len(values)


def test_series_and_labels_of_different_lengths_are_a_programming_error():
    with pytest.raises(ValueError):
        income_chart([1, 2], 1, month_labels=["a"], point_titles=["a", "b"], money=yuan, line_label="", title="",
                     desc="")
    with pytest.raises(ValueError):
        sparkline([1, 2], title="", point_titles=["a"])


@given(st.lists(any_fen, max_size=24), any_fen, texts)
def test_any_income_series_is_one_well_formed_point_a_month_inside_the_picture(values, line, title):
    svg = chart(values, line, title)
    marks = points(svg)
    assert len(marks) == len(values)
    for value, g in zip(values, marks):
        assert ("below" in g.get("class").split()) == (value < line)
        assert (g.find(f"{SVG}circle[@class='marker']") is not None) == (value < line)  # a shape, not only a colour
        for shape in g:
            if shape.tag in (f"{SVG}rect", f"{SVG}circle"):
                assert_inside(svg, shape)
    monitoring = svg.find(f".//{SVG}line[@class='monitoring-line']")
    left, top, right, bottom = view_box(svg)
    assert top <= float(monitoring.get("y1")) == float(monitoring.get("y2")) <= bottom


@given(st.lists(any_fen, max_size=60), texts, st.lists(texts, max_size=60))
def test_any_sparkline_is_one_well_formed_point_a_value_inside_the_picture(values, title, titles):
    titles = (titles * len(values))[:len(values)] if titles else None
    svg = ET.fromstring(sparkline(values, title=title, point_titles=titles))
    marks = points(svg)
    assert len(marks) == len(values)
    for g in marks:
        assert_inside(svg, g.find(f"{SVG}circle"))


@given(st.lists(st.integers(0, 10**6), min_size=2, max_size=12))
def test_a_higher_income_stands_higher(values):
    svg = chart(values, 0)
    tops = [float(g.find(f"{SVG}rect[@class='bar']").get("y")) for g in points(svg)]
    for (a, top_a), (b, top_b) in zip(zip(values, tops), zip(values[1:], tops[1:])):
        assert (a < b) <= (top_a >= top_b)


@given(st.lists(any_fen, max_size=60), texts)
def test_any_trend_line_is_one_well_formed_line_inside_the_picture_ending_on_a_dot(values, title):
    svg = ET.fromstring(trend_line(values, title=title, width=120, height=32))
    assert svg.find("title") is not None
    corners = [tuple(map(int, spot.split(","))) for spot in (svg.find("polyline").get("points").split()
                                                             if len(values) > 1 else [])]
    assert len(corners) == (len(values) if len(values) > 1 else 0)
    assert all(0 <= x <= 120 and 0 <= y <= 32 for x, y in corners)
    dot = svg.find("circle")
    assert (dot is None) == (not values)
    if corners:
        assert (int(dot.get("cx")), int(dot.get("cy"))) == corners[-1]


def test_a_trend_line_stands_higher_for_a_higher_value():
    svg = ET.fromstring(trend_line([1, 5, 3], title="t"))
    heights = [int(spot.split(",")[1]) for spot in svg.find("polyline").get("points").split()]
    assert heights[1] < heights[2] < heights[0]
