"""A worker finishes the shipped worker survey on a 360 px chromium with JavaScript off."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal import ROOT
from portal.extensions import db
from portal.surveys import services
from portal.surveys.definitions import load_definition
from portal.surveys.models import Response
from tests.surveys.conftest import utc_today

pytestmark = pytest.mark.browser


@pytest.fixture
def worker_campaign(app, factory):
    spec = load_definition(ROOT / "surveys" / "worker-voice.yaml")
    site = factory.site(languages=["bn", "ar", "en"])
    with app.app_context():
        version, _ = services.store_version(spec)
        db.session.commit()
        campaign = services.create_campaign(
            services.CampaignData(
                name="Browser campaign",
                survey_version_id=version.id,
                stakeholder_group="workers",
                site_ids=[site.id],
                opens_on=utc_today(),
                closes_on=utc_today() + timedelta(days=7),
                languages=list(spec.languages),
            )
        )
        return campaign.id, site


@pytest.mark.parametrize("lang", ["bn", "ar"])
def test_worker_survey_without_javascript(
    app, live_server, phone, worker_campaign, artifact, axe, lang
):
    campaign_id, site = worker_campaign
    page = phone()
    page.goto(f"{live_server}/s/{site.code}?lang={lang}")
    page.locator(f'a[href*="/survey/{campaign_id}"]').click()
    assert page.locator("html").get_attribute("lang") == lang
    page.screenshot(path=str(artifact(f"survey-start-{lang}.png")), full_page=True)
    page.locator("main form button[type=submit]").click()
    for step in range(60):
        if "/finish" in page.url:
            break
        assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
        # Answer like a cautious worker: the first choice of each question, 40 hours.
        for fieldset in page.locator("fieldset.question").all():
            first = fieldset.locator("input").first
            if first.get_attribute("type") == "radio" or step % 3 == 0:
                first.check()
        for number in page.locator("input.number").all():
            number.fill("40")
        if step == 2:
            page.screenshot(path=str(artifact(f"survey-question-{lang}.png")), full_page=True)
        page.locator("form.survey button[type=submit]").click()
        assert "error-summary" not in page.content(), page.url
    assert "/finish" in page.url
    page.locator("main form button[type=submit]").click()
    assert page.url.endswith("/thanks")
    with app.app_context():
        stored = db.session.scalar(select(func.count()).select_from(Response))
        language = db.session.scalar(select(Response.language))
    assert stored == 1 and language == lang
    # The screens are accessible too (checked with JavaScript on, for axe only).
    checker = phone(axe=True)
    checker.goto(f"{live_server}/s/{site.code}/survey/{campaign_id}?lang={lang}")
    assert axe(checker) == []
    assert checker.evaluate("document.documentElement.scrollWidth") <= 360
