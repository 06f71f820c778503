"""Ranking both ways: the allowed matches, best score first, ties by the other side's id so a ranking never
depends on the order of its input."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from matching.facts import Labourer, Vacancy
from matching.filters import allowed
from matching.score import Match, score


def rank_labourers(vacancy: Vacancy, labourers: Iterable[Labourer], today: date,
                   limit: int | None = None) -> list[Match]:
    """The labourers the vacancy may be offered to, best first (at most ``limit``)."""
    matches = [score(labourer, vacancy, today) for labourer in labourers if allowed(labourer, vacancy, today)]
    matches.sort(key=lambda match: (-match.score, match.labourer_id))
    return matches[:limit]


def rank_vacancies(labourer: Labourer, vacancies: Iterable[Vacancy], today: date,
                   limit: int | None = None) -> list[Match]:
    """The vacancies the labourer may be offered, best first (at most ``limit``)."""
    matches = [score(labourer, vacancy, today) for vacancy in vacancies if allowed(labourer, vacancy, today)]
    matches.sort(key=lambda match: (-match.score, match.vacancy_id))
    return matches[:limit]
