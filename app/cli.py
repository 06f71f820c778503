"""Command-line tasks: `flask --app app <command>`. Each is a plain click command run inside the
app's context (`current_app`), so one set of commands serves every app `create_app` builds."""
from __future__ import annotations

import sys
from datetime import UTC, datetime

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from app.migrate import upgrade_database
from app.runtime import Runtime


def _runtime() -> Runtime:
    return current_app.extensions["stablework"]


@click.command("migrate")
@with_appcontext
def migrate_command() -> None:
    """Bring the database schema up to date (Alembic upgrade head)."""
    upgrade_database(_runtime().settings.database_url)
    click.echo("database is up to date")


@click.command("create-token")
@click.option("--role", required=True, type=click.Choice(["admin", "supervisor", "post_manager",
                                                          "poverty_office"]))
@click.option("--name", default="first admin", show_default=True)
@click.option("--region", "region_code", default=None, help="region code; omit for a nationwide admin")
@click.option("--site", "site_ids", multiple=True, help="a site a supervisor supervises (repeatable)")
@click.option("--expires-in-days", type=click.IntRange(1, 3650), default=None,
              help="the token stops working after this many days; default: never (revoke it instead)")
@with_appcontext
def create_token_command(role: str, name: str, region_code: str | None, site_ids: tuple[str, ...],
                         expires_in_days: int | None) -> None:
    """Create a bearer token and print it (only its hash is stored)."""
    from app.access.tokens import expiry_in, issue_token

    with _runtime().sessions.begin() as session:
        try:
            token = issue_token(session, name=name, role=role, region_code=region_code,
                                site_ids=list(site_ids), expires_at=expiry_in(expires_in_days))
        except ValueError as error:
            raise click.UsageError(str(error)) from None
    click.echo(token)


@click.command("list-tokens")
@with_appcontext
def list_tokens_command() -> None:
    """List every token, oldest first: id, role, region, sites, name and state (never the token itself)."""
    from app.access.tokens import sites_of, tokens_within

    with _runtime().sessions() as session:
        tokens = session.scalars(tokens_within(None)).all()
        sites = sites_of(session, tokens)
    click.echo("\t".join(("id", "role", "region", "sites", "created_at", "expires_at", "revoked_at", "name")))
    for token in tokens:
        click.echo("\t".join((token.id, token.role, token.region_code or "-", ",".join(sites[token.id]) or "-",
                              _instant(token.created_at), _instant(token.expires_at),
                              _instant(token.revoked_at), token.name)))


@click.command("revoke-token")
@click.argument("token_id")
@with_appcontext
def revoke_token_command(token_id: str) -> None:
    """Revoke a token by its id (see list-tokens): it is refused from the next request on."""
    from app.access.tokens import revoke_token

    with _runtime().sessions.begin() as session:
        record = revoke_token(session, token_id)
        if record is None:
            raise click.ClickException(f"no token {token_id}")
        click.echo(f"token {record.id} ({record.name}) revoked at {_instant(record.revoked_at)}")


def _new_password(password: str | None) -> str:
    """A password from the option, or asked for twice at the terminal (hidden)."""
    return password or click.prompt("password", hide_input=True, confirmation_prompt=True)


@click.command("create-account")
@click.option("--login", required=True, help="the user name (or phone number) the person signs in with")
@click.option("--name", required=True, help="the person's name, as the pages greet them")
@click.option("--role", required=True, type=click.Choice(["admin", "supervisor", "post_manager",
                                                          "poverty_office"]))
@click.option("--region", "region_code", default=None, help="region code; omit for a nationwide admin")
@click.option("--site", "site_ids", multiple=True, help="a site a supervisor supervises (repeatable)")
@click.option("--password", envvar="STABLEWORK_NEW_PASSWORD", default=None,
              help="the first password (default: asked for at the terminal)")
@with_appcontext
def create_account_command(login: str, name: str, role: str, region_code: str | None, site_ids: tuple[str, ...],
                           password: str | None) -> None:
    """Create an account to sign in to the pages (the password is kept only as an Argon2id hash)."""
    from app.access.accounts import AccountError, create_account

    with _runtime().sessions.begin() as session:
        try:
            account = create_account(session, login=login, name=name, password=_new_password(password), role=role,
                                     region_code=region_code, site_ids=list(site_ids))
        except AccountError as error:
            raise click.UsageError(str(error)) from None
        click.echo(f"account {account.login} ({account.role}) created")


@click.command("reset-password")
@click.argument("login")
@click.option("--password", envvar="STABLEWORK_NEW_PASSWORD", default=None,
              help="the new password (default: asked for at the terminal)")
@with_appcontext
def reset_password_command(login: str, password: str | None) -> None:
    """Give an account a new password: unlocks it and signs out its sessions."""
    from app.access.accounts import AccountError, account_by_login, reset_password

    with _runtime().sessions.begin() as session:
        account = account_by_login(session, login)
        if account is None:
            raise click.ClickException(f"no account {login}")
        try:
            reset_password(session, account.id, _new_password(password))
        except AccountError as error:
            raise click.UsageError(str(error)) from None
    click.echo(f"password of {login} reset; its sessions are signed out")


@click.command("rotate-data-key")
@with_appcontext
def rotate_data_key_command() -> None:
    """Re-encrypt all personal data with the first key of STABLEWORK_DATA_KEYS (then the others can go)."""
    from app.access.rotation import rotate_data_key
    from app.db.crypto import keyring

    count = rotate_data_key(_runtime().sessions, keyring())
    click.echo(f"{count} worker(s) re-encrypted with the newest data key")


@click.command("rebuild")
@with_appcontext
def rebuild_command() -> None:
    """Rebuild work records and wage lines from the events (stop the consumers first)."""
    from app.ledger.rebuild import rebuild_derived

    rebuild_derived(_runtime())
    click.echo("derived tables emptied and the consumer group rewound: start the consumers to rebuild")


@click.command("ledger-partitions")
@with_appcontext
def ledger_partitions_command() -> None:
    """Make the ledger's month partitions ahead (PostgreSQL), and those of rows waiting in a DEFAULT partition."""
    from app.db.partitions import keep_months

    runtime = _runtime()
    with runtime.engine.begin() as connection:
        made = keep_months(connection, runtime.settings.today())
    click.echo(" ".join(made) or "every month has its partitions")


@click.command("archive-month")
@click.argument("month")
@with_appcontext
def archive_month_command(month: str) -> None:
    """Detach a paid month's partitions (PostgreSQL) as plain tables, to dump and drop (docs/deployment.md)."""
    from app.db.partitions import detach_month

    runtime = _runtime()
    if len(month) != 7 or month >= runtime.settings.today().isoformat()[:7]:
        raise click.ClickException(f"{month!r}: give a month before this one, as YYYY-MM")
    with runtime.engine.begin() as connection:
        archived = detach_month(connection, month)
    if not archived:
        raise click.ClickException(f"{month} has no partition (SQLite, or archived already)")
    for name in archived:
        click.echo(name)


@click.command("replay-dead-letters")
@click.option("--id", "letter_ids", type=int, multiple=True, help="a dead letter id (repeatable); default all")
@with_appcontext
def replay_dead_letters_command(letter_ids: tuple[int, ...]) -> None:
    """Send parked events through the consumers again, once their cause is fixed."""
    from app.ledger.rebuild import replay_dead_letters

    count = replay_dead_letters(_runtime(), list(letter_ids) or None)
    click.echo(f"{count} dead letter(s) replayed")


@click.command("import-attendance")
@click.argument("file", type=click.File("rb"))
@with_appcontext
def import_attendance_command(file) -> None:
    """Take a CSV attendance register as events, as the system: all rows or none (as POST /imports/attendance)."""
    from sqlalchemy.exc import IntegrityError

    from app.ledger import register as imports
    from app.ledger.checks import work_today

    runtime = _runtime()
    try:
        register = imports.read_register(file.read(), datetime.now(UTC))
        # Checking is what takes time on a large register; a small one needs no bar.
        shown = len(register.events) >= 1000
        with click.progressbar(length=len(register.events), label="checking rows", hidden=not shown,
                               file=sys.stderr) as bar:
            events, errors = imports.parse_register(register, bar.update)
        with runtime.sessions.begin() as session:
            result = imports.take_register(session, runtime.bus, runtime.settings.topic_work_events,
                                           register, events, errors, work_today(runtime.settings))
    except (imports.RegisterUnreadable, imports.RegisterTooLarge) as error:
        raise click.ClickException(str(error)) from None
    except IntegrityError:
        raise click.ClickException("another writer took some of these event ids meanwhile; nothing was "
                                   "taken: run the import again") from None
    except imports.RegisterRejected as rejected:
        for row, columns in rejected.errors.items():
            for column, messages in columns.items():
                for message in messages:
                    click.echo(f"{row}, {column}: {message}", err=True)
        raise click.ClickException(f"{len(rejected.errors)} invalid row(s); none was taken") from None
    click.echo(f"{result.rows} rows: {result.accepted} accepted, {result.duplicates} duplicates")


@click.command("import-registry")
@click.argument("file", type=click.File("rb"))
@with_appcontext
def import_registry_command(file) -> None:
    """Register the households, workers and assignments of a CSV or XLSX sheet, as the system: all rows or none
    (as POST /imports/registry, without its row limit); the same sheet again changes nothing."""
    from sqlalchemy.exc import IntegrityError

    from app.registry import imports
    from app.registry.sheet import sheet_rows
    from app.sheets import SheetUnreadable

    runtime = _runtime()
    try:
        rows = sheet_rows(file.read())
        with click.progressbar(length=max(len(rows) - 1, 0), label="checking rows", file=sys.stderr) as bar:
            sheet = imports.read_sheet(rows, runtime.settings.today(), bar.update)
        with runtime.sessions.begin() as session:
            result = imports.import_registry(session, sheet, imports.NATIONWIDE)
    except SheetUnreadable as error:
        raise click.ClickException(str(error)) from None
    except IntegrityError:
        raise click.ClickException("another writer registered some of these meanwhile; nothing was registered: "
                                   "run the import again") from None
    except imports.RegistryRejected as rejected:
        _echo_errors(rejected.errors)
        raise click.ClickException(f"{len(rejected.errors)} invalid row(s); nothing was registered") from None
    for row, warnings in result.warnings.items():
        click.echo(f"{row}: warning: {' '.join(warnings)}", err=True)
    added = (f"{name} {counts.added} added, {counts.unchanged} unchanged" for name, counts in (
        ("households", result.households), ("workers", result.workers), ("assignments", result.assignments)))
    click.echo(f"{result.rows} rows: {'; '.join(added)}" + ("" if result.changed else "; nothing changed"))


def _echo_errors(errors: dict[str, dict[str, list[str]]]) -> None:
    for row, columns in errors.items():
        for column, messages in columns.items():
            for message in messages:
                click.echo(f"{row}, {column}: {message}", err=True)


@click.command("import-baselines")
@click.argument("file", type=click.File("rb"))
@click.option("--by", "recorded_by", default="cli", show_default=True, help="Who the baselines are recorded by.")
@with_appcontext
def import_baselines_command(file, recorded_by: str) -> None:
    """Record the migrant workforce baselines of a county office's CSV or XLSX file, all rows or none (as POST
    /labour-baselines/import)."""
    from app.jobs.baselines_file import BaselinesRefused, read_baselines, take_baselines

    runtime = _runtime()
    try:
        rows = read_baselines(file.read())
        with runtime.sessions.begin() as session:
            taken = take_baselines(session, rows, recorded_by)
    except BaselinesRefused as refused:
        _echo_errors(refused.errors)
        raise click.ClickException(str(refused)) from None
    click.echo(f"{taken.rows} rows: {taken.recorded} recorded, {taken.unchanged} unchanged")


@click.command("load-demo")
@with_appcontext
def load_demo_command() -> None:
    """Register the demo county and stage its six months of events (an empty database only)."""
    from app.demo import load_demo

    click.echo(f"{load_demo(_runtime())} events staged")


@click.command("finish-demo")
@with_appcontext
def finish_demo_command() -> None:
    """After the consumer has applied the demo events, and with a consumer running: approve, pay, evaluate, make
    the demo's accounts, answer an alert with a hire; print an office token, the id of the alert answered by the
    hire, then one line per account: login, password, whose."""
    from app.demo import finish_demo, sign_in_lines
    from app.demo_jobs import answered_alert

    runtime = _runtime()
    click.echo(finish_demo(runtime))
    with runtime.sessions.begin() as session:
        click.echo(answered_alert(session))
    for line in sign_in_lines():
        click.echo(line)


COMMANDS = (migrate_command, create_token_command, list_tokens_command, revoke_token_command,
            create_account_command, reset_password_command,
            rotate_data_key_command, rebuild_command, replay_dead_letters_command, import_attendance_command,
            ledger_partitions_command, archive_month_command,
            import_registry_command, import_baselines_command, load_demo_command, finish_demo_command)


def register_cli(app: Flask) -> None:
    for command in COMMANDS:
        app.cli.add_command(command)


def _instant(moment: datetime | None) -> str:
    """An instant for a terminal, in UTC (SQLite hands timestamps back without their zone)."""
    if moment is None:
        return "-"
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC).isoformat(timespec="seconds")
