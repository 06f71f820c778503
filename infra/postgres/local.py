"""A local PostgreSQL cluster's files and postmaster: initdb, its configuration, its start and first database."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from infra import exec_prefix
from infra.postgres.install import PostgresError

__all__ = ["PG_OS_USER", "DB_USER", "DB_NAME", "SERVER_SETTINGS", "prepare_base_dir", "initdb", "configure",
           "launch_postmaster", "accepts_connections", "create_main_database"]

#: The OS user that owns and runs the cluster when we are root.
PG_OS_USER = "postgres"
#: The database superuser created by initdb, and the database ``url`` points at.
DB_USER = "postgres"
DB_NAME = "stablework"

SERVER_SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "max_connections": "200",
    # A throwaway cluster: durability off.
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "wal_level": "minimal",
    "max_wal_senders": "0",
    "shared_buffers": "128MB",
    "max_wal_size": "1GB",
    "checkpoint_timeout": "30min",
    "autovacuum": "on",
    # Log to stderr, i.e. to our log file.
    "logging_collector": "off",
    "log_min_messages": "warning",
    "log_min_error_statement": "error",
    "log_line_prefix": "'%m [%p] %q%u@%d '",
    "timezone": "'UTC'",
    "log_timezone": "'UTC'",
    "datestyle": "'iso, mdy'",
    "lc_messages": "'C'",
}


def chown_to_pg(path: Path) -> None:
    """Give ``path`` to the postgres user when we are root: PostgreSQL refuses to run as root."""
    if os.geteuid() == 0:
        try:
            shutil.chown(path, user=PG_OS_USER, group=PG_OS_USER)
        except LookupError as exc:
            raise PostgresError(
                f"there is no {PG_OS_USER!r} system user to run PostgreSQL as "
                "(the Debian postgresql-common package creates it)"
            ) from exc


def prepare_base_dir(base: Path, socket_dir: Path, log_path: Path) -> None:
    """The private directory, socket directory and log file of a new cluster, owned by the postgres user."""
    base.chmod(0o700)
    chown_to_pg(base)
    socket_dir.mkdir(mode=0o700, exist_ok=True)
    chown_to_pg(socket_dir)
    log_path.touch()
    chown_to_pg(log_path)


def server_env() -> dict[str, str]:
    """Our environment without libpq's or the locale's variables, which would change the server's behaviour."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PG", "LC_"))}
    env.update(LANG="C.UTF-8", LC_ALL="C.UTF-8")
    return env


def initdb(bindir: Path, data_dir: Path, log_path: Path) -> subprocess.CompletedProcess:
    """Run initdb into ``data_dir`` as the postgres user, in C.UTF-8 (or no locale where there is none)."""

    def run_initdb(locale_args: list[str]) -> subprocess.CompletedProcess:
        cmd = exec_prefix(user=PG_OS_USER, pdeathsig=None) + [
            str(bindir / "initdb"), "-D", str(data_dir), "-U", DB_USER, "--auth=trust", "--encoding=UTF8",
            *locale_args, "--no-sync", "--no-instructions",
        ]
        with open(log_path, "ab") as out:
            out.write(("$ " + " ".join(cmd) + "\n").encode())
            out.flush()
            return subprocess.run(cmd, cwd=data_dir.parent, stdin=subprocess.DEVNULL, stdout=out,
                                  stderr=subprocess.STDOUT, timeout=120, env=server_env())

    proc = run_initdb(["--locale=C.UTF-8"])
    if proc.returncode != 0:  # a system without the C.UTF-8 locale
        shutil.rmtree(data_dir, ignore_errors=True)
        proc = run_initdb(["--no-locale"])
    return proc


def configure(data_dir: Path, settings: dict[str, str]) -> None:
    """Append ``settings`` to postgresql.conf and trust only our private socket dir and 127.0.0.1."""
    with open(data_dir / "postgresql.conf", "a") as f:
        f.write("\n# ---- infra/postgres: throwaway local cluster ----\n")
        for key, value in settings.items():
            f.write(f"{key} = {value}\n")
    (data_dir / "pg_hba.conf").write_text(
        "# written by infra/postgres/local.py\n"
        "local all all trust\n"
        "host  all all 127.0.0.1/32 trust\n"
    )


def launch_postmaster(bindir: Path, data_dir: Path, log_file) -> subprocess.Popen:
    """Start the postmaster without waiting for it, its output appended to ``log_file``."""
    # setpriv execs the postmaster in place (so signals reach it directly);
    # SIGQUIT (immediate shutdown) if the process that started it dies without stopping it.
    cmd = exec_prefix(user=PG_OS_USER, pdeathsig="QUIT") + [str(bindir / "postgres"), "-D", str(data_dir)]
    log_file.write(("\n$ " + " ".join(cmd) + "\n").encode())
    log_file.flush()
    return subprocess.Popen(cmd, cwd=data_dir.parent, stdin=subprocess.DEVNULL, stdout=log_file,
                            stderr=subprocess.STDOUT, env=server_env(), start_new_session=True)


def accepts_connections(port: int) -> Exception | None:
    """None once the server on 127.0.0.1:``port`` answers a query, else why it did not."""
    import psycopg

    conninfo = f"host=127.0.0.1 port={port} user={DB_USER} dbname=postgres connect_timeout=5"
    try:
        with psycopg.connect(conninfo) as conn:
            conn.execute("SELECT 1")
    except psycopg.OperationalError as exc:
        return exc
    return None


def create_main_database(port: int) -> None:
    """Create the ``stablework`` database unless it exists."""
    import psycopg
    from psycopg import sql

    conninfo = f"host=127.0.0.1 port={port} user={DB_USER} dbname=postgres"
    with psycopg.connect(conninfo, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DB_NAME,)).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DB_NAME)))

