"""Debian's Chromium driven by Playwright: launching it, the phone and desktop contexts, screenshots, and the
proof that Chinese text is drawn with a real font rather than as empty boxes ("tofu")."""
from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, BrowserType, Page

from infra import REPO_ROOT
from infra.chromium import ensure_chromium

SCREENSHOTS = REPO_ROOT / "var" / "screenshots"
LOCALES = ("zh-CN", "en")
# A small phone held in the field, and an office screen.
SCREENS = {
    "phone": {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True,
              "device_scale_factor": 2},
    "desktop": {"viewport": {"width": 1280, "height": 800}},
}
#: Runs a test that uses the `context` or `page` fixture once on each screen in each locale.
EVERY_SCREEN_AND_LOCALE = pytest.mark.parametrize(("screen", "locale"),
                                                  [(screen, locale) for screen in SCREENS for locale in LOCALES])
# Code points no font draws (Unicode noncharacters), so every one of them is the font's empty box.
TOFU = "\ufdd0\ufdd1\ufdd2"


def launch_chromium(browser_type: BrowserType, **options) -> Browser:
    """Headless Debian Chromium (installed first if missing); as root Chromium's sandbox cannot start."""
    executable = ensure_chromium()
    args = ["--no-sandbox"] if os.geteuid() == 0 else []
    return browser_type.launch(executable_path=str(executable), headless=True, args=args, **options)


def new_context(browser: Browser, screen: str, locale: str) -> BrowserContext:
    """A fresh context (own cookies and storage) of `screen` ("phone" or "desktop") in `locale`, on China's clock."""
    return browser.new_context(**SCREENS[screen], locale=locale, timezone_id="Asia/Shanghai", service_workers="allow")


def screenshot(page: Page, name: str) -> Path:
    """The whole page as var/screenshots/<name>.png, for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '_', name)}.png"
    page.screenshot(path=str(path), full_page=True, animations="disabled")
    return path


def han_characters(text: str) -> str:
    """The distinct Chinese characters (CJK unified ideographs) of `text`, in order of appearance."""
    return "".join(dict.fromkeys(c for c in text if unicodedata.name(c, "").startswith("CJK UNIFIED IDEOGRAPH")))


# Draws each character alone on a canvas in the element's own font and returns, per character, whether its
# pixels differ from every tofu reference and carry ink; the references must all look alike to be tofu.
_GLYPH_CHECK = """(element, [characters, tofu]) => {
  const style = getComputedStyle(element);
  const font = `${style.fontStyle} ${style.fontWeight} 48px ${style.fontFamily}`;
  const canvas = document.createElement("canvas");
  canvas.width = 96; canvas.height = 96;
  const context = canvas.getContext("2d", {willReadFrequently: true});
  const draw = (text) => {
    context.clearRect(0, 0, 96, 96);
    context.font = font;
    context.textBaseline = "top";
    context.fillText(text, 8, 8);
    return Array.from(context.getImageData(0, 0, 96, 96).data).join(",");
  };
  const references = Array.from(tofu, draw);
  const tofuIsUniform = references.every((pixels) => pixels === references[0]);
  const blank = draw("");
  const drawn = Array.from(characters, (c) => {
    const pixels = draw(c);
    return [c, pixels !== blank && !references.includes(pixels)];
  });
  return {font, tofuIsUniform, drawn};
}"""

# Replaces every Chinese character of the element's text by a tofu code point (or puts the text back).
_SWAP_TEXT = """(element, [han, tofu]) => {
  const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
  const saved = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    saved.push([node, node.data]);
    node.data = Array.from(node.data, (c) => han.includes(c) ? tofu : c).join("");
  }
  window.__cjkSaved = saved;
}"""
_RESTORE_TEXT = "() => { for (const [node, data] of window.__cjkSaved) node.data = data; delete window.__cjkSaved; }"


def assert_cjk_renders(page: Page, selector: str) -> None:
    """Fail unless every Chinese character of the element at `selector` is drawn by a font that has it.

    Two checks: each character drawn alone in the element's font differs from tofu and is not blank, and the
    element's own screenshot differs from the same element with its Chinese characters swapped for tofu."""
    element = page.locator(selector)
    element.wait_for(state="visible")
    han = han_characters(element.inner_text())
    assert han, f"{selector!r} holds no Chinese text to check: {element.inner_text()!r}"
    result = element.evaluate(_GLYPH_CHECK, [han, TOFU])
    assert result["tofuIsUniform"], f"cannot draw a tofu reference in {result['font']!r}: the check would prove nothing"
    missing = "".join(c for c, drawn in result["drawn"] if not drawn)
    assert not missing, f"{selector!r}: no font draws {missing!r} in {result['font']!r} (shown as empty boxes)"
    as_shown = element.screenshot(animations="disabled")
    element.evaluate(_SWAP_TEXT, [han, TOFU[0]])
    try:
        as_tofu = element.screenshot(animations="disabled")
    finally:
        page.evaluate(_RESTORE_TEXT)
    assert as_shown != as_tofu, f"{selector!r} looks the same with its Chinese text swapped for empty boxes"

