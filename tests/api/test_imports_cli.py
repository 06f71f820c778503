"""`flask import-attendance`: a register file imported from the command line, its errors and its progress."""
from __future__ import annotations

import dataclasses

import pytest
from support.registers import AFTER_BIG_REGISTERS, big_register, logged, register, row


@pytest.fixture
def settings(settings):
    return dataclasses.replace(settings, fixed_today=AFTER_BIG_REGISTERS)


def test_the_cli_imports_a_register_file(app, world, runtime, tmp_path, consume):
    path = tmp_path / "register.csv"
    path.write_bytes(register([row(world.wang, world.sewing, "2026-03-10"),
                               row(world.wang, world.sewing, "2026-03-11", "half_day")]))
    before = logged(runtime)

    result = app.test_cli_runner().invoke(args=["import-attendance", str(path)])

    assert result.exit_code == 0, result.output
    assert "2 rows: 2 accepted, 0 duplicates" in result.output
    assert logged(runtime) == before + 2


def test_the_cli_refuses_a_bad_register_with_the_row_errors_and_a_failure_exit(app, world, runtime, tmp_path):
    path = tmp_path / "register.csv"
    path.write_bytes(register([row(world.wang, world.sewing, "2026-03-10"),
                               row(world.wang, world.sewing, "2026-13-11"),
                               row("w-nobody", world.sewing, "2026-03-12")]))
    before = logged(runtime)

    result = app.test_cli_runner().invoke(args=["import-attendance", str(path)])

    assert result.exit_code != 0
    assert "row 3, date: Not a valid date." in result.output
    assert "row 4, worker_id: unknown worker w-nobody" in result.output
    assert "none was taken" in result.output
    assert logged(runtime) == before


def test_the_cli_shows_its_progress_on_a_large_register(app, world, runtime, tmp_path):
    path = tmp_path / "register.csv"
    path.write_bytes(register(big_register(world, 1500)))

    result = app.test_cli_runner().invoke(args=["import-attendance", str(path)])

    assert result.exit_code == 0, result.output
    assert "checking rows" in result.output
    assert "1500 rows: 1500 accepted" in result.output


def test_the_cli_refuses_a_file_that_is_neither_utf8_nor_gb18030(app, world, tmp_path):
    path = tmp_path / "register.csv"
    path.write_bytes(b"worker_id,site_id,date,status\nw-wang,ws-sewing,2026-03-10,pr\xff\xffsent\n")

    result = app.test_cli_runner().invoke(args=["import-attendance", str(path)])

    assert result.exit_code != 0
    assert "neither UTF-8 nor GB18030" in result.output
