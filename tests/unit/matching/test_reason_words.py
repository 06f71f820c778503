"""Matching speaks the registry's words: its vocabularies are the registry's, and every reason it gives, or every
filter it applies, has its words in Chinese and English."""
import dataclasses
from datetime import date

import pytest

from app.jobs.reasons import reason_text
from labour.vocabulary import PHYSICAL_DEMANDS, TRAVEL_RANGES
from matching import DEMANDS, SHARED_LEVELS, Household, Labourer, Vacancy, blocks, score
from matching import TRAVEL_RANGES as MATCHING_RANGES

DAY = date(2026, 12, 7)


def test_the_demands_and_travel_ranges_are_the_registrys():
    assert DEMANDS == tuple(PHYSICAL_DEMANDS)
    assert MATCHING_RANGES == tuple(TRAVEL_RANGES) == tuple(SHARED_LEVELS)


def every_reason():
    poor = Household(size=2, status="poor", income_per_person_fen=0, monitoring_line_fen=600_000, open_alert=True)
    other = Household(size=2, status="monitored", income_per_person_fen=900_000, monitoring_line_fen=600_000)
    labourer = Labourer("w", frozenset({"cooking"}), "village", "light", True, ("36", "3607"), poor)
    vacancy = Vacancy("v", frozenset({"cooking", "masonry"}), "heavy", 100_000, ("44",), date(2026, 1, 1),
                      date(2026, 2, 1), poor_first=True)
    found = [*blocks(labourer, vacancy, DAY), *score(labourer, vacancy, DAY).reasons]
    old = Labourer("o", frozenset(), "anywhere", "heavy", False, ("36",), other, birth_year=1950)
    unknown = Labourer("u", frozenset(), "anywhere", "heavy", False, ("36",), other)
    return found + list(score(Labourer("x", frozenset(), "anywhere", "heavy", False, ("36",), other, birth_year=1980),
                              vacancy, DAY).reasons) + list(blocks(old, vacancy, DAY)) + list(
        score(unknown, vacancy, DAY).reasons)


@pytest.mark.parametrize("language", ["zh", "en"])
def test_every_reason_and_filter_has_its_words(language):
    reasons = every_reason()
    assert {reason.code for reason in reasons} == {
        "out_of_range", "too_heavy", "employed_full_time", "vacancy_ended", "skills", "distance", "closes_gap",
        "above_line", "poor_household", "monitored_household", "poor_first", "open_alert", "too_old_for_heavy",
        "fit_for_heavy"}
    assert all(reason_text(reason, language) for reason in reasons)


def test_money_and_skills_read_as_people_write_them():
    poor = Household(size=1, status="poor", income_per_person_fen=0, monitoring_line_fen=600_000)
    labourer = Labourer("w", frozenset({"cooking"}), "village", "light", False, ("36",), poor)
    vacancy = Vacancy("v", frozenset({"cooking"}), "light", 12_345, ("36",), date(2026, 1, 1), date(2026, 12, 7))
    skills, _, gap = score(labourer, vacancy, DAY).reasons[:3]
    assert reason_text(skills, "zh") == "具备所需1项技能中的1项：烹饪"
    assert reason_text(gap, "en") == ("The pay closes ¥4.05 of the ¥6,000.00 a person the household is short of "
                                      "the monitoring line")


def test_the_age_for_heavy_work_reads_in_both_languages():
    other = Household(size=2, status="other", income_per_person_fen=900_000, monitoring_line_fen=600_000)
    heavy = Vacancy("v", frozenset(), "heavy", 100_000, ("36",), date(2026, 1, 1))
    old = Labourer("o", frozenset(), "anywhere", "heavy", False, ("36",), other, birth_year=1960)
    (too_old,) = blocks(old, heavy, DAY)
    assert reason_text(too_old, "zh") == "年满66岁，超过55岁不安排重体力岗位"
    assert reason_text(too_old, "en") == "Aged 66 this year: no heavy work past 55"
    fit = [found for found in score(dataclasses.replace(old, birth_year=1990), heavy, DAY).reasons
           if found.code == "fit_for_heavy"]
    assert [reason_text(found, "en") for found in fit] == [
        "Fit for heavy work, aged 36 this year (heavy work up to 55)"]
