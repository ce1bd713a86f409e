"""The dashboard in a real browser at 360 px, English and Arabic: no sideways scrolling of the
page (the heatmap scrolls inside its wrapper), no serious or critical axe violation."""

from __future__ import annotations

import pytest

from tests.dashboard.test_dashboard import ADVERSE, CLEAN, submit
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_dashboard_pages_on_a_phone(app, live_server, phone, axe, artifact, factory, deploy, lang):
    site = factory.site(name="Browser Mill")
    campaign, _ = deploy(sites=[site])
    submit(app, campaign, site, [ADVERSE] * 3 + [CLEAN] * 9)
    user = factory.user("compliance")
    page = phone(axe=True, locale="ar" if lang == "ar" else "en-US")
    page.goto(f"{live_server}/login?lang={lang}")
    page.locator("#email").fill(user.email)
    page.locator("#password").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    for name, path in (
        ("overview", "/dashboard"),
        ("heatmap", "/dashboard/heatmap"),
        ("site", f"/dashboard/sites/{site.id}"),
        ("indicator", "/dashboard/indicators/FL03"),
        ("engagement", "/engagement/matrix"),
    ):
        page.goto(f"{live_server}{path}?lang={lang}")
        assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, name
        page.screenshot(path=str(artifact(f"dashboard-{name}-{lang}.png")), full_page=True)
        assert axe(page) == [], name
