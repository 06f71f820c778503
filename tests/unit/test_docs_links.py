"""The documentation stands on its own: every link of the README and docs/ leads to a file of the
repository, and the files docs/domain.md names as implementing a rule exist."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
CODE_PATH = re.compile(r"`((?:app|events|payroll|consumers|tests|bin|migrations)/[\w/.]*\w)`")


@pytest.mark.parametrize("doc", DOCS, ids=lambda path: path.name)
def test_every_link_of_the_docs_leads_inside_the_repository(doc):
    outside, missing = [], []
    for target in LINK.findall(doc.read_text()):
        if re.match(r"[a-z]+:", target) or target.startswith("#"):
            continue  # a web address or an anchor of the same page
        path = (doc.parent / target.split("#")[0]).resolve()
        if not path.is_relative_to(ROOT):
            outside.append(target)
        elif not path.exists():
            missing.append(target)
    assert outside == [] and missing == [], f"{doc.name}: outside the repository {outside}, missing {missing}"


@pytest.mark.parametrize("doc", DOCS, ids=lambda path: path.name)
def test_the_docs_name_no_file_outside_the_repository(doc):
    text = doc.read_text()
    assert not re.search(r"\b(STYLE|DOMAIN|API|GLOSSARY)\.md\b", text), f"{doc.name} names a file it does not hold"


def test_every_module_the_domain_cites_exists():
    cited = set(CODE_PATH.findall((ROOT / "docs" / "domain.md").read_text()))
    assert cited, "docs/domain.md cites the modules that implement its rules"
    assert sorted(path for path in cited if not (ROOT / path).exists()) == []
