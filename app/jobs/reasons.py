"""A match's reasons in words, in Simplified Chinese and in English: one table for the API and the pages."""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import matching
from labour.vocabulary import PHYSICAL_DEMANDS, SKILLS, TRAVEL_RANGES

LANGUAGES = ("zh", "en")
# Where two regions meet, by the levels of the tree they share.
SHARED_PLACE = {"zh": ("省外", "同省", "同市", "同县", "同乡镇", "同村"),
                "en": ("in another province", "in the same province", "in the same city", "in the same county",
                       "in the same township", "in the same village")}


def _yuan(fen: int) -> str:
    return f"¥{fen // 100:,}.{fen % 100:02d}"


def _skills(names: list[str], language: str) -> str:
    index = LANGUAGES.index(language)
    return ("、" if language == "zh" else ", ").join(SKILLS.get(name, (name, name))[index] for name in names)


def _place(shared: int, language: str) -> str:
    return SHARED_PLACE[language][min(shared, len(SHARED_PLACE[language]) - 1)]


def _vocabulary(table: Mapping[str, tuple[str, str]], code: str, language: str) -> str:
    return table.get(code, (code, code))[LANGUAGES.index(language)]


_WORDS: dict[str, dict[str, Callable[..., str]]] = {
    "skills": {
        "zh": lambda matched, wanted: (f"具备所需{wanted}项技能中的{len(matched)}项：{_skills(matched, 'zh')}"
                                       if matched else f"不具备所需的{wanted}项技能"),
        "en": lambda matched, wanted: (f"Has {len(matched)} of the {wanted} skills wanted: {_skills(matched, 'en')}"
                                       if matched else f"Has none of the {wanted} skills wanted")},
    "distance": {
        "zh": lambda steps, shared: f"{_place(shared, 'zh')}（地区间隔{steps}级）",
        "en": lambda steps, shared: f"{_place(shared, 'en').capitalize()} ({steps} steps apart in the region tree)"},
    "closes_gap": {
        "zh": lambda closed_fen, gap_fen: (f"工资可补上家庭人均纯收入距监测线差额{_yuan(gap_fen)}"
                                           f"中的{_yuan(closed_fen)}"),
        "en": lambda closed_fen, gap_fen: (f"The pay closes {_yuan(closed_fen)} of the {_yuan(gap_fen)} a person the "
                                           "household is short of the monitoring line")},
    "above_line": {"zh": lambda: "家庭人均纯收入已达监测线",
                   "en": lambda: "The household's per-capita income is at or above the monitoring line"},
    "poor_household": {"zh": lambda: "脱贫户", "en": lambda: "A poor household"},
    "monitored_household": {"zh": lambda: "防止返贫监测对象", "en": lambda: "A monitored household"},
    "poor_first": {"zh": lambda: "该岗位优先录用脱贫户和监测户",
                   "en": lambda: "The vacancy puts poor and monitored households first"},
    "open_alert": {"zh": lambda: "家庭有未处置的收入预警", "en": lambda: "The household has an open income alert"},
    "out_of_range": {"zh": lambda travel_range: f"超出外出范围（{_vocabulary(TRAVEL_RANGES, travel_range, 'zh')}）",
                     "en": lambda travel_range: ("Beyond how far they travel "
                                                 f"({_vocabulary(TRAVEL_RANGES, travel_range, 'en').lower()})")},
    "too_heavy": {"zh": lambda demand, heaviest: f"{_vocabulary(PHYSICAL_DEMANDS, demand, 'zh')}超出身体条件",
                  "en": lambda demand, heaviest: (f"{_vocabulary(PHYSICAL_DEMANDS, demand, 'en')} work, heavier "
                                                  "than their health allows")},
    "too_old_for_heavy": {"zh": lambda age, limit: f"年满{age}岁，超过{limit}岁不安排重体力岗位",
                          "en": lambda age, limit: f"Aged {age} this year: no heavy work past {limit}"},
    "fit_for_heavy": {"zh": lambda age, limit: (f"身体条件允许重体力劳动，今年{age}岁（重体力岗位限{limit}岁以内）"
                                                if age is not None else "身体条件允许重体力劳动（未登记出生年份）"),
                      "en": lambda age, limit: (f"Fit for heavy work, aged {age} this year (heavy work up to {limit})"
                                                if age is not None else
                                                "Fit for heavy work (birth year not recorded)")},
    "employed_full_time": {"zh": lambda: "已全职就业", "en": lambda: "Already employed full time"},
    "vacancy_ended": {"zh": lambda end: f"岗位已于{end}结束", "en": lambda end: f"The vacancy ended on {end}"},
}


def reason_text(reason: matching.Reason, language: str) -> str:
    """The reason in words; `language` is "zh" or "en"."""
    return _WORDS[reason.code][language](**dict(reason.params))


def reason_out(reason: matching.Reason, language: str) -> dict[str, Any]:
    """A reason as the API answers it: its code, points, parameters and words."""
    return {**reason.as_dict(), "text": reason_text(reason, language)}
