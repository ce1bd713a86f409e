"""Consultations end to end: compliance drafts and opens one, workers comment anonymously
from the site's public page in their language, a supplier comments signed in, staff read the
comments with small groups protected, respond per theme and publish the revision."""

from __future__ import annotations

import re

from sqlalchemy import select

from portal.engagement.models import Consultation, ConsultationComment
from portal.extensions import db
from tests.engagement import helpers
from tests.factories import login


def _draft_form(site_ids, **extra):
    data = {
        "document_kind": "code_of_conduct", "groups": ["workers", "suppliers"],
        "sites": [str(i) for i in site_ids], "languages": ["en", "bn", "ar"],
        "opens_on": "2026-01-01", "closes_on": "2100-01-01",
        "title_en": "Code of conduct", "body_en": "1. No fees.", "question_en": "Anything to add?",
        "title_bn": "আচরণবিধি", "body_bn": "১. কোনো ফি নয়।",
        "title_ar": "مدونة السلوك", "body_ar": "١. لا رسوم.",
        "title_fr": "Ignoré", "body_fr": "Pas une langue choisie.",
    }  # fmt: skip
    data.update(extra)
    return data


def test_the_whole_consultation(app, client, factory):
    supplier = factory.supplier("Dhaka Knitwear")
    site = factory.site(supplier, "Gazipur Unit", languages=["bn", "ar", "en"])
    lead = factory.user("compliance")
    owner = factory.user("supplier", supplier=supplier, name="Sam Supplier")
    login(client, lead)
    response = client.post("/engagement/consultations/new", data=_draft_form([site.id]))
    assert response.status_code == 302
    with app.app_context():
        consultation = db.session.scalar(select(Consultation))
        assert consultation.status == "draft" and consultation.languages == ["en", "bn", "ar"]
        assert set(consultation.draft) == {"en", "bn", "ar"}  # French was not chosen
        assert consultation.areas == ["code_of_conduct"]
        cid = consultation.id
    public = app.test_client()
    # A draft is not on the public page yet.
    assert public.get(f"/s/{site.code}/consultations/{cid}").status_code == 404
    assert "Code of conduct" not in public.get(f"/s/{site.code}").get_data(as_text=True)
    assert client.post(f"/engagement/consultations/{cid}/status",
                       data={"status-status": "open"}).status_code == 302  # fmt: skip
    site_page = public.get(f"/s/{site.code}?lang=bn").get_data(as_text=True)
    assert f"/s/{site.code}/consultations/{cid}" in site_page and "আচরণবিধি" in site_page

    # Workers comment anonymously in Bengali and Arabic; the page shows the draft in theirs.
    bengali = public.get(f"/s/{site.code}/consultations/{cid}?lang=bn").get_data(as_text=True)
    assert "১. কোনো ফি নয়।" in bengali and 'lang="bn"' in bengali
    arabic = public.get(f"/s/{site.code}/consultations/{cid}?lang=ar").get_data(as_text=True)
    assert 'dir="rtl"' in arabic and "لا رسوم" in arabic
    for i in range(5):
        words = f"ডরমিটরির ভাড়াও ফি {i}"
        sent = public.post(f"/s/{site.code}/consultations/{cid}?lang=bn",
                           data={"group": "workers", "comment": words})  # fmt: skip
        assert sent.status_code == 302 and sent.headers["Location"].endswith(
            f"/s/{site.code}/consultations/sent")  # fmt: skip
    public.post(f"/s/{site.code}/consultations/{cid}?lang=ar",
                data={"group": "workers", "comment": "يجب تعليق المدونة بالعربية"})  # fmt: skip
    # Bad input: no comment, a group not consulted.
    empty = public.post(f"/s/{site.code}/consultations/{cid}?lang=en", data={"group": "workers"})
    assert empty.status_code == 400 and "Write your comment" in empty.get_data(as_text=True)
    wrong = public.post(f"/s/{site.code}/consultations/{cid}",
                        data={"group": "investors", "comment": "Hello there"})  # fmt: skip
    assert wrong.status_code == 400
    with app.app_context():
        stored = list(db.session.scalars(select(ConsultationComment)))
        assert len(stored) == 6
        assert {c.language for c in stored} == {"bn", "ar"}
        assert all(c.user_id is None and c.site_id == site.id for c in stored)

    # The supplier comments signed in, from its own consultations page.
    supplier_client = app.test_client()
    login(supplier_client, owner)
    assert "Code of conduct" in supplier_client.get("/engagement/consultations").get_data(
        as_text=True)  # fmt: skip
    signed = supplier_client.post(f"/engagement/consultations/{cid}/comment",
                                  data={"comment-comment": "We need a transition period.",
                                        "comment-site": "0"})  # fmt: skip
    assert signed.status_code == 302
    assert "We need a transition period." in supplier_client.get(
        f"/engagement/consultations/{cid}").get_data(as_text=True)  # fmt: skip

    # Staff read: 6 anonymous worker comments (≥ 5) under their group, the supplier's signed.
    html = client.get(f"/engagement/consultations/{cid}").get_data(as_text=True)
    assert html.count('id="comment-') == 7
    assert "Sam Supplier" in html and "Gazipur Unit</bdi>: http" in html  # links to the public page
    assert "are held back until" not in html

    # Themes, responses, and the publication.
    assert client.post(f"/engagement/consultations/{cid}/themes",
                       data={"theme-title": "Housing deductions"}).status_code == 302  # fmt: skip
    with app.app_context():
        consultation = db.session.get(Consultation, cid)
        theme_id = consultation.themes[0].id
        first = stored[0].id
    client.post(f"/engagement/consultations/{cid}/comments/{first}", data={"file-theme": theme_id})
    early = {"publish-body_en": "Final", "publish-changes_en": "Changed"}
    refused = client.post(f"/engagement/consultations/{cid}/publish", data=early)
    assert refused.status_code == 409 and "Close the consultation" in refused.get_data(as_text=True)
    client.post(f"/engagement/consultations/{cid}/status", data={"status-status": "closed"})
    assert public.get(f"/s/{site.code}/consultations/{cid}").status_code == 404  # closed
    unanswered = client.post(f"/engagement/consultations/{cid}/publish", data=early)
    assert "Respond to every theme" in unanswered.get_data(as_text=True)
    client.post(f"/engagement/consultations/{cid}/themes/{theme_id}",
                data={f"respond-{theme_id}-response": "Housing is now a banned fee.",
                      f"respond-{theme_id}-changed": "y"})  # fmt: skip
    published = client.post(f"/engagement/consultations/{cid}/publish", data={
        "publish-body_en": "1. No fees, deposits or housing deductions.",
        "publish-changes_en": "Housing deductions are now banned.",
        "publish-body_bn": "১. কোনো ফি বা আবাসন কর্তন নয়।",
    })  # fmt: skip
    assert published.status_code == 302
    outcome = public.get(f"/consultations/{cid}?lang=en").get_data(as_text=True)
    assert "Housing deductions are now banned." in outcome
    assert "Housing is now a banned fee." in outcome
    # Public threshold 10: 6 worker comments and 1 supplier comment are "fewer than 10", and
    # no total that would give them back.
    assert "fewer than 10" in outcome and "comments in all" not in outcome
    assert "ডরমিটরির" not in outcome  # no comment text on the public page
    assert "১. কোনো ফি বা আবাসন কর্তন নয়।" in public.get(f"/consultations/{cid}?lang=bn") \
        .get_data(as_text=True)  # fmt: skip
    # Published is final.
    assert client.post(f"/engagement/consultations/{cid}/themes",
                       data={"theme-title": "Late"}).status_code == 409  # fmt: skip
    assert client.get(f"/engagement/consultations/{cid}/edit").status_code == 409


def test_small_groups_are_pooled_or_held_back_and_sites_never_shown(app, client, factory):
    site = factory.site(name="Secret Site Name")
    lead = factory.user("compliance")
    cid = helpers.consultation(app, lead, sites=[site], groups=("workers", "communities", "ngos"))
    helpers.comments(app, cid, site, "communities", ["Community one", "Community two"])
    helpers.comments(app, cid, site, "ngos", ["NGO one", "NGO two"])
    login(client, lead)
    html = client.get(f"/engagement/consultations/{cid}").get_data(as_text=True)
    comments_part = html[html.index('id="comments"') : html.index('id="themes"')]
    assert "Community one" not in comments_part and "NGO one" not in comments_part
    assert "4 comments from small groups are held back" in comments_part
    assert "Secret Site Name" not in comments_part
    helpers.comments(app, cid, site, "ngos", ["NGO three"])
    html = client.get(f"/engagement/consultations/{cid}").get_data(as_text=True)
    assert "Smaller groups together" in html and "Community one" in html and "NGO three" in html
    assert "are held back until" not in html


def test_only_the_groups_and_sites_consulted_can_comment(app, client, factory):
    supplier = factory.supplier()
    consulted, other = factory.site(supplier, "Consulted"), factory.site(name="Not consulted")
    lead = factory.user("compliance")
    cid = helpers.consultation(app, lead, sites=[consulted], groups=("workers",))
    public = app.test_client()
    assert public.get(f"/s/{other.code}/consultations/{cid}").status_code == 404
    assert public.get(f"/s/{consulted.code}/consultations/{cid}").status_code == 200
    # Suppliers are not consulted on this one: no page, no comment.
    owner = factory.user("supplier", supplier=supplier)
    login(client, owner)
    assert client.get(f"/engagement/consultations/{cid}").status_code == 404
    assert client.post(f"/engagement/consultations/{cid}/comment",
                       data={"comment-comment": "Hello"}).status_code == 404  # fmt: skip


def test_anonymous_comments_keep_nothing_about_the_visitor(app, factory):
    site = factory.site()
    cid = helpers.consultation(app, factory.user("compliance"), sites=[site])
    public = app.test_client()
    public.post(f"/s/{site.code}/consultations/{cid}",
                data={"group": "workers", "comment": "Nothing about me please"},
                headers={"User-Agent": "PhoneBrowser/9.9", "X-Forwarded-For": "203.0.113.77"},
                environ_base={"REMOTE_ADDR": "198.51.100.23"})  # fmt: skip
    with app.app_context():
        row = db.session.scalar(select(ConsultationComment))
        dumped = repr({c.name: getattr(row, c.name) for c in row.__table__.columns})
    assert "Nothing about me please" in dumped
    for secret in ("198.51.100.23", "203.0.113.77", "PhoneBrowser"):
        assert secret not in dumped
    assert re.search(r"datetime\.date\(", dumped)  # the day only


def test_comment_rate_limit(app, factory, limited_client):
    site = factory.site()
    cid = helpers.consultation(app, factory.user("compliance"), sites=[site])
    app.config["CONSULTATION_COMMENT_RATE_LIMIT"] = "2 per hour"
    try:
        codes = [limited_client.post(f"/s/{site.code}/consultations/{cid}",
                                     data={"group": "workers", "comment": f"Comment {i}"})
                 .status_code for i in range(3)]  # fmt: skip
    finally:
        app.config["CONSULTATION_COMMENT_RATE_LIMIT"] = "10 per hour"
    assert codes == [302, 302, 429]
