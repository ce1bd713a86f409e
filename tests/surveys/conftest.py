"""A small definition that uses every question type, and helpers to deploy it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from portal.extensions import db
from portal.surveys import services
from portal.surveys.definitions import parse_definition

EVERY_TYPE = {
    "form_id": "every-type",
    "version": "1",
    "title": {"en": "Working here", "ar": "العمل هنا"},
    "description": {"en": "Short and anonymous.", "ar": "قصير ومجهول."},
    "audience": "workers",
    "areas": ["risk_assessment"],
    "default_language": "en",
    "languages": ["en", "ar"],
    "questions": [
        {"type": "note", "name": "intro", "label": {"en": "Hello", "ar": "مرحبا"}},
        {
            "type": "begin group",
            "name": "docs",
            "appearance": "field-list",
            "label": {"en": "Your documents", "ar": "وثائقك"},
        },
        {
            "type": "select_one yes_no_dk",
            "name": "id_access",
            "required": True,
            "label": {"en": "Can you get your ID card?", "ar": "هل يمكنك الحصول على بطاقتك؟"},
            "risk": {"indicator": "FL03", "adverse": ["no"], "dimension": "COE"},
        },
        {
            "type": "select_multiple problems",
            "name": "problems",
            "label": {"en": "Which problems?", "ar": "ما المشاكل؟"},
        },
        {"type": "end group"},
        {
            "type": "integer",
            "name": "hours",
            "required": True,
            "label": {"en": "Hours last week?", "ar": "ساعات الأسبوع الماضي؟"},
            "constraint": ". >= 0 and . <= 120",
            "constraint_message": {"en": "Enter 0 to 120.", "ar": "أدخل من 0 إلى 120."},
            "risk": {"indicator": "FL09", "adverse_when": ". > 60", "dimension": "INV"},
        },
        {
            "type": "select_one yes_no_dk",
            "name": "refuse",
            "relevant": "${hours} > 48",
            "label": {"en": "Can you refuse overtime?", "ar": "هل يمكنك رفض العمل الإضافي؟"},
        },
        {
            "type": "text",
            "name": "fees_detail",
            "relevant": "selected(${problems}, 'fees')",
            "label": {"en": "Tell us about the fees", "ar": "أخبرنا عن الرسوم"},
        },
        {"type": "decimal", "name": "pay", "label": {"en": "Pay per hour?", "ar": "الأجر؟"}},
        {
            "type": "range",
            "name": "safety",
            "parameters": {"start": 1, "end": 5, "step": 1},
            "label": {"en": "How safe do you feel?", "ar": "ما مدى شعورك بالأمان؟"},
        },
        {"type": "date", "name": "started", "label": {"en": "Start date?", "ar": "تاريخ البدء؟"}},
        {"type": "calculate", "name": "long_week", "calculation": "if(${hours} > 60, 1, 0)"},
        {"type": "acknowledge", "name": "done", "label": {"en": "I am done", "ar": "انتهيت"}},
    ],
    "choices": {
        "yes_no_dk": [
            {"name": "yes", "label": {"en": "Yes", "ar": "نعم"}},
            {"name": "no", "label": {"en": "No", "ar": "لا"}},
            {"name": "dk", "label": {"en": "Don't know", "ar": "لا أعرف"}, "missing": True},
        ],
        "problems": [
            {"name": "fees", "label": {"en": "Fees", "ar": "رسوم"}},
            {"name": "threats", "label": {"en": "Threats", "ar": "تهديدات"}},
        ],
    },
}


def utc_today():
    return datetime.now(UTC).date()


@pytest.fixture
def deploy(app, factory):
    """deploy(definition=EVERY_TYPE, group='workers', sites=None, starts=0, days=30)."""

    def make(definition=None, *, group="workers", sites=None, starts=0, days=30, languages=None):
        spec = parse_definition(definition or EVERY_TYPE)
        sites = sites or [factory.site(languages=["en", "ar"])]
        with app.app_context():
            version, _created = services.store_version(spec)
            db.session.commit()
            campaign = services.create_campaign(
                services.CampaignData(
                    name=f"{spec.form_id} campaign",
                    survey_version_id=version.id,
                    stakeholder_group=group,
                    site_ids=[site.id for site in sites],
                    opens_on=utc_today() + timedelta(days=starts),
                    closes_on=utc_today() + timedelta(days=starts + days),
                    languages=languages or list(spec.languages),
                )
            )
            db.session.refresh(campaign)
            db.session.expunge(campaign)
        return campaign, sites

    return make
