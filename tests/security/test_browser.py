"""In chromium with JavaScript on: pages showing the stored payloads open no dialog, and no
page (anonymous or staff) makes the browser report a Content-Security-Policy violation."""

from __future__ import annotations

import pytest

from tests.browser.fixtures import PHONE
from tests.factories import PASSWORD
from tests.security.xss_world import build, pages

pytestmark = pytest.mark.browser

#: Collects every CSP violation the page reports, from before the page's own content runs.
LISTEN = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.__violations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sample}`);
});
"""


def _context(browser, dialogs):
    context = browser.new_context(viewport=PHONE, java_script_enabled=True)
    context.add_init_script(LISTEN)
    page = context.new_page()

    def dismiss(dialog):
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    return context, page


def _visit(page, url, problems):
    page.goto(url)
    for violation in page.evaluate("window.__violations"):
        problems.append(f"{url}: {violation}")


def test_payload_pages_run_no_script_and_violate_no_policy(app, factory, live_server, browser):
    world, _clients = build(app, factory)
    code = world.ids["code"]
    dialogs, problems, contexts = [], [], []

    context, page = _context(browser, dialogs)
    contexts.append(context)
    anonymous = [
        "/", "/s?code=", "/s?code=zzzzz", f"/s/{code}", f"/s/{code}?lang=ar", f"/s/{code}/report",
        f"/s/{code}/report?who=worker", "/report?who=community", "/follow-up",
        f"/s/{code}/survey/{world.ids['campaign_id']}", "/login", "/no-such-page",
    ]  # fmt: skip
    for url in anonymous:
        _visit(page, live_server + url, problems)
    # The reporter's thread (a POST page) through its form.
    page.goto(f"{live_server}/s/{code}/follow-up")
    page.locator("#receipt").fill(world.receipt)
    page.locator("form button[type=submit]").click()
    assert "DESCRIPTION" in page.locator(".thread").inner_text()
    problems.extend(page.evaluate("window.__violations"))

    for role in ("admin", "compliance", "supplier", "monitor"):
        context, page = _context(browser, dialogs)
        contexts.append(context)
        page.goto(f"{live_server}/login")
        page.locator("#email").fill(world.ids["emails"][role])
        page.locator("#password").fill(PASSWORD)
        page.locator("form button[type=submit]").click()
        assert page.url.endswith("/home"), page.url
        staff_pages = [url for who, url, _ in pages(world) if who == role]
        staff_pages += ["/account", "/sites?page=2", "/exports"] if role == "compliance" else []
        for url in staff_pages:
            _visit(page, live_server + url, problems)
    # The listener works: an inline script added now is blocked, and reported.
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'alert(2)'; document.body.append(s); }"
    )
    page.wait_for_function("window.__violations.length > 0")
    assert "script-src" in page.evaluate("window.__violations")[0]
    for context in contexts:
        context.close()
    assert dialogs == []
    assert problems == []
