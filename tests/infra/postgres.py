"""A throwaway PostgreSQL server for tests (or the one ``DATABASE_URL`` names).

``PostgresServer().start()``:

* ``DATABASE_URL`` set and reachable: use that server, start nothing;
  ``stop()``/``restart()`` then raise ``PostgresError``.
* otherwise: the highest ``/usr/lib/postgresql/<N>/bin`` (Debian's layout;
  ``apt-get install -y postgresql`` when missing and we are root), ``initdb``
  into a temp dir owned by the ``postgres`` user (PostgreSQL refuses to run as
  root), and the postmaster itself as a child process, listening on
  127.0.0.1:<free port> only, with trust auth and durability off.

``url`` is a SQLAlchemy URL ``postgresql+psycopg://USER@127.0.0.1:PORT/DBNAME``;
``create_database(name)`` returns the URL of a new empty database.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from . import ServiceError, exec_prefix, free_port, port_is_free, tail

__all__ = ["PostgresServer", "PostgresError", "find_pg_bindir", "libpq_url", "sqlalchemy_url"]

log = logging.getLogger(__name__)

#: The OS user that owns and runs the cluster when we are root.
PG_OS_USER = "postgres"
#: The database superuser created by initdb, and the database ``url`` points at.
DB_USER = "postgres"
DB_NAME = "stablework"

_SERVER_SETTINGS = {
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

_IDENT_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


class PostgresError(ServiceError):
    """The PostgreSQL server could not be installed, started, used or stopped."""


# ------------------------------------------------------------------ helpers


def sqlalchemy_url(url: str) -> str:
    """``postgres://``/``postgresql://``/``postgresql+driver://`` -> ``postgresql+psycopg://``."""
    parts = urlsplit(url)
    if parts.scheme.split("+")[0] not in ("postgres", "postgresql"):
        raise PostgresError(f"not a PostgreSQL URL: {url!r}")
    return urlunsplit(("postgresql+psycopg",) + tuple(parts)[1:])


def libpq_url(url: str) -> str:
    """The same URL in the form libpq/psycopg.connect() understands."""
    parts = urlsplit(url)
    return urlunsplit(("postgresql",) + tuple(parts)[1:])


def _with_database(url: str, dbname: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + dbname, parts.query, parts.fragment))


def _pg_version_key(bindir: Path) -> tuple:
    name = bindir.parent.name
    return tuple(int(x) if x.isdigit() else 0 for x in name.split("."))


def find_pg_bindir() -> Path | None:
    """``/usr/lib/postgresql/<highest version>/bin`` holding initdb and postgres, or None."""
    candidates = [
        p.parent
        for p in Path("/usr/lib/postgresql").glob("*/bin/initdb")
        if (p.parent / "postgres").exists()
    ]
    if not candidates:
        return None
    return max(candidates, key=_pg_version_key)


def install_postgresql(timeout: float = 900.0) -> Path:
    """``apt-get install -y postgresql`` (root only) and return the bin dir."""
    if os.geteuid() != 0:
        raise PostgresError(
            "PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin and we are not root: "
            "install them (sudo apt-get install -y postgresql) or set DATABASE_URL"
        )
    if shutil.which("apt-get") is None:
        raise PostgresError("PostgreSQL server binaries not found and there is no apt-get to install them")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    output = []
    for cmd in (
        ["apt-get", "update", "-q"],
        ["apt-get", "install", "-y", "-q", "--no-install-recommends", "postgresql"],
    ):
        log.info("installing PostgreSQL: %s", " ".join(cmd))
        try:
            proc = subprocess.run(
                cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT, text=True, timeout=timeout,
            )
        except subprocess.TimeoutExpired as exc:
            raise PostgresError(f"{' '.join(cmd)} did not finish within {timeout:.0f}s") from exc
        output.append(f"$ {' '.join(cmd)}\n{proc.stdout}")
        if proc.returncode != 0:
            out = "\n".join("\n".join(output).splitlines()[-40:])
            raise PostgresError(f"installing PostgreSQL failed (exit {proc.returncode}):\n{out}")
    bindir = find_pg_bindir()
    if bindir is None:
        out = "\n".join("\n".join(output).splitlines()[-40:])
        raise PostgresError(f"apt-get installed postgresql but no /usr/lib/postgresql/*/bin/initdb:\n{out}")
    return bindir


# ------------------------------------------------------------------- server


class PostgresServer:
    """A PostgreSQL cluster in a temp dir, run as a child process.

    The temp dir holds ``data/`` (PGDATA), ``sock/`` (unix_socket_directories)
    and ``postgres.log``. The port and data dir chosen on the first ``start()``
    are kept across ``stop()``/``start()``/``restart()``; ``cleanup()`` stops
    the server and removes the temp dir.
    """

    def __init__(
        self,
        base_dir: Path | str | None = None,
        *,
        use_env: bool = True,
        startup_timeout: float = 60.0,
        settings: dict[str, str] | None = None,
    ) -> None:
        self._owns_dir = base_dir is None
        self._base_dir = Path(base_dir) if base_dir else None
        self.use_env = use_env
        self.startup_timeout = startup_timeout
        self.settings = dict(_SERVER_SETTINGS, **(settings or {}))
        self.port: int | None = None
        self.bindir: Path | None = None
        self.external_url: str | None = None
        self.env_error: str | None = None
        self._proc: subprocess.Popen | None = None
        self._log_file = None
        self._initialized = False

    # -- properties -----------------------------------------------------

    @property
    def base_dir(self) -> Path:
        if self._base_dir is None:
            self._base_dir = Path(tempfile.mkdtemp(prefix="stablework-pg-"))
        return self._base_dir

    @property
    def data_dir(self) -> Path:
        return self.base_dir / "data"

    @property
    def socket_dir(self) -> Path:
        return self.base_dir / "sock"

    @property
    def log_path(self) -> Path | None:
        """The server log (None when using ``DATABASE_URL``)."""
        if self.external_url is not None:
            return None
        return self.base_dir / "postgres.log"

    @property
    def is_external(self) -> bool:
        return self.external_url is not None

    @property
    def url(self) -> str:
        """SQLAlchemy URL of the main database (``stablework``, or DATABASE_URL's)."""
        if self.external_url is not None:
            return self.external_url
        if self.port is None:
            raise PostgresError("the PostgreSQL server has not been started yet")
        return f"postgresql+psycopg://{DB_USER}@127.0.0.1:{self.port}/{DB_NAME}"

    def url_for(self, dbname: str) -> str:
        return _with_database(self.url, dbname)

    @property
    def pid(self) -> int | None:
        """The postmaster's (setpriv execs it in place); None when not started or external."""
        return self._proc.pid if self._proc is not None else None

    def is_running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def log_tail(self, lines: int = 60) -> str:
        if self.is_external:
            return f"(external server from DATABASE_URL; no local log){self._env_note()}"
        return tail(self.log_path, lines) + self._env_note()

    def _env_note(self) -> str:
        return f"\n(DATABASE_URL was set but not used: {self.env_error})" if self.env_error else ""

    def __repr__(self) -> str:
        if self.is_external:
            return f"<PostgresServer external {self._redacted(self.url)}>"
        state = "running" if self.is_running() else "stopped"
        return f"<PostgresServer 127.0.0.1:{self.port} {state} dir={self._base_dir}>"

    @staticmethod
    def _redacted(url: str) -> str:
        parts = urlsplit(url)
        if parts.password:
            netloc = parts.netloc.replace(":" + parts.password + "@", ":***@")
            return urlunsplit(parts._replace(netloc=netloc))
        return url

    # -- lifecycle ------------------------------------------------------

    def start(self) -> "PostgresServer":
        if self.is_external or self.is_running():
            return self
        if self.use_env and not self._initialized:
            env_url = os.environ.get("DATABASE_URL")
            if env_url:
                reason = self._probe(env_url)
                if reason is None:
                    self.external_url = sqlalchemy_url(env_url)
                    log.info("using the PostgreSQL server of DATABASE_URL")
                    return self
                self.env_error = f"{self._redacted(env_url)} is not reachable: {reason}"
                log.warning("DATABASE_URL is set but %s; starting a local server instead",
                            self.env_error)
        if not self._initialized:
            self.bindir = find_pg_bindir() or install_postgresql()
            self._initdb()
        elif not self._wait_port_free(self.port, 10.0):
            raise PostgresError(f"cannot restart PostgreSQL: port {self.port} is taken by another process")
        self._launch()
        try:
            self._wait_ready()
        except BaseException:
            self._terminate(signal.SIGQUIT, 10.0)
            raise
        if not self._db_created:
            self._create_main_database()
        return self

    def stop(self, timeout: float = 30.0) -> None:
        """Fast shutdown (SIGINT: roll back open transactions, checkpoint, exit)."""
        self._refuse_if_external("stop")
        self._terminate(signal.SIGINT, timeout)

    def restart(self) -> "PostgresServer":
        """stop() then start(): same port, same data."""
        self._refuse_if_external("restart")
        self.stop()
        return self.start()

    def cleanup(self, *, remove_files: bool = True) -> None:
        """Stop the server (if local) and delete its temp dir (if this object created
        it and ``remove_files``; keep it to read the log of a failed start)."""
        if self.is_external:
            return
        try:
            self._terminate(signal.SIGINT, 30.0)
        finally:
            if self._owns_dir and remove_files and self._base_dir is not None:
                shutil.rmtree(self._base_dir, ignore_errors=True)

    def __enter__(self) -> "PostgresServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.cleanup()

    # -- databases ------------------------------------------------------

    def create_database(self, name: str, *, replace: bool = True) -> str:
        """Create an empty database ``name`` (dropping one of that name first) and return its URL."""
        import psycopg
        from psycopg import sql

        if not _IDENT_RE.match(name):
            raise ValueError(f"not a plain PostgreSQL identifier (letters, digits, _; max 63): {name!r}")
        with psycopg.connect(self._admin_conninfo(), autocommit=True, connect_timeout=10) as conn:
            if replace:
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
            # template0: nobody is ever connected to it, unlike template1.
            conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0 ENCODING 'UTF8'").format(
                sql.Identifier(name)))
        return self.url_for(name)

    def drop_database(self, name: str) -> None:
        import psycopg
        from psycopg import sql

        if not _IDENT_RE.match(name):
            raise ValueError(f"not a plain PostgreSQL identifier: {name!r}")
        with psycopg.connect(self._admin_conninfo(), autocommit=True, connect_timeout=10) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    def _admin_conninfo(self) -> str:
        # The URL's own database: it exists (DATABASE_URL's) or we made it (stablework).
        return libpq_url(self.url)

    # -- internals ------------------------------------------------------

    _db_created = False

    def _refuse_if_external(self, what: str) -> None:
        if self.is_external:
            raise PostgresError(
                f"cannot {what}() the PostgreSQL server given by DATABASE_URL: it is not managed by the "
                "tests. Unset DATABASE_URL to let the tests run their own server."
            )

    @staticmethod
    def _probe(url: str) -> str | None:
        import psycopg

        try:
            with psycopg.connect(libpq_url(url), connect_timeout=5) as conn:
                conn.execute("SELECT 1")
        except Exception as exc:  # noqa: BLE001 - any failure means unusable
            return f"{type(exc).__name__}: {exc}".strip()
        return None

    def _as_pg(self) -> list[str]:
        return exec_prefix(user=PG_OS_USER, pdeathsig=None)

    def _chown_to_pg(self, path: Path) -> None:
        if os.geteuid() == 0:
            try:
                shutil.chown(path, user=PG_OS_USER, group=PG_OS_USER)
            except LookupError as exc:
                raise PostgresError(
                    f"there is no {PG_OS_USER!r} system user to run PostgreSQL as "
                    "(the Debian postgresql-common package creates it)"
                ) from exc

    def _initdb(self) -> None:
        base = self.base_dir
        base.chmod(0o700)
        self._chown_to_pg(base)
        self.socket_dir.mkdir(mode=0o700, exist_ok=True)
        self._chown_to_pg(self.socket_dir)
        self.log_path.touch()
        self._chown_to_pg(self.log_path)
        self.port = free_port()

        def run_initdb(locale_args: list[str]) -> subprocess.CompletedProcess:
            cmd = self._as_pg() + [
                str(self.bindir / "initdb"),
                "-D", str(self.data_dir),
                "-U", DB_USER,
                "--auth=trust",
                "--encoding=UTF8",
                *locale_args,
                "--no-sync",
                "--no-instructions",
            ]
            with open(self.log_path, "ab") as out:
                out.write(("$ " + " ".join(cmd) + "\n").encode())
                out.flush()
                return subprocess.run(cmd, cwd=base, stdin=subprocess.DEVNULL, stdout=out,
                                      stderr=subprocess.STDOUT, timeout=120, env=self._env())

        try:
            proc = run_initdb(["--locale=C.UTF-8"])
            if proc.returncode != 0:  # a system without the C.UTF-8 locale
                shutil.rmtree(self.data_dir, ignore_errors=True)
                proc = run_initdb(["--no-locale"])
        except subprocess.TimeoutExpired as exc:
            raise PostgresError(f"initdb timed out; log {self.log_path}:\n{self.log_tail()}") from exc
        if proc.returncode != 0:
            raise PostgresError(f"initdb failed (exit {proc.returncode}); log {self.log_path}:\n{self.log_tail()}")

        settings = dict(self.settings, port=str(self.port),
                        unix_socket_directories=f"'{self.socket_dir}'")
        with open(self.data_dir / "postgresql.conf", "a") as f:
            f.write("\n# ---- tests/infra/postgres.py: throwaway test cluster ----\n")
            for key, value in settings.items():
                f.write(f"{key} = {value}\n")
        # Trust, but only over our private socket dir and 127.0.0.1.
        (self.data_dir / "pg_hba.conf").write_text(
            "# written by tests/infra/postgres.py\n"
            "local all all trust\n"
            "host  all all 127.0.0.1/32 trust\n"
        )
        self._initialized = True

    def _env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PG", "LC_"))}
        env.update(LANG="C.UTF-8", LC_ALL="C.UTF-8")
        return env

    def _launch(self) -> None:
        # setpriv execs the postmaster in place (so signals reach it directly);
        # SIGQUIT (immediate shutdown) if the test process dies without stopping it.
        cmd = exec_prefix(user=PG_OS_USER, pdeathsig="QUIT") + [
            str(self.bindir / "postgres"), "-D", str(self.data_dir)]
        self._log_file = open(self.log_path, "ab")
        self._log_file.write(("\n$ " + " ".join(cmd) + "\n").encode())
        self._log_file.flush()
        self._proc = subprocess.Popen(
            cmd,
            cwd=self.base_dir,
            stdin=subprocess.DEVNULL,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            env=self._env(),
            start_new_session=True,
        )

    def _wait_ready(self) -> None:
        import psycopg

        deadline = time.monotonic() + self.startup_timeout
        conninfo = f"host=127.0.0.1 port={self.port} user={DB_USER} dbname=postgres connect_timeout=5"
        last: Exception | None = None
        while True:
            if self._proc is None or self._proc.poll() is not None:
                code = None if self._proc is None else self._proc.returncode
                raise PostgresError(
                    f"PostgreSQL exited during startup (exit {code}); log {self.log_path}:\n{self.log_tail()}"
                )
            try:
                with psycopg.connect(conninfo) as conn:
                    conn.execute("SELECT 1")
                return
            except psycopg.OperationalError as exc:
                last = exc
            if time.monotonic() > deadline:
                raise PostgresError(
                    f"PostgreSQL on 127.0.0.1:{self.port} did not accept connections within "
                    f"{self.startup_timeout:.0f}s (last error: {last}); log {self.log_path}:\n{self.log_tail()}"
                )
            time.sleep(0.1)

    def _create_main_database(self) -> None:
        import psycopg
        from psycopg import sql

        conninfo = f"host=127.0.0.1 port={self.port} user={DB_USER} dbname=postgres"
        with psycopg.connect(conninfo, autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DB_NAME,)).fetchone()
            if not exists:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DB_NAME)))
        self._db_created = True

    def _terminate(self, sig: int, timeout: float) -> None:
        proc = self._proc
        if proc is None:
            return
        try:
            if proc.poll() is None:
                proc.send_signal(sig)
                try:
                    proc.wait(timeout)
                except subprocess.TimeoutExpired:
                    log.warning("PostgreSQL pid %s did not stop within %.0fs; immediate shutdown", proc.pid, timeout)
                    proc.send_signal(signal.SIGQUIT)
                    try:
                        proc.wait(10)
                    except subprocess.TimeoutExpired:
                        proc.kill()
                        proc.wait(10)
        finally:
            self._proc = None
            if self._log_file is not None:
                self._log_file.close()
                self._log_file = None

    @staticmethod
    def _wait_port_free(port: int | None, timeout: float) -> bool:
        if port is None:
            return True
        deadline = time.monotonic() + timeout
        while not port_is_free(port):
            if time.monotonic() > deadline:
                return False
            time.sleep(0.2)
        return True
