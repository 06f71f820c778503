"""Debian's Chromium and a CJK font for the browser tests, installed with apt-get when missing and we are root.

Playwright drives this browser (``CHROMIUM``); its own browser download is never used, so the tests run the
Chromium a Debian machine can be kept up to date with.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from pathlib import Path

from infra import ServiceError

__all__ = ["CHROMIUM", "INSTALL_HINT", "ChromiumError", "ensure_chromium", "missing_packages"]

log = logging.getLogger(__name__)

#: Debian's ``chromium`` package puts its launcher here.
CHROMIUM = Path("/usr/bin/chromium")
PACKAGES = ("chromium", "fonts-noto-cjk")
INSTALL_HINT = "sudo apt-get install -y " + " ".join(PACKAGES)


class ChromiumError(ServiceError):
    """Chromium or the CJK font could not be found or installed."""


def _has_cjk_font() -> bool:
    """Whether fontconfig knows a font for Simplified Chinese (without one, Chinese renders as empty boxes)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return False
    proc = subprocess.run([fc_list, ":lang=zh-cn", "family"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                          text=True, check=False)
    return proc.returncode == 0 and bool(proc.stdout.strip())


def missing_packages() -> list[str]:
    """The Debian packages of ``PACKAGES`` whose files the browser tests need and cannot find."""
    missing = []
    if not os.access(CHROMIUM, os.X_OK):
        missing.append("chromium")
    if not _has_cjk_font():
        missing.append("fonts-noto-cjk")
    return missing


def ensure_chromium(timeout: float = 1800.0) -> Path:
    """``CHROMIUM``, after installing what ``missing_packages`` names (root only); ChromiumError says why not."""
    missing = missing_packages()
    if not missing:
        return CHROMIUM
    if os.geteuid() != 0:
        raise ChromiumError(f"{', '.join(missing)} not installed ({CHROMIUM} and a font for Chinese) and we are "
                            f"not root: install them ({INSTALL_HINT})")
    if shutil.which("apt-get") is None:
        raise ChromiumError(f"{', '.join(missing)} not installed and there is no apt-get to install them")
    _apt_get_install(missing, timeout)
    still_missing = missing_packages()
    if still_missing:
        raise ChromiumError(f"apt-get installed {', '.join(missing)} but {', '.join(still_missing)} is still missing")
    return CHROMIUM


def _apt_get_install(packages: list[str], timeout: float) -> None:
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    # Another apt-get (a second test run, an operator) may hold dpkg's lock: wait for it rather than fail.
    lock_wait = ["-o", f"DPkg::Lock::Timeout={int(timeout)}"]
    output = []
    for cmd in (
        ["apt-get", *lock_wait, "update", "-q"],
        ["apt-get", *lock_wait, "install", "-y", "-q", "--no-install-recommends", *packages],
    ):
        log.info("installing the browser: %s", " ".join(cmd))
        try:
            proc = subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True, timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            raise ChromiumError(f"{' '.join(cmd)} did not finish within {timeout:.0f}s") from exc
        output.append(f"$ {' '.join(cmd)}\n{proc.stdout}")
        if proc.returncode != 0:
            out = "\n".join("\n".join(output).splitlines()[-40:])
            raise ChromiumError(f"installing {', '.join(packages)} failed (exit {proc.returncode}):\n{out}")
