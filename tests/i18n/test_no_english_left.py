"""A worker's first pages in every language hold no English the English page holds: the site
page, the survey's start and first question screens, and the report form (as sent, and
refused for a missing field). Every visible text and every attribute a screen reader or
a phone shows (placeholder, aria-label, title, alt, button values) is compared."""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest

from portal.extensions import db
from portal.i18n import LANGUAGES
from portal.surveys import services
from portal.surveys.definitions import load_definition
from tests.surveys.conftest import utc_today

ROOT = Path(__file__).resolve().parents[2]
SHOWN_ATTRIBUTES = {"placeholder", "aria-label", "title", "alt"}
#: The same in English and in these languages, and right so.
SAME_WORD = {
    # Language names in their own script: the language menu of every page.
    *LANGUAGES.values(),
    # Names of places and people, codes and marks.
    "Katunayake Plant", "Colombo Knit", "Worker Voice Portal", "·", "—", "*", "%",
    "UTC", "Email",  # Indonesian, Filipino and Turkish write "Email" too
    "OK", "WhatsApp", "SMS",
    "No",  # Spanish
}  # fmt: skip


class _Texts(HTMLParser):
    def __init__(self):
        super().__init__()
        self.texts: set[str] = set()
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:
            shown = name in SHOWN_ATTRIBUTES or (name == "value" and tag == "button")
            if shown and value:
                self._add(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self._add(data)

    def _add(self, text):
        text = " ".join(text.split())
        if any(ch.isalpha() for ch in text):
            self.texts.add(text)


def texts(html: str) -> set[str]:
    parser = _Texts()
    parser.feed(html)
    return parser.texts


@pytest.fixture
def pages(app, factory):
    supplier = factory.supplier("Colombo Knit", "LK")
    site = factory.site(supplier, "Katunayake Plant", languages=["si", "ta"], headcount=900)
    spec = load_definition(ROOT / "surveys" / "worker-voice.yaml")
    with app.app_context():
        version, _ = services.store_version(spec)
        db.session.commit()
        campaign = services.create_campaign(services.CampaignData(
            name="Pulse", survey_version_id=version.id, stakeholder_group="workers",
            site_ids=[site.id], opens_on=utc_today(), closes_on=utc_today() + timedelta(days=9),
            languages=list(spec.languages),
        ))  # fmt: skip
        return site, campaign.id


def _walk(app, site, campaign_id, lang) -> dict[str, str]:
    """The pages, in ``lang``, as a fresh phone gets them."""
    client = app.test_client()
    query = f"lang={lang}"
    walked = {"site page": client.get(f"/s/{site.code}?{query}").text}
    start = f"/s/{site.code}/survey/{campaign_id}"
    walked["survey start"] = client.get(f"{start}?{query}").text
    screen = client.post(f"{start}?{query}").headers["Location"]
    walked["first survey screen"] = client.get(screen).text
    for _ in range(30):  # on to the first number question, and answer it with a word
        numbers = re.findall(
            r'<input[^>]*inputmode="\w+"[^>]*name="([^"]+)"', client.get(screen).text
        )
        refused = client.post(screen, data=dict.fromkeys(numbers, "many"))
        if numbers or refused.status_code != 302:
            break
        screen = refused.headers["Location"]
    walked["survey screen, nothing answered"] = refused.text
    report = f"/s/{site.code}/report?who=worker&{query}"
    walked["report form"] = client.get(report).text
    walked["report form refused"] = client.post(report, data={"category": "wages"}).text
    return walked


def test_the_walk_reaches_each_page(app, pages):
    site, campaign_id = pages
    walked = _walk(app, site, campaign_id, "en")
    assert "Katunayake Plant" in walked["site page"]
    assert 'class="survey' in walked["first survey screen"]
    assert "error-summary" in walked["survey screen, nothing answered"]
    assert "error-summary" in walked["report form refused"]


@pytest.mark.parametrize("lang", [code for code in LANGUAGES if code != "en"])
def test_no_english_is_left_on_a_workers_first_pages(app, pages, lang):
    site, campaign_id = pages
    english = _walk(app, site, campaign_id, "en")
    translated = _walk(app, site, campaign_id, lang)
    names = {site.code, f"{site.name} · Worker Voice Portal"}
    left = {
        name: sorted((texts(translated[name]) & texts(html)) - SAME_WORD - names)
        for name, html in english.items()
    }
    assert {name: found for name, found in left.items() if found} == {}
