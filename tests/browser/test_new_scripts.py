"""Ethiopic, Sinhala, Tamil and Thai at phone size without JavaScript: the glyphs come from a
system font (no empty boxes), nothing runs past 360 px, and Thai wraps between words."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

SCRIPTS = {
    "am": "[\u1200-\u137f]",
    "si": "[\u0d80-\u0dff]",
    "ta": "[\u0b80-\u0bff]",
    "th": "[\u0e00-\u0e7f]",
}

# Canvas widths in a page with JavaScript: a glyph missing from every font is drawn as the
# same empty box as an unassigned code point, so equal widths mean boxes.
_TOFU = """(text) => {
    const context = document.createElement('canvas').getContext('2d');
    context.font = getComputedStyle(document.body).font;
    const box = context.measureText('\\uFFFF'.repeat([...text].length)).width;
    return [context.measureText(text).width, box];
}"""


@pytest.fixture
def site(factory):
    supplier = factory.supplier("Colombo Knit", "LK")
    return factory.site(supplier, "Katunayake Plant", languages=list(SCRIPTS), headcount=900)


@pytest.mark.parametrize("lang", list(SCRIPTS))
def test_the_site_page_renders_in_its_script(live_server, phone, site, artifact, lang):
    page = phone()
    assert page.goto(f"{live_server}/s/{site.code}?lang={lang}").status == 200
    assert page.locator("html").get_attribute("lang") == lang
    heading = page.locator("h1").inner_text()
    assert re.search(SCRIPTS[lang], heading), heading
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(artifact(f"site-{lang}.png")), full_page=True)

    checking = phone(javascript=True)
    checking.goto(f"{live_server}/s/{site.code}?lang={lang}")
    text = checking.locator("h1").inner_text()
    width, boxes = checking.evaluate(_TOFU, text)
    assert width != boxes, f"{lang}: '{text}' is drawn as empty boxes (no font for the script)"


def test_thai_wraps_between_words_inside_the_phone(live_server, phone, site):
    page = phone()
    page.goto(f"{live_server}/s/{site.code}?lang=th")
    # Thai writes no spaces between words: the browser must break lines by dictionary, so a
    # long paragraph takes several lines without overflowing.
    paragraph = page.locator("main p").filter(has_text=re.compile("[\u0e00-\u0e7f]{20,}")).first
    box = paragraph.bounding_box()
    assert box is not None and box["width"] <= 360
    line = float(paragraph.evaluate("e => parseFloat(getComputedStyle(e).lineHeight)"))
    assert box["height"] > 1.5 * line, "the Thai paragraph did not wrap"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
