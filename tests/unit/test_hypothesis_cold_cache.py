"""A fresh clone has no `.hypothesis` folder: its first run must pass as every later run does."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_property_tests_pass_with_a_cold_hypothesis_cache(tmp_path):
    # Hypothesis keeps its caches in `.hypothesis` of the working directory: an empty one is a fresh clone's.
    result = subprocess.run(
        [sys.executable, "-m", "pytest", str(ROOT / "tests" / "unit" / "events" / "test_envelope.py"),
         "-q", "-p", "no:randomly", "-p", "no:cacheprovider", f"--rootdir={ROOT}", f"--basetemp={tmp_path / 'run'}"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert (tmp_path / ".hypothesis").is_dir()  # the run was the cold one
