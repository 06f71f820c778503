"""Where the process's data key ring comes from (built once, by app.runtime.build_runtime).

`STABLEWORK_DATA_KEYS` (comma-separated Fernet keys, newest first) when set. Without it, a first run
on SQLite generates one key, once, into `data.key` beside the database file (mode 0600; the default
database gives `var/data.key`) and says so, in words, once; any other database refuses to start.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import structlog
from cryptography.fernet import Fernet
from sqlalchemy.engine import make_url

from app.db.crypto import DataKeyError, KeyRing
from app.settings import Settings

log = structlog.get_logger("app.data_keys")

KEY_FILE = "data.key"
GENERATE = "python3 -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"


class MissingDataKey(DataKeyError):
    """No data key for a database that is not the embedded SQLite file."""


def parse_keys(raw: str) -> list[str]:
    return [key.strip() for key in raw.split(",") if key.strip()]


def open_keyring(settings: Settings, database_url: str | None = None) -> KeyRing:
    """The ring of `settings` (for `database_url`, default the settings' own); see the module docstring."""
    keys = parse_keys(settings.data_keys)
    if keys:
        return KeyRing.from_keys(keys, settings.lookup_key)
    url = make_url(database_url or settings.database_url)
    if url.get_backend_name() != "sqlite":
        raise MissingDataKey(
            f"STABLEWORK_DATA_KEYS is not set: refusing to start on {url.get_backend_name()} without a key for "
            f"personal data. Generate one with {GENERATE} and set STABLEWORK_DATA_KEYS to it (README: Personal data)")
    path = key_file_for(url.database)
    if path is None:
        log.warning("STABLEWORK_DATA_KEYS is not set: personal data in this in-memory database is encrypted "
                    "with a key that lives as long as the process")
        return KeyRing.from_keys([Fernet.generate_key().decode()], settings.lookup_key)
    return KeyRing.from_keys([read_or_create_key(path)], settings.lookup_key)


def require_data_keys(settings: Settings) -> None:
    """At a process's start: exit with one sentence, not a traceback, when its keys are missing or unusable."""
    try:
        open_keyring(settings)
    except DataKeyError as error:
        raise SystemExit(f"stablework: {error}") from None


def key_file_for(database: str | None) -> Path | None:
    """`data.key` beside the SQLite file; None for an in-memory database."""
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        return None
    return Path(database).absolute().parent / KEY_FILE  # relative: to the working directory, as SQLite does


def read_or_create_key(path: Path) -> str:
    """The key in `path`, generated first if there is none (atomically: concurrent starters agree)."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        staged = path.with_name(f".{path.name}.{os.getpid()}")
        descriptor = os.open(staged, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(Fernet.generate_key().decode() + "\n")
        try:
            os.link(staged, path)  # fails if another process got there first: theirs is the key
            _announce_generated(path)
        except FileExistsError:
            pass
        finally:
            staged.unlink()
    return path.read_text().strip()


def _announce_generated(path: Path) -> None:
    # A sentence for the person at the terminal, once, by the process that made the key (bin/serve's migrate).
    print(f"Stablework: STABLEWORK_DATA_KEYS is not set, so a key for personal data was generated into {path}. "
          "Keep that file with the database: without it the personal data cannot be read. Set "
          "STABLEWORK_DATA_KEYS for real data (README: Personal data).", file=sys.stderr, flush=True)
