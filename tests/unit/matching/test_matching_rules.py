"""The matching rules on examples a person can check by hand: the region tree, the filters, the points."""
from datetime import date

import pytest

from matching import (
    Household,
    Labourer,
    Vacancy,
    blocks,
    monthly_pay_fen,
    rank_labourers,
    rank_vacancies,
    region_path,
    score,
    tree_distance,
)

TODAY = date(2026, 12, 7)
VILLAGE = region_path("/36/3607/360702/360702101/360702101201/")
NEIGHBOUR = region_path("/36/3607/360702/360702101/360702101202/")
OTHER_COUNTY = region_path("/36/3607/360703/")
POOR = Household(size=4, status="poor", income_per_person_fen=400_000, monitoring_line_fen=600_000)


def labourer(id="w1", **changes):
    values = dict(id=id, skills=frozenset({"cooking"}), travel_range="township", heaviest="medium",
                  employed_full_time=False, region=VILLAGE, household=POOR)
    return Labourer(**{**values, **changes})


def vacancy(id="v1", **changes):
    values = dict(id=id, skills=frozenset({"cooking", "patrol"}), demand="light", pay_per_month_fen=300_000,
                  region=NEIGHBOUR, start=date(2026, 12, 1))
    return Vacancy(**{**values, **changes})


def test_heavy_work_stops_at_the_age_and_at_a_health_limit_an_unknown_birth_year_bars_nothing():
    heavy = vacancy(demand="heavy", region=VILLAGE)
    fit = labourer(heaviest="heavy")
    assert blocks(labourer(heaviest="heavy", birth_year=TODAY.year - 55), heavy, TODAY) == ()
    assert [found.code for found in blocks(labourer(heaviest="heavy", birth_year=TODAY.year - 56), heavy, TODAY)] == [
        "too_old_for_heavy"]
    assert blocks(fit, heavy, TODAY) == ()
    assert [found.code for found in blocks(labourer(heaviest="medium", birth_year=1990), heavy, TODAY)] == [
        "too_heavy"]
    assert blocks(labourer(heaviest="heavy", birth_year=1940), vacancy(demand="medium", region=VILLAGE), TODAY) == ()


def test_a_region_path_is_its_codes_and_the_distance_goes_through_the_nearest_common_region():
    assert region_path("/36/3607/") == ("36", "3607")
    assert tree_distance(VILLAGE, NEIGHBOUR) == 2
    assert tree_distance(VILLAGE, OTHER_COUNTY) == 4
    assert tree_distance(VILLAGE, VILLAGE) == 0


def test_each_hard_filter_says_why():
    too_far = blocks(labourer(), vacancy(region=OTHER_COUNTY), TODAY)
    too_heavy = blocks(labourer(), vacancy(demand="heavy"), TODAY)
    busy = blocks(labourer(employed_full_time=True), vacancy(), TODAY)
    ended = blocks(labourer(), vacancy(end=date(2026, 12, 6)), TODAY)
    assert [found.code for found in too_far + too_heavy + busy + ended] == [
        "out_of_range", "too_heavy", "employed_full_time", "vacancy_ended"]
    assert blocks(labourer(travel_range="province"), vacancy(region=OTHER_COUNTY), TODAY) == ()


def test_the_points_add_up_from_their_reasons():
    match = score(labourer(), vacancy(), TODAY)
    # one of two skills: 20; two steps: 16; ¥36,000 a year over 4 people closes ¥2,000 of the ¥2,000 gap
    # per person: 20 x 200,000 / 600,000 = 6; poor: 10.
    assert [(found.code, found.points, dict(found.params)) for found in match.reasons] == [
        ("skills", 20, {"matched": ["cooking"], "wanted": 2}),
        ("distance", 16, {"steps": 2, "shared": 4}),
        ("closes_gap", 6, {"closed_fen": 200_000, "gap_fen": 200_000}),
        ("poor_household", 10, {}),
    ]
    assert match.score == 52


def test_a_short_post_pays_only_for_its_days_and_a_household_above_the_line_has_no_gap():
    short = score(labourer(household=Household(1, "other", 0, 600_000)), vacancy(end=date(2027, 1, 5)), TODAY)
    assert dict(short.reasons[2].params) == {"closed_fen": 300_000 * 12 * 30 // 365, "gap_fen": 600_000}
    above = score(labourer(household=Household(1, "other", 700_000, 600_000)), vacancy(), TODAY)
    assert above.reasons[2].code == "above_line" and above.reasons[2].points == 0


def test_an_open_alert_and_a_poor_first_vacancy_put_a_household_ahead():
    alerted = labourer("w2", household=Household(4, "poor", 400_000, 600_000, open_alert=True))
    ranked = rank_labourers(vacancy(poor_first=True), [labourer("w1"), alerted], TODAY)
    assert [match.labourer_id for match in ranked] == ["w2", "w1"]
    assert [found.code for found in ranked[0].reasons][-2:] == ["poor_first", "open_alert"]


def test_equal_scores_rank_by_id():
    ranked = rank_vacancies(labourer(), [vacancy("v2"), vacancy("v1")], TODAY)
    assert [match.vacancy_id for match in ranked] == ["v1", "v2"]


@pytest.mark.parametrize("changes", [dict(travel_range="city"), dict(heaviest="very")])
def test_an_unknown_range_or_limit_is_refused(changes):
    with pytest.raises(ValueError):
        labourer(**changes)


@pytest.mark.parametrize("scheme, fen", [
    ({"kind": "monthly", "stipend_fen": 80_000, "required_days": 20}, 80_000),
    ({"kind": "daily", "day_rate_fen": 12_000}, 264_000),
    ({"kind": "hourly", "rate_fen": 1_500, "standard_minutes": 480}, 264_000),
    ({"kind": "piece", "rates": {"shoe-upper": 50}}, 0),
])
def test_a_usual_month_of_each_scheme(scheme, fen):
    assert monthly_pay_fen(scheme) == fen
