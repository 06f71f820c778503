"""`flask import-registry`: a registry sheet imported from the command line, with its progress, its errors by row
and column, and nothing changed by the same sheet again."""
from __future__ import annotations

from sqlalchemy import func, select
from support.registry_sheets import employed, person, sheet

from app.db.models import Worker


def workers(runtime) -> int:
    with runtime.sessions() as session:
        return session.scalar(select(func.count()).select_from(Worker))


def test_the_cli_registers_a_sheet_with_a_progress_bar_and_says_when_nothing_changed(app, world, runtime, tmp_path):
    path = tmp_path / "registry.csv"
    path.write_bytes(sheet([employed(person(1, "0001", world.village), world.sewing),
                            person(2, "0001", world.village)], chinese=True, encoding="gb18030"))
    before = workers(runtime)

    first = app.test_cli_runner().invoke(args=["import-registry", str(path)])
    again = app.test_cli_runner().invoke(args=["import-registry", str(path)])

    assert first.exit_code == 0, first.output
    assert "checking rows" in first.output
    assert ("2 rows: households 1 added, 0 unchanged; workers 2 added, 0 unchanged; assignments 1 added, "
            "0 unchanged") in first.output
    assert again.exit_code == 0, again.output
    assert "households 0 added, 1 unchanged" in again.output and "nothing changed" in again.output
    assert workers(runtime) == before + 2


def test_the_cli_prints_every_bad_row_and_column_and_registers_nothing(app, world, runtime, tmp_path):
    path = tmp_path / "registry.csv"
    path.write_bytes(sheet([person(1, "0001", world.village), person(2, "0002", world.village, size="0"),
                            employed(person(3, "0003", world.village), "ws-nowhere")]))
    before = workers(runtime)

    result = app.test_cli_runner().invoke(args=["import-registry", str(path)])

    assert result.exit_code != 0
    assert "row 3, household_size: Must be greater than or equal to 1 and less than or equal to 100." in result.output
    assert "row 4, site_id: unknown site ws-nowhere" in result.output
    assert "2 invalid row(s); nothing was registered" in result.output
    assert workers(runtime) == before
