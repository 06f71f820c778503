"""Debian's Chromium and a CJK font are installed only by root; anyone else is told the one command to run."""
from __future__ import annotations

import pytest

from infra import chromium


def test_a_user_without_chromium_is_told_the_apt_get_command(monkeypatch, tmp_path):
    monkeypatch.setattr(chromium, "CHROMIUM", tmp_path / "chromium")
    monkeypatch.setattr(chromium.os, "geteuid", lambda: 1000)
    with pytest.raises(chromium.ChromiumError, match="sudo apt-get install -y chromium fonts-noto-cjk"):
        chromium.ensure_chromium()


def test_root_without_apt_get_is_told_so(monkeypatch, tmp_path):
    monkeypatch.setattr(chromium, "CHROMIUM", tmp_path / "chromium")
    monkeypatch.setattr(chromium.os, "geteuid", lambda: 0)
    monkeypatch.setattr(chromium.shutil, "which", lambda name: None)
    with pytest.raises(chromium.ChromiumError, match="chromium, fonts-noto-cjk not installed and there is no apt-get"):
        chromium.ensure_chromium()
