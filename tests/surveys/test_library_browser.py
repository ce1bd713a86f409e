"""A compliance lead, in chromium at 360 px with JavaScript off, uploads a broken XLSForm and
reads where each problem is, uploads a good one, previews it in Bengali and Arabic following
the skip logic, publishes it and deploys it: no shell."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.surveys.models import Campaign
from tests.factories import PASSWORD
from tests.surveys.forms import build
from tests.surveys.test_library import pay_form

pytestmark = pytest.mark.browser


def test_upload_preview_publish_and_deploy_in_the_browser(
    app, live_server, phone, factory, artifact, axe, tmp_path
):
    site = factory.site(languages=["bn", "ar"])
    lead = factory.user("compliance")
    page = phone()
    page.goto(f"{live_server}/login")
    page.locator("#email").fill(lead.email)
    page.locator("#password").fill(PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()

    broken = build.write(
        {
            "survey": [["type", "name", "label"], ["wibble", "q", "Q"], ["geopoint", "w", "W"]],
            "settings": [["form_id", "audience", "areas"], ["broken", "workers", "training"]],
        },
        tmp_path / "broken.xlsx",
    )
    page.goto(f"{live_server}/surveys/upload")
    page.locator("#form_file").set_input_files(str(broken))
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    rows = page.locator("table.problems tbody tr")
    assert rows.count() == 2
    assert "survey" in rows.nth(0).inner_text()  # the sheet, then row 2
    assert "unknown type 'wibble'" in rows.nth(0).inner_text()
    assert "Cannot be offered" in rows.nth(1).inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(artifact("library-errors-en.png")), full_page=True)

    good = tmp_path / "pay.xlsx"
    good.write_bytes(pay_form(tmp_path))
    page.locator("#form_file").set_input_files(str(good))
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    assert "/surveys/uploads/" in page.url
    detail_url = page.url

    for lang in ("bn", "ar"):
        page.goto(detail_url)
        with page.expect_navigation():
            page.locator(f'a[hreflang="{lang}"]').first.click()
        assert page.locator("html").get_attribute("lang") == lang
        assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.screenshot(path=str(artifact(f"library-preview-{lang}.png")), full_page=True)
        page.locator('input[name="on_time"][value="no"]').check()
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
        assert page.locator('input[name="days_late"]').count() == 1  # the skip logic followed
        page.locator('input[name="days_late"]').fill("3")
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
        page.locator('textarea[name="comment"]').fill("ok")
        with page.expect_navigation():
            page.locator("main form button[type=submit]").click()
        assert "days_late" in page.locator("main").inner_text()

    page.goto(detail_url)
    with page.expect_navigation():
        page.locator("form[action$='/publish'] button").click()
    assert "Published as version 1" in page.locator("main").inner_text()
    page.screenshot(path=str(artifact("library-survey-en.png")), full_page=True)
    with page.expect_navigation():
        page.get_by_text("Deploy the latest version").click()
    page.locator("#name").fill("Pay check, first round")
    page.locator(f'input[name="site_ids"][value="{site.id}"]').check()
    page.locator("#closes_on").fill("2099-12-31")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    with app.app_context():
        campaign = db.session.scalar(select(Campaign))
        assert campaign is not None and campaign.name == "Pay check, first round"
        assert campaign.survey_version.survey.form_id == "pay-check"

    checked = phone(axe=True)
    checked.goto(f"{live_server}/login")
    checked.locator("#email").fill(lead.email)
    checked.locator("#password").fill(PASSWORD)
    with checked.expect_navigation():
        checked.locator("main form button[type=submit]").click()
    checked.goto(f"{live_server}/surveys/upload")
    assert axe(checked) == []
