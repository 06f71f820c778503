"""Real local services for the tests, the benchmarks and any operator script: one package, no path editing.

``infra.kafka.KafkaBroker``       a single-node KRaft Apache Kafka broker (jars via Maven, ``infra/kafka/pom.xml``).
``infra.kafka.KafkaCluster``      several such nodes in one KRaft quorum.
``infra.postgres.PostgresServer`` a throwaway PostgreSQL cluster (or ``DATABASE_URL``).

Imported as ``infra`` from the checkout's root (pytest's ``pythonpath``, ``python -m bench``).
It never imports the application: only the standard library, kafka-python and psycopg.
"""

from __future__ import annotations

import os
import shutil
import socket
import time
import warnings
from pathlib import Path

__all__ = [
    "REPO_ROOT",
    "ServiceError",
    "free_port",
    "port_is_free",
    "port_is_open",
    "wait_port_free",
    "tail",
    "exec_prefix",
    "KNOWN_WARNING_FILTERS",
    "install_warning_filters",
]

#: The checkout's root, whatever the current directory.
REPO_ROOT = Path(__file__).resolve().parents[1]


#: Known, harmless warnings of third-party code, each filtered by its exact
#: message, category and emitting module (pytest runs with filterwarnings=error).
#: As pytest ``filterwarnings`` lines: "action:message-regex:category:module-regex".
KNOWN_WARNING_FILTERS = (
    # kafka-python 3.0.x reads its protocol JSON schemas with
    # importlib.resources.read_text(), which Python 3.11/3.12 flag as deprecated
    # (Python 3.13 withdrew that deprecation). Raised by `import kafka` itself.
    r"ignore:read_text is deprecated\. Use files\(\) instead:DeprecationWarning:kafka\.protocol\.schemas\.load_json",
    # ... and that deprecated read_text() calls the deprecated open_text(), whose
    # warning is attributed to importlib.resources._legacy itself (a direct
    # open_text() call elsewhere is attributed to its caller and still fails).
    r"ignore:open_text is deprecated\. Use files\(\) instead:DeprecationWarning:importlib\.resources\._legacy",
)


def install_warning_filters() -> None:
    """Apply KNOWN_WARNING_FILTERS to the ``warnings`` module now (highest priority)."""
    categories = {"DeprecationWarning": DeprecationWarning}
    for line in KNOWN_WARNING_FILTERS:
        action, message, category, module = line.split(":")
        warnings.filterwarnings(action, message=message, category=categories[category], module=module)


class ServiceError(RuntimeError):
    """A local test service could not be provisioned, started or stopped."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def port_is_open(port: int) -> bool:
    """Whether something accepts TCP connections on 127.0.0.1:``port``."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1.0):
            return True
    except OSError:
        return False


def wait_port_free(port: int | None, timeout: float) -> bool:
    """Wait until ``port`` is free (a restarted server's old socket lingers); False if it never is."""
    if port is None:
        return True
    deadline = time.monotonic() + timeout
    while not port_is_free(port):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def tail(path: Path | str | None, lines: int = 60) -> str:
    """The last ``lines`` lines of a (log) file, or a note saying why there are none."""
    if path is None:
        return "(no log file)"
    p = Path(path)
    try:
        with p.open("rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - 256 * 1024))
            data = f.read()
    except FileNotFoundError:
        return f"(log file {p} does not exist)"
    except OSError as exc:
        return f"(cannot read log file {p}: {exc})"
    text = data.decode("utf-8", errors="replace").splitlines()
    if not text:
        return f"(log file {p} is empty)"
    return "\n".join(text[-lines:])


def exec_prefix(*, user: str | None = None, pdeathsig: str | None = "KILL") -> list[str]:
    """Command prefix that runs the rest of the command line with setpriv(1).

    ``setpriv`` (util-linux, on every Debian) execs the command in place, so the
    child ``Popen`` sees is the server itself and signals reach it directly
    (unlike ``runuser``/``su``, which fork and wait). It:

    * drops to ``user`` (its own group and supplementary groups) when given and
      we are root: PostgreSQL refuses to run as root;
    * sets the parent-death signal *after* the change of user, so a server
      started by a pytest run that is itself killed (timeout, ^C twice, OOM)
      does not linger.

    Without setpriv the prefix is empty (or ``runuser -u USER --``), and only
    the explicit stop()/fixture teardown ends the server.
    """
    setpriv = shutil.which("setpriv")
    change_user = user is not None and os.geteuid() == 0
    if setpriv is None:
        if change_user:
            runuser = shutil.which("runuser")
            if runuser is None:
                raise ServiceError(f"need setpriv or runuser to run as user {user!r}")
            return [runuser, "-u", user, "--"]
        return []
    cmd = [setpriv]
    if change_user:
        cmd += [f"--reuid={user}", f"--regid={user}", "--init-groups"]
    if pdeathsig:
        cmd += ["--pdeathsig", pdeathsig]
    return cmd + ["--"]
