"""Labourers and vacancies drawn from a small region tree, so that near and far matches both occur often."""
from datetime import date

from hypothesis import strategies as st

from matching import DEMANDS, HEAVY_WORK_LAST_AGE, HOUSEHOLD_STATUSES, TRAVEL_RANGES, Household, Labourer, Vacancy

SKILLS = ("cooking", "masonry", "sewing", "driving", "weeding", "patrol")
TODAY = date(2026, 12, 7)


@st.composite
def regions(draw, min_depth=1):
    """A path of up to five levels under one of two provinces, two branches at each level."""
    codes = [draw(st.sampled_from(["36", "44"]))]
    for _ in range(draw(st.integers(min_depth, 5)) - 1):
        codes.append(codes[-1] + draw(st.sampled_from("12")))
    return tuple(codes)


households = st.builds(Household, size=st.integers(1, 8), status=st.sampled_from(HOUSEHOLD_STATUSES),
                       income_per_person_fen=st.integers(0, 1_500_000), monitoring_line_fen=st.integers(1, 1_000_000),
                       open_alert=st.booleans())
# around the age for heavy work in TODAY's year, so that both sides of it occur often
birth_years = st.none() | st.integers(TODAY.year - HEAVY_WORK_LAST_AGE - 3, TODAY.year - HEAVY_WORK_LAST_AGE + 3) | \
    st.integers(1930, 2010)
skill_sets = st.frozensets(st.sampled_from(SKILLS), max_size=4)


@st.composite
def labourers(draw, id=None):
    return Labourer(id=id or draw(st.sampled_from(["a", "b", "c", "d", "e", "f", "g", "h"])), skills=draw(skill_sets),
                    travel_range=draw(st.sampled_from(TRAVEL_RANGES)), heaviest=draw(st.sampled_from(DEMANDS)),
                    employed_full_time=draw(st.booleans()), region=draw(regions(min_depth=3)),
                    household=draw(households), birth_year=draw(birth_years))


@st.composite
def vacancies(draw, id=None):
    start = draw(st.dates(date(2026, 6, 1), date(2027, 6, 1)))
    end = draw(st.none() | st.dates(start, date(2027, 12, 31)))
    return Vacancy(id=id or draw(st.sampled_from(["u", "v", "w", "x", "y", "z", "t", "s"])), skills=draw(skill_sets),
                   demand=draw(st.sampled_from(DEMANDS)), pay_per_month_fen=draw(st.integers(0, 1_000_000)),
                   region=draw(regions()), start=start, end=end, poor_first=draw(st.booleans()))


def unique_by_id(items):
    return list({item.id: item for item in items}.values())


labourer_lists = st.lists(labourers(), max_size=8).map(unique_by_id)
vacancy_lists = st.lists(vacancies(), max_size=8).map(unique_by_id)
