"""The matching rules' invariants: the hard filters are never broken, a ranking does not depend on anything that
should not matter, and what should only help a match never lowers its rank."""
import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st
from support.matching import TODAY, labourer_lists, labourers, vacancies, vacancy_lists

from matching import DEMANDS, SHARED_LEVELS, blocks, rank_labourers, rank_vacancies

EXAMPLES = settings(max_examples=25, deadline=None)


def breaks_a_hard_filter(labourer, vacancy):
    """The filters written again from their words: the vacancy's region lies under the labourer's own region cut
    to their travel range, it asks no more than their heaviest, it is not heavy for someone who turns 56 or more
    this year, they are free, and it has not ended."""
    reach = labourer.region[:SHARED_LEVELS[labourer.travel_range]]
    return (vacancy.region[:len(reach)] != reach or DEMANDS.index(vacancy.demand) > DEMANDS.index(labourer.heaviest)
            or too_old(labourer, vacancy)
            or labourer.employed_full_time or (vacancy.end is not None and vacancy.end < TODAY))


def too_old(labourer, vacancy):
    return vacancy.demand == "heavy" and labourer.birth_year is not None and labourer.birth_year < TODAY.year - 55


def ids(matches, side):
    return [getattr(match, side) for match in matches]


@EXAMPLES
@given(vacancies(), labourer_lists)
def test_a_vacancy_ranks_exactly_the_labourers_no_hard_filter_excludes(vacancy, labourers):
    ranked = set(ids(rank_labourers(vacancy, labourers, TODAY), "labourer_id"))
    assert ranked == {labourer.id for labourer in labourers if not breaks_a_hard_filter(labourer, vacancy)}


@EXAMPLES
@given(labourers(), vacancy_lists)
def test_a_labourer_ranks_exactly_the_vacancies_no_hard_filter_excludes(labourer, vacancies):
    ranked = set(ids(rank_vacancies(labourer, vacancies, TODAY), "vacancy_id"))
    assert ranked == {vacancy.id for vacancy in vacancies if not breaks_a_hard_filter(labourer, vacancy)}


@EXAMPLES
@given(vacancies(), labourer_lists, vacancy_lists)
def test_heavy_work_never_goes_to_a_labourer_past_the_age_or_with_a_health_limit(vacancy, labourers, others):
    heavy = dataclasses.replace(vacancy, id="heavy", demand="heavy")  # an id none of the others has
    kept_out = {labourer.id for labourer in labourers if labourer.heaviest != "heavy" or too_old(labourer, heavy)}
    assert kept_out.isdisjoint(ids(rank_labourers(heavy, labourers, TODAY), "labourer_id"))
    for labourer in labourers:
        offered = [match.vacancy_id for match in rank_vacancies(labourer, others + [heavy], TODAY)]
        heavy_ones = {one.id for one in others + [heavy] if one.demand == "heavy"}
        if labourer.id in kept_out:
            assert heavy_ones.isdisjoint(offered)
            reasons = {found.code for found in blocks(labourer, heavy, TODAY)}
            assert reasons & {"too_heavy", "too_old_for_heavy"}
        for match in rank_vacancies(labourer, [heavy], TODAY):
            assert "fit_for_heavy" in {found.code for found in match.reasons}


@EXAMPLES
@given(vacancies(), labourer_lists, st.randoms(use_true_random=False), st.integers(0, 12))
def test_a_ranking_ignores_the_order_of_its_input_and_a_limit_keeps_its_head(vacancy, labourers, random, limit):
    shuffled = list(labourers)
    random.shuffle(shuffled)
    ranked = rank_labourers(vacancy, labourers, TODAY)
    assert rank_labourers(vacancy, shuffled, TODAY) == ranked
    assert rank_labourers(vacancy, shuffled, TODAY, limit=limit) == ranked[:limit]


@EXAMPLES
@given(vacancies(), labourer_lists, labourer_lists)
def test_unrelated_labourers_added_keep_the_order_of_the_others(vacancy, labourers, others):
    known = {labourer.id for labourer in labourers}
    others = [other for other in others if other.id not in known]
    together = rank_labourers(vacancy, labourers + others, TODAY)
    assert [match for match in together if match.labourer_id in known] == rank_labourers(vacancy, labourers, TODAY)


@EXAMPLES
@given(labourers(), vacancy_lists, vacancy_lists)
def test_unrelated_vacancies_added_keep_the_order_of_the_others(labourer, vacancies, others):
    known = {vacancy.id for vacancy in vacancies}
    others = [other for other in others if other.id not in known]
    together = rank_vacancies(labourer, vacancies + others, TODAY)
    assert [match for match in together if match.vacancy_id in known] == rank_vacancies(labourer, vacancies, TODAY)


@EXAMPLES
@given(vacancies(), labourer_lists, st.randoms(use_true_random=False))
def test_renaming_labourers_changes_only_the_order_within_equal_scores(vacancy, labourers, random):
    names = [f"renamed-{n}" for n in range(len(labourers))]
    random.shuffle(names)
    renamed = dict(zip((labourer.id for labourer in labourers), names))
    before = rank_labourers(vacancy, labourers, TODAY)
    after = rank_labourers(vacancy, [dataclasses.replace(one, id=renamed[one.id]) for one in labourers], TODAY)
    assert [(match.score, match.reasons) for match in after] == [(match.score, match.reasons) for match in before]
    for score in {match.score for match in before}:
        assert ({renamed[match.labourer_id] for match in before if match.score == score}
                == {match.labourer_id for match in after if match.score == score})


def with_household(labourer, **changes):
    return dataclasses.replace(labourer, household=dataclasses.replace(labourer.household, **changes))


@EXAMPLES
@given(vacancies(), labourers(id="chosen"), labourer_lists)
def test_an_open_alert_never_lowers_a_labourers_rank(vacancy, chosen, others):
    quiet = [with_household(chosen, open_alert=False)] + [one for one in others if one.id != "chosen"]
    alerted = [with_household(chosen, open_alert=True)] + quiet[1:]
    before = ids(rank_labourers(vacancy, quiet, TODAY), "labourer_id")
    after = ids(rank_labourers(vacancy, alerted, TODAY), "labourer_id")
    assert ("chosen" in before) == ("chosen" in after)
    if "chosen" in before:
        assert after.index("chosen") <= before.index("chosen")


@EXAMPLES
@given(labourers(), vacancy_lists)
def test_an_open_alert_leaves_the_order_of_a_labourers_vacancies_alone(labourer, vacancies):
    before = rank_vacancies(with_household(labourer, open_alert=False), vacancies, TODAY)
    after = rank_vacancies(with_household(labourer, open_alert=True), vacancies, TODAY)
    assert ids(after, "vacancy_id") == ids(before, "vacancy_id")


def rank_of(matches, side, chosen="chosen"):
    found = ids(matches, side)
    return found.index(chosen) if chosen in found else None


@EXAMPLES
@given(labourers(), vacancies(id="chosen"), vacancy_lists, st.integers(0, 1_000_000))
def test_better_pay_never_lowers_a_vacancys_rank(labourer, chosen, others, raise_fen):
    others = [one for one in others if one.id != "chosen"]
    better = dataclasses.replace(chosen, pay_per_month_fen=chosen.pay_per_month_fen + raise_fen)
    before = rank_of(rank_vacancies(labourer, [chosen] + others, TODAY), "vacancy_id")
    after = rank_of(rank_vacancies(labourer, [better] + others, TODAY), "vacancy_id")
    assert (before is None) == (after is None)
    assert before is None or after <= before


@EXAMPLES
@given(vacancies(), labourers(id="chosen"), labourer_lists, st.sampled_from(["cooking", "patrol"]))
def test_a_skill_the_vacancy_wants_never_lowers_a_labourers_rank(vacancy, chosen, others, skill):
    others = [one for one in others if one.id != "chosen"]
    vacancy = dataclasses.replace(vacancy, skills=vacancy.skills | {skill})
    skilled = dataclasses.replace(chosen, skills=chosen.skills | {skill})
    before = rank_of(rank_labourers(vacancy, [chosen] + others, TODAY), "labourer_id")
    after = rank_of(rank_labourers(vacancy, [skilled] + others, TODAY), "labourer_id")
    assert (before is None) == (after is None)
    assert before is None or after <= before
