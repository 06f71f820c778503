"""Every message of the pages has its Simplified Chinese, and the vendored htmx is the one the registry published."""
from __future__ import annotations

import hashlib
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

from app.web.i18n import CATALOGS, DEFAULT_LOCALE

WEB = Path(__file__).resolve().parents[2] / "app" / "web"
METHODS = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
KEYWORDS = {**DEFAULT_KEYWORDS, "lazy_gettext": None}  # menus and labels defined before any request


def _messages_in_code() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(str(WEB), METHODS, keywords=KEYWORDS):
        found.add(message if isinstance(message, str) else message[0])
    return found


def _translated() -> dict[str, str]:
    translations = {}
    for catalog in CATALOGS.glob(f"*/{DEFAULT_LOCALE}/LC_MESSAGES/messages.po"):
        with catalog.open("rb") as file:
            translations |= {message.id: message.string for message in read_po(file) if message.id}
    return translations


def test_every_message_of_the_pages_is_translated_into_chinese():
    translated = _translated()

    missing = sorted(message for message in _messages_in_code() if not translated.get(message))

    assert missing == [], "messages without a zh_Hans_CN translation in app/web/translations/*/"


def test_a_message_has_one_chinese_whichever_area_translates_it():
    # Flask-Babel merges the areas' catalogs into one: of two translations of a message, one would show everywhere.
    translations: dict[str, set[str]] = {}
    for catalog in CATALOGS.glob(f"*/{DEFAULT_LOCALE}/LC_MESSAGES/messages.po"):
        with catalog.open("rb") as file:
            for message in read_po(file):
                if message.id:
                    translations.setdefault(str(message.id), set()).add(str(message.string))

    assert {message: strings for message, strings in translations.items() if len(strings) > 1} == {}


def test_no_catalog_keeps_a_message_the_pages_no_longer_use():
    assert sorted(set(_translated()) - _messages_in_code()) == []


def test_the_vendored_htmx_is_the_file_its_manifest_names():
    vendor = WEB / "static" / "vendor"
    manifest = dict(line.split(" sha256 ") for line in (vendor / "VENDORED").read_text().splitlines()
                    if " sha256 " in line)

    assert hashlib.sha256((vendor / "htmx.min.js").read_bytes()).hexdigest() == manifest["htmx.min.js"]
