"""The log output of the whole test run, searched for secrets at its end.

In this process, every structlog line (down to DEBUG, whatever level a test configures) and every
standard-library record (INFO and up) is copied into `logs/in-process.log` under the run's temporary
directory; a test's own stderr still gets only what its configured level lets through. Child processes
(consumers, bin/serve, bin/demo) write their logs as `*.log` files under that same directory (their
tests' `tmp_path`), so one walk over it reads every log of the run.

Searched for: anything shaped like a bearer token (`app.access.tokens.TOKEN_PREFIX` and 20 more characters)
and every token issued in this process (`app.access.tokens.hash_token` sees them all); every personal number
encrypted in this process (`KeyRing.encrypt` sees them all; those of 10 characters or more, shorter ones
would turn up by chance); and anything shaped like a national id number (18 characters with a birth date).
"""
from __future__ import annotations

import logging
import re
import sys
import threading
from pathlib import Path

import structlog

import app.access.tokens
import app.logs
from app.db.crypto import KeyRing, mask

TOKEN_SHAPE = re.compile(re.escape(app.access.tokens.TOKEN_PREFIX) + r"[A-Za-z0-9_-]{20,}")
WORD = re.compile(r"[A-Za-z0-9_-]{20,}")
NUMBER = re.compile(r"[0-9]{7,}[0-9Xx]")
NATIONAL_ID_SHAPE = re.compile(r"[1-9][0-9]{5}(19|20)[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx]")
SHORTEST_SECRET = 10
LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "msg": logging.INFO, "warning": logging.WARNING,
          "warn": logging.WARNING, "error": logging.ERROR, "exception": logging.ERROR,
          "critical": logging.CRITICAL, "fatal": logging.CRITICAL}


class LogWatch:
    def __init__(self, root: Path):
        self.root = root
        self.path = root / "logs" / "in-process.log"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.file = self.path.open("a", buffering=1, encoding="utf-8")
        self.lock = threading.Lock()
        self.tokens: set[str] = set()
        self.personal: set[str] = set()
        self.handler = logging.StreamHandler(self.file)
        self.handler.setLevel(logging.INFO)
        self.handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))

    # --- recording ------------------------------------------------------------------------------

    def install(self, patch) -> None:
        """Wrap what logs, issues tokens and encrypts (with a pytest MonkeyPatch), then start copying."""
        configure, hash_token, encrypt = app.logs.configure_logging, app.access.tokens.hash_token, KeyRing.encrypt

        def configure_logging(level: str = "INFO") -> None:
            configure(level)
            self.copy_logs(level)

        def recording_hash_token(token: str) -> str:
            if token.startswith(app.access.tokens.TOKEN_PREFIX) and len(token) >= SHORTEST_SECRET:
                self.tokens.add(token)
            return hash_token(token)

        def recording_encrypt(ring: KeyRing, value: str) -> str:
            if len(value) >= SHORTEST_SECRET:
                self.personal.add(value)
            return encrypt(ring, value)

        patch.setattr(app.logs, "configure_logging", configure_logging)
        patch.setattr(app.access.tokens, "hash_token", recording_hash_token)
        patch.setattr(KeyRing, "encrypt", recording_encrypt)
        configure_logging("WARNING")  # loggers cached before any app is made write through the copy too

    def copy_logs(self, level: str) -> None:
        threshold = logging.getLevelNamesMapping()[level.upper()]
        structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.DEBUG),
                            logger_factory=lambda *_args: _CopyingLogger(self, threshold))
        root = logging.getLogger()
        for handler in root.handlers:
            handler.setLevel(threshold)
        root.addHandler(self.handler)
        root.setLevel(min(threshold, logging.INFO))

    def write(self, line: str) -> None:
        with self.lock:
            self.file.write(line + "\n")

    def close(self) -> None:
        logging.getLogger().removeHandler(self.handler)
        self.file.close()

    # --- searching ------------------------------------------------------------------------------

    def leaks(self) -> list[str]:
        """'file:line: what (masked)' for every secret in a log of the run."""
        found = []
        for path in sorted(self.root.rglob("*.log")):
            with path.open(encoding="utf-8", errors="replace") as file:
                for number, line in enumerate(file, start=1):
                    found.extend(f"{path}:{number}: {what} {mask(value)}" for what, value in self.secrets_in(line))
        return found

    def secrets_in(self, line: str) -> list[tuple[str, str]]:
        secrets = [("a bearer token", token) for token in TOKEN_SHAPE.findall(line)]
        secrets += [("a bearer token", word) for word in WORD.findall(line)
                    if word in self.tokens and not TOKEN_SHAPE.fullmatch(word)]
        for number in NUMBER.findall(line):
            if number in self.personal:
                secrets.append(("a personal number", number))
            elif NATIONAL_ID_SHAPE.fullmatch(number):
                secrets.append(("a national id number", number))
        return secrets


class _CopyingLogger:
    """structlog's output: every line into the watch's file, those at the configured level to stderr."""

    def __init__(self, watch: LogWatch, threshold: int):
        self.watch, self.threshold = watch, threshold

    def __getattr__(self, method: str):
        level = LEVELS.get(method)
        if level is None:
            raise AttributeError(method)

        def log(message: str) -> None:
            self.watch.write(message)
            if level >= self.threshold:
                print(message, file=sys.stderr, flush=True)

        return log
