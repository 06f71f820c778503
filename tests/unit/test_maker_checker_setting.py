"""MAKER_CHECKER: on unless the environment turns it off, in the words an operator would write."""
from __future__ import annotations

import pytest

from app.settings import Settings


@pytest.mark.parametrize("raw, on", [(None, True), ("", True), ("on", True), ("true", True), ("1", True),
                                     ("ON", True), ("off", False), ("false", False), ("0", False),
                                     (" Off ", False), ("False", False)])
def test_maker_checker_is_on_unless_turned_off(raw, on):
    env = {} if raw is None else {"MAKER_CHECKER": raw}

    assert Settings.from_env(env).maker_checker is on


def test_a_maker_checker_that_is_neither_on_nor_off_is_refused():
    with pytest.raises(ValueError, match="MAKER_CHECKER must be on or off"):
        Settings.from_env({"MAKER_CHECKER": "maybe"})
