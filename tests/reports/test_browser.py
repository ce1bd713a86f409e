"""The published report on a phone (360 px, JavaScript off) in English, Arabic (right to left)
and Bengali: it fits, passes axe, and stays within the anonymous page-weight budget."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.grievances.services import today
from tests.reports import helpers

BUDGET = 14 * 1024
BROTLI = {"Accept-Encoding": "br"}


def _published(app, factory) -> str:
    lead = factory.user("compliance")
    site = factory.site(name="Phone Mill")
    helpers.cases(app, site, 12, lead=lead, status="resolved", days_to_resolve=5)
    report_id = helpers.draft(app, lead, start=today() - timedelta(days=30), end=today())
    helpers.publish(app, lead, report_id)
    return f"/accountability/{report_id}/v1"


@pytest.mark.parametrize("lang", ["en", "ar", "bn"])
def test_the_public_report_fits_the_page_weight_budget(app, client, factory, lang):
    url = _published(app, factory)
    css = client.get("/static/portal.css", headers=BROTLI)
    page = client.get(f"{url}?lang={lang}", headers=BROTLI)
    assert page.headers.get("Content-Encoding") == "br"
    assert len(page.data) + len(css.data) <= BUDGET, len(page.data)


@pytest.mark.browser
def test_the_public_report_on_a_phone(app, live_server, phone, axe, artifact, factory):
    url = _published(app, factory)
    page = phone(axe=True)
    failures = []
    for lang in ("en", "ar", "bn"):
        page.goto(f"{live_server}{url}?lang={lang}")
        assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, lang
        failures += [f"{lang}: {v}" for v in axe(page)]
        page.screenshot(path=str(artifact(f"public-report-{lang}.png")), full_page=False)
    page.goto(f"{live_server}/accountability?lang=ar")
    failures += [f"index: {v}" for v in axe(page)]
    assert failures == []
