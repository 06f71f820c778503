import pytest

from payroll import (
    InvalidWorkRecord,
    OutputLine,
    PieceScheme,
    UnknownGrade,
    UnknownProduct,
    check_output,
    piece_day_pay,
)

# 0.35 yuan a bag, 1.20 yuan a hat; default grades A 100 %, B 80 %, C 0 %
SCHEME = PieceScheme(rates={"bag": 35, "hat": 120})


def test_grade_a_pays_the_full_rate():
    assert piece_day_pay(SCHEME, [OutputLine("bag", "A", 10)]) == 350  # 10 * 35 * 100 / 100


def test_grade_b_pays_eighty_percent_by_default():
    assert piece_day_pay(SCHEME, [OutputLine("bag", "B", 10)]) == 280  # 10 * 35 * 80 / 100


def test_grade_c_pays_nothing_by_default():
    assert piece_day_pay(SCHEME, [OutputLine("hat", "C", 50)]) == 0  # 50 * 120 * 0 / 100


def test_zero_quantity_pays_nothing():
    assert piece_day_pay(SCHEME, [OutputLine("bag", "A", 0)]) == 0


def test_a_day_without_output_pays_nothing():
    assert piece_day_pay(SCHEME, []) == 0


def test_the_day_pays_the_sum_of_its_products_and_grades():
    lines = [OutputLine("bag", "A", 10), OutputLine("hat", "B", 3), OutputLine("hat", "A", 2)]
    assert piece_day_pay(SCHEME, lines) == 878  # 10 * 35 + 3 * 120 * 0.8 + 2 * 120 = 350 + 288 + 240


def test_records_of_one_product_and_grade_are_summed_before_rounding_up():
    scheme = PieceScheme(rates={"cap": 33})
    # each record alone: 1 * 33 * 0.8 = 26.4 -> 26, twice is 52; summed first: 2 * 33 * 0.8 = 52.8 -> 53
    assert piece_day_pay(scheme, [OutputLine("cap", "B", 1), OutputLine("cap", "B", 1)]) == 53


def test_records_of_one_product_and_grade_are_summed_before_rounding_down():
    scheme = PieceScheme(rates={"sock": 3}, grades={"A": 100, "half": 50})
    # each record alone: 1 * 3 * 0.5 = 1.5 -> 2, twice is 4; summed first: 2 * 3 * 0.5 = 3
    assert piece_day_pay(scheme, [OutputLine("sock", "half", 1), OutputLine("sock", "half", 1)]) == 3


def test_different_grades_of_one_product_are_rounded_separately():
    scheme = PieceScheme(rates={"cap": 33}, grades={"B": 80, "D": 70})
    # B: 1 * 33 * 0.8 = 26.4 -> 26; D: 1 * 33 * 0.7 = 23.1 -> 23; rounded together it would be 49.5 -> 50
    assert piece_day_pay(scheme, [OutputLine("cap", "B", 1), OutputLine("cap", "D", 1)]) == 49


def test_exactly_half_a_fen_rounds_up():
    scheme = PieceScheme(rates={"sock": 3}, grades={"half": 50})
    assert piece_day_pay(scheme, [OutputLine("sock", "half", 1)]) == 2  # 3 * 50 / 100 = 1.5 -> 2


def test_just_under_half_a_fen_rounds_down():
    scheme = PieceScheme(rates={"pin": 49, "nail": 50}, grades={"scrap": 1})
    assert piece_day_pay(scheme, [OutputLine("pin", "scrap", 1)]) == 0  # 49 * 1 / 100 = 0.49 -> 0
    assert piece_day_pay(scheme, [OutputLine("nail", "scrap", 1)]) == 1  # 50 * 1 / 100 = 0.5 -> 1


def test_custom_grades_replace_the_default_ones():
    scheme = PieceScheme(rates={"bag": 35}, grades={"first": 100, "second": 60})
    assert piece_day_pay(scheme, [OutputLine("bag", "second", 5)]) == 105  # 5 * 35 * 60 / 100
    with pytest.raises(UnknownGrade):
        piece_day_pay(scheme, [OutputLine("bag", "A", 5)])


def test_a_product_without_a_rate_is_invalid_not_zero_pay():
    with pytest.raises(UnknownProduct) as raised:
        piece_day_pay(SCHEME, [OutputLine("bag", "A", 10), OutputLine("shoe", "A", 1)])
    assert raised.value.product == "shoe"
    assert raised.value.field == "product"
    assert isinstance(raised.value, InvalidWorkRecord)


def test_a_grade_outside_the_scheme_is_invalid():
    with pytest.raises(UnknownGrade) as raised:
        piece_day_pay(SCHEME, [OutputLine("bag", "D", 10)])
    assert raised.value.grade == "D"
    assert raised.value.field == "grade"
    assert isinstance(raised.value, InvalidWorkRecord)


def test_grades_and_products_are_case_sensitive():
    with pytest.raises(UnknownGrade):
        piece_day_pay(SCHEME, [OutputLine("bag", "a", 1)])
    with pytest.raises(UnknownProduct):
        piece_day_pay(SCHEME, [OutputLine("Bag", "A", 1)])


def test_an_unknown_product_of_zero_quantity_is_still_invalid():
    with pytest.raises(UnknownProduct):
        piece_day_pay(SCHEME, [OutputLine("shoe", "A", 0)])


def test_a_negative_quantity_is_invalid():
    with pytest.raises(InvalidWorkRecord) as raised:
        piece_day_pay(SCHEME, [OutputLine("bag", "A", 10), OutputLine("bag", "A", -1)])
    assert raised.value.field == "quantity"


@pytest.mark.parametrize("quantity", [1.0, True, "3", None])
def test_a_quantity_must_be_a_whole_number(quantity):
    with pytest.raises(InvalidWorkRecord):
        piece_day_pay(SCHEME, [OutputLine("bag", "A", quantity)])


def test_outputs_may_be_any_iterable():
    assert piece_day_pay(SCHEME, (OutputLine("bag", "A", n) for n in (4, 6))) == 350  # (4 + 6) * 35


def test_a_zero_rate_product_is_known_and_pays_nothing():
    scheme = PieceScheme(rates={"sample": 0})
    assert piece_day_pay(scheme, [OutputLine("sample", "A", 100)]) == 0


def test_check_output_accepts_a_known_product_and_grade():
    assert check_output(SCHEME, "hat", "C") is None


def test_check_output_refuses_an_unknown_product():
    with pytest.raises(UnknownProduct):
        check_output(SCHEME, "shoe", "A")


def test_check_output_refuses_an_unknown_grade():
    with pytest.raises(UnknownGrade):
        check_output(SCHEME, "bag", "E")


def test_check_output_reports_the_product_first_when_both_are_unknown():
    with pytest.raises(UnknownProduct):
        check_output(SCHEME, "shoe", "E")


def test_output_lines_are_immutable_values():
    assert OutputLine("bag", "A", 1) == OutputLine("bag", "A", 1)
    with pytest.raises(AttributeError):
        OutputLine("bag", "A", 1).quantity = 2  # type: ignore[misc]
