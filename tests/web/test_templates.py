"""The templates' own shape: a page's title is text, and a page's head holds no content."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

TEMPLATES = sorted((Path(__file__).resolve().parents[2] / "app" / "web" / "templates").rglob("*.html"))
BLOCK = re.compile(r"{%\s*block (title|head)\s*%}(.*?){%\s*endblock\s*%}", re.S)


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda path: path.name)
def test_a_title_is_text_and_a_head_holds_only_links_and_meta(template):
    for block, body in BLOCK.findall(template.read_text()):
        if block == "title":
            assert "<" not in body, f"{template.name}: markup in its title"
        else:
            assert re.findall(r"<(?!link |meta |script |/script)", body) == [], f"{template.name}: content in its head"
