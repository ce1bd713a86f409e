"""The public site page and the poster in a real browser at phone size."""

from __future__ import annotations

import re

import pytest

from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture
def site(factory):
    supplier = factory.supplier("Irbid Apparel", "JO")
    return factory.site(
        supplier, "Al Hassan Estate Factory", languages=["bn", "hi", "ne", "ar"], headcount=1500
    )


def _box(page, selector):
    box = page.locator(selector).first.bounding_box()
    assert box is not None, selector
    return box


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_site_page_without_javascript(live_server, phone, site, artifact, lang):
    page = phone()
    response = page.goto(f"{live_server}/s/{site.code}?lang={lang}")
    assert response.status == 200
    html = page.locator("html")
    direction = "rtl" if lang == "ar" else "ltr"
    assert html.get_attribute("lang") == lang and html.get_attribute("dir") == direction
    page.screenshot(path=str(artifact(f"site-{lang}.png")), full_page=True)

    # Mirrored layout: the first language button hugs the start edge of the line.
    button = _box(page, ".lang-button")
    if direction == "ltr":
        assert button["x"] < 40
    else:
        assert button["x"] + button["width"] > 360 - 40
    # Large touch targets for the site's languages (the others sit in a closed <details>).
    buttons = page.locator("nav > .lang-grid .lang-button")
    assert buttons.count() == 4
    for index in range(buttons.count()):
        assert buttons.nth(index).bounding_box()["height"] >= 48
    # Choosing a language is a plain link: it works without JavaScript.
    page.locator('.lang-button[lang="bn"]').click()
    assert page.locator("html").get_attribute("lang") == "bn"


@pytest.mark.parametrize("lang", ["en", "ar", "my"])
def test_site_page_is_accessible_and_fits_a_phone(live_server, phone, site, axe, lang):
    page = phone(axe=True)
    page.goto(f"{live_server}/s/{site.code}?lang={lang}")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert axe(page) == []


def test_burmese_renders_in_myanmar_script(live_server, phone, site, artifact):
    page = phone()
    page.goto(f"{live_server}/s/{site.code}?lang=my")
    title = page.locator("h1").inner_text()
    assert re.search("[\u1000-\u109f]", title), title
    page.screenshot(path=str(artifact("site-my.png")), full_page=True)


def test_start_page_and_code_lookup_without_javascript(live_server, phone, site):
    page = phone()
    page.goto(f"{live_server}/?lang=en")
    page.get_by_label("Code from the poster").fill(site.code.lower())
    page.get_by_role("button", name="Continue").click()
    assert page.url.endswith(f"/s/{site.code}")


def test_poster_prints_on_one_a4_page(live_server, phone, site, factory, artifact):
    user = factory.user("compliance")
    page = phone()
    page.goto(f"{live_server}/login?lang=en")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    assert page.url.endswith("/home")
    page.goto(f"{live_server}/sites/{site.id}/poster")
    assert page.locator(".poster-qr svg").count() == 1
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    page.emulate_media(media="print")
    page.screenshot(path=str(artifact("poster.png")), full_page=True)
    pdf = page.pdf(format="A4", print_background=True)
    (artifact("poster.pdf")).write_bytes(pdf)
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    assert pages == 1
    for lang in ("bn", "hi", "ne", "ar"):
        assert page.locator(f'.poster-texts section[lang="{lang}"]').count() == 1
