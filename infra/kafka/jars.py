"""The Kafka broker's jars and the Java that runs them.

The jars come from Maven Central through ``infra/kafka/pom.xml`` beside this module
(``mvn dependency:copy-dependencies``) and are cached under ``.cache/kafka/<version>/libs``
in the checkout (or under ``STABLEWORK_CACHE_DIR``), so only the first run on a machine calls
Maven. Only Java (17+) and Maven are needed.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import shutil
import subprocess
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

from infra import REPO_ROOT, ServiceError

__all__ = ["KAFKA_POM", "CACHE_ROOT", "KafkaStartError", "kafka_version", "fetch_kafka_libs", "java"]

log = logging.getLogger(__name__)

KAFKA_POM = Path(__file__).resolve().parent / "pom.xml"
#: Override with STABLEWORK_CACHE_DIR (e.g. to share jars between checkouts).
CACHE_ROOT = Path(os.environ.get("STABLEWORK_CACHE_DIR") or REPO_ROOT / ".cache")
_BROKER_JARS = "kafka_2.13-*.jar"


class KafkaStartError(ServiceError):
    """The broker could not be fetched, formatted, started or stopped."""


def kafka_version(pom: Path = KAFKA_POM) -> str:
    """``kafka.version`` from infra/kafka/pom.xml (the single place it is pinned)."""
    ns = {"m": "http://maven.apache.org/POM/4.0.0"}
    try:
        root = ET.parse(pom).getroot()
    except (OSError, ET.ParseError) as exc:
        raise KafkaStartError(f"cannot read {pom}: {exc}") from exc
    node = root.find("m:properties/m:kafka.version", ns)
    if node is None or not (node.text or "").strip():
        raise KafkaStartError(f"{pom} has no <properties><kafka.version>")
    return node.text.strip()


def fetch_kafka_libs(pom: Path = KAFKA_POM, cache_root: Path = CACHE_ROOT, *, timeout: float = 900.0) -> Path:
    """The directory holding the broker jars; runs Maven only if it is not cached.

    The cache is ``<cache_root>/kafka/<version>/libs`` plus a ``.complete`` stamp
    holding the pom's sha256: a pom edited without a version bump refetches,
    and an interrupted download is never mistaken for a complete one (jars are
    copied to a scratch dir and renamed into place). A file lock makes
    concurrent test processes wait for one download.
    """
    version = kafka_version(pom)
    vdir = Path(cache_root) / "kafka" / version
    libs, stamp = vdir / "libs", vdir / ".complete"
    digest = hashlib.sha256(pom.read_bytes()).hexdigest()
    if _is_cached(libs, stamp, digest):
        return libs
    vdir.mkdir(parents=True, exist_ok=True)
    with open(vdir / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if _is_cached(libs, stamp, digest):
            return libs
        started = time.monotonic()
        scratch = _run_maven(pom, version, vdir, libs, timeout)
        if libs.exists():
            shutil.rmtree(libs)
        scratch.rename(libs)
        libs.chmod(0o755)  # mkdtemp made it 0700
        stamp.write_text(digest + "\n")
        log.info("fetched Kafka %s jars in %.1fs", version, time.monotonic() - started)
        return libs


def _is_cached(libs: Path, stamp: Path, digest: str) -> bool:
    try:
        return stamp.read_text().strip() == digest and any(libs.glob(_BROKER_JARS))
    except OSError:
        return False


def _run_maven(pom: Path, version: str, vdir: Path, libs: Path, timeout: float) -> Path:
    """Copy the broker's jars into a new scratch directory under ``vdir`` and return it."""
    mvn = shutil.which("mvn")
    if mvn is None:
        raise KafkaStartError(
            "Kafka jars are not cached in %s and Maven (mvn) is not on PATH; "
            "install Maven (apt-get install -y maven) so they can be fetched" % libs
        )
    scratch = Path(tempfile.mkdtemp(prefix="libs.", dir=vdir))
    cmd = [mvn, "-q", "-B", "-f", str(pom), "dependency:copy-dependencies",
           f"-DoutputDirectory={scratch}", "-DincludeScope=runtime"]
    log.info("fetching Kafka %s jars: %s", version, " ".join(cmd))
    try:
        proc = subprocess.run(cmd, cwd=pom.parent, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        shutil.rmtree(scratch, ignore_errors=True)
        raise KafkaStartError(f"Maven did not fetch the Kafka jars within {timeout:.0f}s") from exc
    if proc.returncode != 0 or not any(scratch.glob(_BROKER_JARS)):
        shutil.rmtree(scratch, ignore_errors=True)
        out = "\n".join((proc.stdout or "").splitlines()[-40:])
        raise KafkaStartError(
            f"Maven failed to fetch the Kafka {version} jars (exit {proc.returncode}):\n$ {' '.join(cmd)}\n{out}"
        )
    return scratch


def java() -> str:
    """The ``java`` executable: ``$JAVA_HOME/bin/java``, else the one on PATH."""
    home = os.environ.get("JAVA_HOME")
    if home and os.access(os.path.join(home, "bin", "java"), os.X_OK):
        return os.path.join(home, "bin", "java")
    found = shutil.which("java")
    if found is None:
        raise KafkaStartError("java is not on PATH (and JAVA_HOME is not set); Kafka needs Java 17+")
    return found
