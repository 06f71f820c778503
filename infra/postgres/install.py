"""Where PostgreSQL's server programs are (installing Debian's package if need be), and its URLs."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from infra import ServiceError

__all__ = ["PostgresError", "find_pg_bindir", "install_postgresql", "libpq_url", "redacted", "sqlalchemy_url",
           "unreachable_because", "with_database"]

log = logging.getLogger(__name__)


class PostgresError(ServiceError):
    """The PostgreSQL server could not be installed, started, used or stopped."""


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


def with_database(url: str, dbname: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + dbname, parts.query, parts.fragment))


def redacted(url: str) -> str:
    """The URL with its password, if any, replaced by ***, for logs and messages."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(":" + parts.password + "@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


def unreachable_because(url: str) -> str | None:
    """None if the server of ``url`` answers a query, else why it did not."""
    import psycopg

    try:
        with psycopg.connect(libpq_url(url), connect_timeout=5) as conn:
            conn.execute("SELECT 1")
    except Exception as exc:  # noqa: BLE001 - any failure means unusable
        return f"{type(exc).__name__}: {exc}".strip()
    return None


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
