"""Every staff page, for every role that may see it, at 360 px in English and Arabic: no
sideways scrolling of the page and no serious or critical axe violation.

The pages come from the route × role matrix (tests/test_access_matrix.py): every GET rule a
role may use that answers with an HTML page, with the same world of data, so a new staff page
is checked here without being listed."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.factories import PASSWORD, login
from tests.test_access_matrix import EXPECTED, build_world, requests_of

pytestmark = pytest.mark.browser

ROLES = ("admin", "compliance", "supplier", "monitor")
# What sticks out, for the failure message: the innermost elements whose edge passes 360 px.
WIDEST = """() => [...document.querySelectorAll('body *')]
    .filter(e => { const r = e.getBoundingClientRect();
        return (r.right > 360 && r.left < 360) || (r.left < 0 && r.right > 0); })
    .filter(e => ![...e.children].some(c => { const r = c.getBoundingClientRect();
        return r.right > 360 || r.left < 0; }))
    .slice(0, 3).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '')
        + ' ' + Math.round(e.getBoundingClientRect().width) + 'px').join(', ')"""
SKIPPED = {"accounts.logout", "static", "public.healthz"}


def _pages(app, world, role) -> list[tuple[str, str]]:
    """(endpoint, url) of every HTML page this role gets with a 200, asked through the test
    client first: downloads (CSV, XLSX, SVG, evidence files) and redirects are not pages.
    The supplier's questionnaire pages come with the world's SAQ (tests/surveys/access.py)."""
    client = app.test_client()
    assert login(client, world["users"][role]).status_code == 302
    pages = []
    for endpoint, method, url in requests_of(app, world):
        if method != "GET" or endpoint in SKIPPED or role not in EXPECTED[endpoint]:
            continue
        if "anonymous" in EXPECTED[endpoint]:  # tests/browser/test_accessibility.py
            continue
        response = client.get(url)
        if response.status_code == 200 and response.mimetype == "text/html":
            pages.append((endpoint, url))
    return pages


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_every_staff_page_on_a_phone_passes_axe(app, live_server, phone, axe, factory, lang):
    world = build_world(factory)
    failures: list[str] = []
    checked = set()
    for role in ROLES:
        pages = _pages(app, world, role)
        assert pages, role
        page = phone(axe=True, locale="ar" if lang == "ar" else "en-US")
        page.goto(f"{live_server}/login?lang={lang}")
        page.locator("#email").fill(world["users"][role].email)
        page.locator("#password").fill(PASSWORD)
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
        assert "/login" not in page.url, f"{role} could not sign in"
        for endpoint, url in pages:
            separator = "&" if "?" in url else "?"
            reply = page.goto(f"{live_server}{url}{separator}lang={lang}")
            label = f"{role} {url}"
            # The page itself, not a sign-in form or an error page in its place.
            assert reply.status == 200, label
            assert urlsplit(page.url).path == urlsplit(url).path, (label, page.url)
            assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
            if page.evaluate("document.documentElement.scrollWidth") > 360:
                wide = page.evaluate(WIDEST)
                failures.append(f"{label}: wider than the phone ({wide})")
            failures.extend(f"{label}: {violation}" for violation in axe(page))
            checked.add(endpoint)
    # The walk really covered the staff side: accounts, suppliers, surveys, cases, dashboard.
    prefixes = {endpoint.split(".")[0] for endpoint in checked}
    assert {"accounts", "suppliers", "surveys", "grievances", "dashboard", "exports"} <= prefixes
    assert {"surveys.saq_section", "surveys.saq_review", "grievances.case"} <= checked
    assert failures == []
