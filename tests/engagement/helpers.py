"""Engagement records for the tests, made through the real services."""

from __future__ import annotations

from datetime import timedelta

from portal.engagement import consult, services
from portal.extensions import db


def activity(
    app,
    user,
    *,
    sites=(),
    kind="meeting",
    groups=("workers",),
    areas=("communication",),
    days_ago=10,
    people=None,
    partners=(),
    countries=(),
    title="Meeting",
    **text,
):
    with app.app_context():
        saved = services.save_activity(services.ActivityData(
            kind=kind, title=title, held_on=services.today() - timedelta(days=days_ago),
            groups=list(groups), areas=list(areas), site_ids=[s.id for s in sites],
            partner_ids=[p.id for p in partners], countries=list(countries),
            participants={g: services.Headcount(*n) for g, n in (people or {}).items()},
            **text,
        ), db.session.merge(user))  # fmt: skip
        return saved.id


def consultation(app, user, *, sites, groups=("workers", "suppliers", "ngos"),
                 languages=("en", "bn", "ar"), status="open", kind="code_of_conduct",
                 days=20):  # fmt: skip
    texts = {
        "en": {"title": "Code of conduct draft", "body": "1. No fees.\n2. Keep your passport.",
               "question": "What should change?"},
        "bn": {"title": "আচরণবিধির খসড়া", "body": "১. কোনো ফি নয়।"},
        "ar": {"title": "مسودة مدونة السلوك", "body": "١. لا رسوم."},
    }  # fmt: skip
    with app.app_context():
        lead = db.session.merge(user)
        saved = consult.save_consultation(consult.ConsultationData(
            document_kind=kind, groups=list(groups), site_ids=[s.id for s in sites],
            languages=list(languages), opens_on=services.today() - timedelta(days=2),
            closes_on=services.today() + timedelta(days=days),
            texts={code: texts[code] for code in languages if code in texts},
        ), lead)  # fmt: skip
        if status in ("open", "closed"):
            consult.change_status(saved, lead, "open")
        if status == "closed":
            consult.change_status(saved, lead, "closed")
        return saved.id


def comments(app, consultation_id, site, group, bodies, *, language="en", user=None):
    from portal.engagement.models import Consultation

    with app.app_context():
        found = db.session.get(Consultation, consultation_id)
        for body in bodies:
            consult.add_comment(found, group=group, body=body, language=language,
                                site=db.session.merge(site) if site else None,
                                user=db.session.merge(user) if user else None)  # fmt: skip
