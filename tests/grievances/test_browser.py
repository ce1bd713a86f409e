"""The anonymous channel in a real browser: 360 px wide, JavaScript off, English and Arabic."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


@pytest.fixture
def site(factory):
    supplier = factory.supplier("Irbid Garments", "JO")
    return factory.site(supplier, "Al Dulayl Plant", languages=["ar", "bn", "en"])


def _fits(page):
    # A click that submits a form may still be loading the next document: wait for it and
    # measure again (an evaluate in between once met a page without a documentElement).
    from playwright.sync_api import Error

    width = None
    for _attempt in range(5):
        page.wait_for_load_state()
        try:
            width = page.evaluate(
                "document.documentElement ? document.documentElement.scrollWidth : null"
            )
        except Error:  # the execution context went with the old document
            width = None
        if width is not None:
            break
        page.wait_for_timeout(100)
    assert width is not None and width <= 360


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_report_and_follow_up_without_javascript(live_server, phone, site, artifact, lang):
    page = phone(locale="ar" if lang == "ar" else "en-US")
    page.goto(f"{live_server}/s/{site.code}?lang={lang}")
    page.locator(f'a[href="/s/{site.code}/report"]').click()
    assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
    _fits(page)
    page.locator('label[for="who-worker"]').click()
    page.locator("form button[type=submit]").click()
    _fits(page)

    # Sending nothing explains what is missing and keeps the page usable.
    page.locator("form button[type=submit]").click()
    assert page.locator(".error-summary").count() == 1
    page.locator('label[for="category-0"]').click()
    description = "لم نستلم الأجور منذ شهرين" if lang == "ar" else "No wages for two months."
    page.locator("#description").fill(description)
    page.locator("#occurred_where").fill("Line 4")
    page.screenshot(path=str(artifact(f"grievance-form-{lang}.png")), full_page=True)
    page.locator("form button[type=submit]").click()

    number = page.locator(".receipt-number").inner_text().strip()
    assert len(number.replace(" ", "")) == 20
    _fits(page)
    page.screenshot(path=str(artifact(f"grievance-receipt-{lang}.png")), full_page=True)
    assert number.replace(" ", "") not in page.url

    page.locator(f'a[href="/s/{site.code}/follow-up"]').click()
    page.locator("#receipt").fill(number)
    page.locator("form button[type=submit]").click()
    assert description in page.locator(".thread").inner_text()
    assert number.replace(" ", "") not in page.url
    page.locator("#message").fill("The supervisor knows about it.")
    page.locator("form[action='/follow-up/reply'] button[type=submit]").click()
    assert "The supervisor knows about it." in page.locator(".thread").inner_text()
    _fits(page)
    page.screenshot(path=str(artifact(f"grievance-thread-{lang}.png")), full_page=True)
    # Touch targets of the choices are at least 48 px tall.
    page.goto(f"{live_server}/s/{site.code}/report?lang={lang}")
    for index in range(page.locator(".choices li").count()):
        assert page.locator(".choices li").nth(index).bounding_box()["height"] >= 48


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_anonymous_grievance_pages_are_accessible(live_server, phone, site, axe, lang):
    page = phone(axe=True)
    for path in (
        f"/s/{site.code}/report?lang={lang}",
        f"/s/{site.code}/report?who=supplier_staff&lang={lang}",
        f"/report?who=community&lang={lang}",
        f"/s/{site.code}/follow-up?lang={lang}",
    ):
        page.goto(live_server + path)
        _fits(page)
        assert axe(page) == [], path
