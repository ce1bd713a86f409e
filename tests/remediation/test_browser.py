"""The issue's "done when", in a real browser with JavaScript off at 360 px: a compliance lead
goes from a critical signal to a plan, the supplier answers it with a root cause, an action
and evidence, workers answer the pulse survey, and the plan ends verified with the before and
after on its page; in English and in Arabic (right to left), never scrolling sideways."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.remediation.services import today
from tests.factories import PASSWORD
from tests.remediation.helpers import answer_pulse, worker_voice_campaign

pytestmark = pytest.mark.browser


def _sign_in(page, server, user, lang):
    page.goto(f"{server}/login?lang={lang}")
    page.locator("#email").fill(user.email)
    page.locator("#password").fill(PASSWORD)
    page.locator("form button[type=submit]").click()


def _unfold(page, inner: str):
    """Open the <details> holding ``inner`` by clicking its summary, as a person would."""
    details = page.locator(f"details:has({inner})").first
    if details.get_attribute("open") is None:
        details.locator("summary").first.click()


def _fits(page, what):
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, what


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_from_a_critical_signal_to_a_verified_plan_without_javascript(
    app, live_server, phone, artifact, factory, lang
):
    supplier = factory.supplier()
    site = factory.site(supplier, name="Phone Mill", languages=["en", "ar"])
    worker_voice_campaign(app, factory.site(), adverse={"FL03": 0.0}, responses=150, seed=5)
    worker_voice_campaign(app, site, adverse={"FL03": 0.7}, responses=25)
    lead = factory.user("compliance")
    owner = factory.user("supplier", supplier=supplier)
    due = (today() + timedelta(days=30)).isoformat()
    locale = "ar" if lang == "ar" else "en-US"

    page = phone(locale=locale)
    _sign_in(page, live_server, lead, lang)
    page.goto(f"{live_server}/dashboard/sites/{site.id}?lang={lang}")
    _fits(page, "site page")
    page.locator(f'a[href*="/caps/new?site={site.id}"][href*="indicator=FL03"]').click()
    assert page.locator("#severity").input_value() == "critical"  # from the signal's band
    page.locator("#due_on").fill(due)
    _fits(page, "new plan")
    page.locator("form.stack button[type=submit]").last.click()
    assert "/caps/" in page.url and page.locator("h1").count() == 1
    cap_url = page.url.split("?")[0]
    page.screenshot(path=str(artifact(f"cap-draft-{lang}.png")), full_page=True)

    supplier_page = phone(locale=locale)
    _sign_in(supplier_page, live_server, owner, lang)
    supplier_page.goto(cap_url)
    _unfold(supplier_page, "#root-body")
    supplier_page.locator("#root-body").fill("Passports were kept for visa renewals.")
    supplier_page.locator('form[action$="/root-cause"] button[type=submit]').click()
    _unfold(supplier_page, "#action-description")
    supplier_page.locator("#action-owner_kind").select_option("supplier")
    supplier_page.locator("#action-description").fill("Give every passport back.")
    supplier_page.locator("#action-due_on").fill(due)
    supplier_page.locator('form[action$="/actions"] button[type=submit]').click()
    _fits(supplier_page, "plan, supplier")

    page.goto(cap_url)
    page.locator('form[action$="/root-cause/review"] input[value="accept"]').check()
    page.locator('form[action$="/root-cause/review"] button[type=submit]').click()
    page.locator('form[action*="/review"]:not([action$="root-cause/review"]) '
                 'input[value="accept"]').first.check()  # fmt: skip
    page.locator('form[action*="/review"]:not([action$="root-cause/review"]) '
                 'button[type=submit]').first.click()  # fmt: skip
    page.locator("#status").select_option("agreed")
    page.locator('form[action$="/status"] button[type=submit]').click()

    supplier_page.goto(cap_url)
    supplier_page.locator('form[action$="/progress"] select').first.select_option("done")
    supplier_page.locator('form[action$="/progress"] button[type=submit]').first.click()
    _unfold(supplier_page, "#evidence-note")
    supplier_page.locator("#kind").select_option("action")
    supplier_page.locator("#evidence-file").set_input_files(files=[{
        "name": "passports.pdf", "mimeType": "application/pdf",
        "buffer": b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"}])  # fmt: skip
    supplier_page.locator('form[action$="/evidence"] button[type=submit]').click()
    supplier_page.locator("#status").select_option("awaiting_verification")
    supplier_page.locator('form[action$="/status"] button[type=submit]').click()

    page.goto(cap_url)
    page.locator('form[action$="/pulse"] button[type=submit]').click()
    cap_id = int(cap_url.rsplit("/", 1)[1])
    answer_pulse(app, cap_id, adverse={"FL03": 0.0}, responses=30)
    page.goto(cap_url)
    page.locator("#status").select_option("verified")
    page.locator("#status-note").fill("Passports seen with their owners.")
    page.locator('form[action$="/status"] button[type=submit]').click()
    assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
    _fits(page, "verified plan")
    page.screenshot(path=str(artifact(f"cap-verified-{lang}.png")), full_page=True)
    from portal.extensions import db
    from portal.remediation.models import CorrectiveActionPlan

    with app.app_context():
        cap = db.session.get(CorrectiveActionPlan, cap_id)
        assert cap.status == "verified" and not cap.contradiction
        (check,) = cap.checks
        assert check.after_score < 50 <= check.before_score
