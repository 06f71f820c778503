"""Accounts made and reset from the command line, as an admin sets up the first people."""
from __future__ import annotations

from support.pages import PageClient


def test_an_admin_makes_an_account_and_resets_its_password_from_the_command_line(app, runtime):
    cli = app.test_cli_runner()

    made = cli.invoke(args=["create-account", "--login", "13800000001", "--name", "Wang", "--role", "admin",
                            "--password", "first password ok"])
    reset = cli.invoke(args=["reset-password", "13800000001"], input="second password ok\nsecond password ok\n")

    assert made.exit_code == 0, made.output
    assert reset.exit_code == 0, reset.output
    assert PageClient(app).sign_in("13800000001", "first password ok").status_code == 401
    assert PageClient(app).sign_in("13800000001", "second password ok").status_code == 302


def test_the_command_line_refuses_a_short_password_a_taken_login_and_a_nationwide_supervisor(app):
    cli = app.test_cli_runner()
    cli.invoke(args=["create-account", "--login", "lina", "--name", "Li", "--role", "admin",
                     "--password", "long enough pw"])

    short = cli.invoke(args=["create-account", "--login", "wulei", "--name", "Wu", "--role", "admin",
                             "--password", "short"])
    taken = cli.invoke(args=["create-account", "--login", "lina", "--name", "Li", "--role", "admin",
                             "--password", "long enough pw"])
    nationwide = cli.invoke(args=["create-account", "--login", "zhou", "--name", "Zhou", "--role", "supervisor",
                                  "--password", "long enough pw"])

    assert short.exit_code == taken.exit_code == nationwide.exit_code == 2
    assert "at least 10 characters" in short.output
    assert "taken" in taken.output
    assert "nationwide" in nationwide.output
