"""Personal data at rest, and as shown: Fernet (AES-128-CBC + HMAC-SHA256) under a key ring, and keyed lookup hashes.

Values are encrypted with the ring's first (newest) key and decrypted with any of its keys, so a new
key can be put first while rows written under the old ones are still read; `flask --app app
rotate-data-key` then rewrites every row under the newest key. A value that must be found (a national
id) also gets an HMAC-SHA256 lookup hash, so a search compares hashes instead of decrypting every row.

The ring is installed once per process (`install_keyring`, by `app.runtime.build_runtime`): the column
type below has no other way to reach it.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import Text
from sqlalchemy.types import TypeDecorator

_LOOKUP_CONTEXT = b"stablework lookup hash v1"


class DataKeyError(RuntimeError):
    """No key ring, a malformed key, or a value that none of the keys can decrypt."""


@dataclass(frozen=True, eq=False)
class KeyRing:
    fernet: MultiFernet
    current: Fernet
    lookup_keys: tuple[bytes, ...]  # newest first; hashes are written with the first, found with any

    @classmethod
    def from_keys(cls, data_keys: Sequence[str], lookup_key: str = "") -> "KeyRing":
        """A ring from Fernet keys, newest first; the lookup keys are `lookup_key`'s (comma-separated, newest
        first), or one derived from each data key (HMAC-SHA256 of a fixed label). Raises DataKeyError (never
        showing a key)."""
        if not data_keys:
            raise DataKeyError("no data key given")
        fernets, raw = [], []
        for position, key in enumerate(data_keys, start=1):
            try:
                fernets.append(Fernet(key.strip()))
            except ValueError:
                message = f"data key {position} is not a Fernet key (32 url-safe base64-encoded bytes)"
                raise DataKeyError(message) from None
            raw.append(base64.urlsafe_b64decode(key.strip().encode()))
        if lookup_key.strip():
            # comma-separated, newest first: an old key kept until rotate-data-key has rehashed every row
            lookups = tuple(key.strip().encode() for key in lookup_key.split(",") if key.strip())
        else:
            lookups = tuple(hmac.new(secret, _LOOKUP_CONTEXT, hashlib.sha256).digest() for secret in raw)
        return cls(MultiFernet(fernets), fernets[0], lookups)

    def derive(self, label: bytes) -> bytes:
        """A secret for another purpose (`label`), derived from the newest key: nothing more to keep."""
        return hmac.new(self.lookup_keys[0], label, hashlib.sha256).digest()

    def encrypt(self, value: str) -> str:
        return self.current.encrypt(value.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self.fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            raise DataKeyError("a stored value cannot be decrypted with any data key: "
                               "is an old key missing from STABLEWORK_DATA_KEYS?") from None

    def rotate(self, token: str) -> str:
        """The same value encrypted under the newest key."""
        try:
            return self.fernet.rotate(token.encode()).decode()
        except InvalidToken:
            raise DataKeyError("a stored value cannot be decrypted with any data key") from None

    def lookup_hash(self, value: str) -> str:
        """The hash a value is stored with (the newest lookup key)."""
        return self.lookup_hashes(value)[0]

    def lookup_hashes(self, value: str) -> list[str]:
        """The hashes a stored value may have, one per lookup key: a search matches any of them."""
        normal = value.strip().upper().encode()
        return [hmac.new(key, normal, hashlib.sha256).hexdigest() for key in self.lookup_keys]


_installed: KeyRing | None = None


def install_keyring(ring: KeyRing) -> None:
    """Make `ring` the process's key ring (the last one installed wins: one ring per process)."""
    global _installed
    _installed = ring


def keyring() -> KeyRing:
    if _installed is None:
        raise DataKeyError("no data key ring is installed: build the runtime (app.runtime.build_runtime) first")
    return _installed


class Encrypted(TypeDecorator):
    """Text stored as a Fernet token under the process's key ring; None stays NULL.

    Equal values encrypt differently every time: compare lookup hashes, never these columns."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else keyring().encrypt(value)

    def process_result_value(self, value, dialect):
        return None if value is None else keyring().decrypt(value)


# How personal numbers are shown to people who do not need them in full.
def mask(value: str | None) -> str | None:
    """`360702198912291234` -> `3607**********1234`; short values are hidden whole."""
    if value is None:
        return None
    keep = 4 if len(value) > 8 else 0
    return value[:keep] + "*" * (len(value) - 2 * keep) + (value[-keep:] if keep else "")
