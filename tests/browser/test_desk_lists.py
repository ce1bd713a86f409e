"""Staff lists at desk widths (1280 and 1024 px), in English and Arabic: the page uses the
width the screen has, no table scrolls sideways, and no filter or sort menu cuts its text
("All suppli…"). Phones are checked by test_staff_pages.py."""

from __future__ import annotations

import pytest

from tests import lists_world
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

LISTS = {"/cases": "compliance", "/sites": "compliance", "/suppliers": "compliance",
         "/campaigns": "compliance", "/saq": "compliance", "/users": "admin"}  # fmt: skip

# Each select whose chosen option's text is wider than its box (less padding and arrow).
CUT_SELECTS = """() => [...document.querySelectorAll('main form select')].filter(select => {
    const style = getComputedStyle(select);
    const context = document.createElement('canvas').getContext('2d');
    context.font = style.font;
    const text = select.options[select.selectedIndex].text;
    const room = select.clientWidth - parseFloat(style.paddingLeft)
        - parseFloat(style.paddingRight) - 20;
    return context.measureText(text).width > room;
}).map(select => select.id)"""
SIDEWAYS = """() => [...document.querySelectorAll('.table-wrap')]
    .filter(wrap => wrap.scrollWidth > wrap.clientWidth + 1)
    .map(wrap => `${wrap.scrollWidth} in ${wrap.clientWidth}`)"""


@pytest.fixture
def world(app, factory):
    world = lists_world.build(app, factory)
    long_supplier = factory.supplier("Bangladesh Knitwear and Garment Manufacturing Co-operative")
    factory.site(long_supplier, "Narayanganj Export Processing Zone Knitting and Dyeing Unit 4")
    factory.user("monitor", name="Nusrat Jahan Chowdhury-Rahman of the Garment Workers Union")
    return world


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_lists_use_the_desk_and_cut_nothing(live_server, phone, world, artifact, lang):
    failures = []
    for role in ("compliance", "admin"):
        page = phone(locale="ar" if lang == "ar" else "en-US")
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(f"{live_server}/login?lang={lang}")
        page.locator("#email").fill(world[role].email)
        page.locator("#password").fill(PASSWORD)
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
        for path in [path for path, reader in LISTS.items() if reader == role]:
            for width in (1280, 1024):
                page.set_viewport_size({"width": width, "height": 900})
                assert page.goto(f"{live_server}{path}?lang={lang}").status == 200
                label = f"{path} at {width} px ({lang})"
                if page.evaluate("document.documentElement.scrollWidth") > width:
                    failures.append(f"{label}: the page scrolls sideways")
                main = page.evaluate("document.querySelector('main').clientWidth")
                if main < width - 40:  # the whole screen less its margins, not 736 px
                    failures.append(f"{label}: main is {main} px")
                if sideways := page.evaluate(SIDEWAYS):
                    failures.append(f"{label}: table scrolls sideways {sideways}")
                if cut := page.evaluate(CUT_SELECTS):
                    failures.append(f"{label}: cut menus {cut}")
                if path == "/cases" and width == 1280:
                    page.screenshot(path=artifact(f"cases-1280-{lang}.png"), full_page=True)
    assert failures == [], "\n".join(failures)
