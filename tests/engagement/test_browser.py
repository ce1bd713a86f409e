"""The issue's "done when" in a real browser at 360 px: workers comment on the draft code of
conduct from the site's public page without JavaScript, in Bengali and in Arabic (right to
left); the published outcome and the comment page pass axe; staff read the matrix on a phone."""

from __future__ import annotations

import pytest

from portal.engagement import consult
from portal.engagement.models import Consultation, ConsultationComment
from portal.extensions import db
from tests.engagement import helpers
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def _fits(page, what):
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, what


@pytest.mark.parametrize("lang", ["bn", "ar"])
def test_a_worker_comments_on_the_draft_without_javascript(app, live_server, phone, artifact,
                                                           factory, lang):  # fmt: skip
    site = factory.site(name="Phone Knitting", languages=["bn", "ar", "en"])
    lead = factory.user("compliance")
    cid = helpers.consultation(app, lead, sites=[site], groups=("workers", "communities"))
    page = phone(locale=lang)
    page.goto(f"{live_server}/s/{site.code}?lang={lang}")
    page.locator(f'a[href$="/consultations/{cid}"]').click()
    assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
    assert page.locator(".document").get_attribute("lang") == lang
    _fits(page, "comment page")
    page.screenshot(path=str(artifact(f"consultation-comment-{lang}.png")), full_page=True)
    page.locator("input[name=group][value=workers]").check()
    words = "ডরমিটরির ভাড়াও ফি" if lang == "bn" else "السكن جزء من الرسوم"
    page.locator("#comment").fill(words)
    page.locator("main form button[type=submit]").click()
    assert page.url.endswith(f"/s/{site.code}/consultations/sent")
    _fits(page, "thanks")
    with app.app_context():
        comment = db.session.scalar(db.select(ConsultationComment))
        assert (comment.body, comment.language, comment.user_id) == (words, lang, None)


def test_comment_and_outcome_pages_pass_axe(app, live_server, phone, axe, factory):
    site = factory.site(languages=["ar", "en"])
    lead = factory.user("compliance")
    open_id = helpers.consultation(app, lead, sites=[site])
    done_id = helpers.consultation(app, lead, sites=[site], status="closed")
    with app.app_context():
        done = db.session.get(Consultation, done_id)
        who = db.session.merge(lead)
        consult.respond(consult.add_theme(done, who, "Fees"), who, "Banned.", True)
        consult.publish(done, who, {"en": {"body": "Final.", "changes": "Fees banned."}})
    page = phone(axe=True)
    failures = []
    for lang in ("en", "ar"):
        for url in (f"/s/{site.code}/consultations/{open_id}", f"/consultations/{done_id}"):
            page.goto(f"{live_server}{url}?lang={lang}")
            _fits(page, url)
            failures += [f"{url} {lang}: {v}" for v in axe(page)]
    assert failures == []


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_staff_read_the_matrix_on_a_phone(app, live_server, phone, artifact, factory, lang):
    site = factory.site(name="Matrix Mill")
    lead = factory.user("compliance")
    helpers.activity(app, lead, sites=[site], people={"workers": (12, 7, 5)})
    page = phone(locale=lang)
    page.goto(f"{live_server}/login?lang={lang}")
    page.locator("#email").fill(lead.email)
    page.locator("#password").fill(PASSWORD)
    page.locator("form button[type=submit]").click()
    for name, path in (("matrix", "/engagement/matrix"), ("activities", "/engagement"),
                       ("new-activity", "/engagement/activities/new"),
                       ("consultations", "/engagement/consultations/new")):  # fmt: skip
        page.goto(f"{live_server}{path}?lang={lang}")
        _fits(page, name)
        page.screenshot(path=str(artifact(f"engagement-{name}-{lang}.png")), full_page=True)
