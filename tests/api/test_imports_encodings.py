"""POST /imports/attendance as Chinese offices write registers: GB18030 (GBK) as well as UTF-8, and the column
headers and status words in Chinese."""
from __future__ import annotations

import dataclasses

import pytest
from support.registers import AFTER_BIG_REGISTERS, logged, refused, taken, upload


@pytest.fixture
def settings(settings):
    return dataclasses.replace(settings, fixed_today=AFTER_BIG_REGISTERS)


def chinese_register(world) -> str:
    return ("人员编号,站点,日期,出勤状态,签到,签退\r\n"
            f"{world.wang},{world.sewing},2026-03-10,出勤,,\r\n"
            f"{world.wang},{world.sewing},2026-03-11,半天,,\r\n"
            f"{world.li},{world.sewing},2026-03-10,出勤,8:00,17:00\r\n")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk"])
def test_a_register_with_chinese_headers_and_words_is_taken_in_any_office_encoding(api, world, runtime, encoding):
    before = logged(runtime)

    assert taken(upload(api, chinese_register(world).encode(encoding))) == {"rows": 3, "accepted": 3, "duplicates": 0}

    assert logged(runtime) == before + 3


def test_the_other_chinese_names_of_the_worker_column_are_taken_too(api, world, runtime):
    content = f"工号,站点,日期,出勤状态\r\n{world.wang},{world.sewing},2026-03-12,请假\r\n".encode("gb18030")

    assert taken(upload(api, content))["accepted"] == 1


def test_a_chinese_register_is_refused_by_row_and_column_with_nothing_taken(api, world, runtime):
    content = (f"人员编号,站点,日期,出勤状态\r\n{world.wang},{world.sewing},2026-03-10,出勤\r\n"
               f"{world.wang},{world.sewing},2026-03-11,迟到\r\n").encode("gb18030")
    before = logged(runtime)

    errors = refused(upload(api, content))

    assert list(errors) == ["row 3"] and list(errors["row 3"]) == ["status"]
    assert logged(runtime) == before
