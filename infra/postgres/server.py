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

from infra import free_port, tail, wait_port_free
from infra.postgres import local
from infra.postgres.install import (
    PostgresError,
    find_pg_bindir,
    install_postgresql,
    libpq_url,
    redacted,
    sqlalchemy_url,
    unreachable_because,
    with_database,
)

__all__ = ["PostgresServer"]

log = logging.getLogger(__name__)

_IDENT_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


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
        self.settings = dict(local.SERVER_SETTINGS, **(settings or {}))
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
        return f"postgresql+psycopg://{local.DB_USER}@127.0.0.1:{self.port}/{local.DB_NAME}"

    def url_for(self, dbname: str) -> str:
        return with_database(self.url, dbname)

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
            return f"<PostgresServer external {redacted(self.url)}>"
        state = "running" if self.is_running() else "stopped"
        return f"<PostgresServer 127.0.0.1:{self.port} {state} dir={self._base_dir}>"

    # -- lifecycle ------------------------------------------------------

    def start(self) -> "PostgresServer":
        if self.is_external or self.is_running():
            return self
        if self.use_env and not self._initialized:
            env_url = os.environ.get("DATABASE_URL")
            if env_url:
                reason = unreachable_because(env_url)
                if reason is None:
                    self.external_url = sqlalchemy_url(env_url)
                    log.info("using the PostgreSQL server of DATABASE_URL")
                    return self
                self.env_error = f"{redacted(env_url)} is not reachable: {reason}"
                log.warning("DATABASE_URL is set but %s; starting a local server instead",
                            self.env_error)
        if not self._initialized:
            self.bindir = find_pg_bindir() or install_postgresql()
            self._initdb()
        elif not wait_port_free(self.port, 10.0):
            raise PostgresError(f"cannot restart PostgreSQL: port {self.port} is taken by another process")
        self._launch()
        try:
            self._wait_ready()
        except BaseException:
            self._terminate(signal.SIGQUIT, 10.0)
            raise
        if not self._db_created:
            local.create_main_database(self.port)
            self._db_created = True
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

    def _initdb(self) -> None:
        local.prepare_base_dir(self.base_dir, self.socket_dir, self.log_path)
        self.port = free_port()
        try:
            proc = local.initdb(self.bindir, self.data_dir, self.log_path)
        except subprocess.TimeoutExpired as exc:
            raise PostgresError(f"initdb timed out; log {self.log_path}:\n{self.log_tail()}") from exc
        if proc.returncode != 0:
            raise PostgresError(f"initdb failed (exit {proc.returncode}); log {self.log_path}:\n{self.log_tail()}")
        local.configure(self.data_dir, dict(self.settings, port=str(self.port),
                                            unix_socket_directories=f"'{self.socket_dir}'"))
        self._initialized = True

    def _launch(self) -> None:
        self._log_file = open(self.log_path, "ab")
        self._proc = local.launch_postmaster(self.bindir, self.data_dir, self._log_file)

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while True:
            if self._proc is None or self._proc.poll() is not None:
                code = None if self._proc is None else self._proc.returncode
                raise PostgresError(
                    f"PostgreSQL exited during startup (exit {code}); log {self.log_path}:\n{self.log_tail()}"
                )
            last = local.accepts_connections(self.port)
            if last is None:
                return
            if time.monotonic() > deadline:
                raise PostgresError(
                    f"PostgreSQL on 127.0.0.1:{self.port} did not accept connections within "
                    f"{self.startup_timeout:.0f}s (last error: {last}); log {self.log_path}:\n{self.log_tail()}"
                )
            time.sleep(0.1)

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
