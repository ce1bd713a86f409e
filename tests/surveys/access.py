"""Who may use each survey route (read by tests/test_access_matrix.py)."""

from __future__ import annotations

from datetime import timedelta

EVERYONE = {"anonymous", "admin", "compliance", "supplier", "monitor"}

EXPECTED = {
    "surveys.start": EVERYONE,
    "surveys.screen": EVERYONE,
    "surveys.finish": EVERYONE,
    "surveys.thanks": EVERYONE,
    "surveys.invited": EVERYONE,
    "surveys.surveys": {"compliance", "admin"},
    "surveys.survey_detail": {"compliance", "admin"},
    "surveys.survey_archive": {"compliance", "admin"},
    "surveys.survey_upload": {"compliance", "admin"},
    "surveys.upload_detail": {"compliance", "admin"},
    "surveys.upload_publish": {"compliance", "admin"},
    "surveys.upload_discard": {"compliance", "admin"},
    "surveys.version_download": {"compliance", "admin"},
    "surveys.preview_start": {"compliance", "admin"},
    "surveys.preview_screen": {"compliance", "admin"},
    "surveys.preview_end": {"compliance", "admin"},
    "surveys.campaigns": {"compliance"},
    "surveys.campaign_new": {"compliance"},
    "surveys.campaign_detail": {"compliance"},
    "surveys.campaign_close": {"compliance"},
}


def extend_world(factory, world) -> dict:
    from portal.extensions import db
    from portal.surveys import services
    from portal.surveys.definitions import parse_definition
    from tests.surveys.conftest import EVERY_TYPE, utc_today

    with factory.app.app_context():
        version, _ = services.store_version(parse_definition(EVERY_TYPE))
        db.session.commit()
        campaign = services.create_campaign(
            services.CampaignData(
                name="Matrix campaign",
                survey_version_id=version.id,
                stakeholder_group="workers",
                site_ids=[world["site_id"]],
                opens_on=utc_today(),
                closes_on=utc_today() + timedelta(days=5),
                languages=["en"],
            )
        )
        # A supplier questionnaire on the same site, with one piece of evidence and one
        # submitted response, so the SAQ routes have something to show every role.
        from portal.accounts.models import User
        from portal.suppliers.models import Site
        from portal.surveys import saq
        from tests.surveys.test_saq import PDF, SAQ

        saq_version, _ = services.store_version(parse_definition(SAQ))
        db.session.commit()
        saq_campaign = services.create_campaign(
            services.CampaignData(
                name="Matrix SAQ", survey_version_id=saq_version.id,
                stakeholder_group="suppliers", site_ids=[world["site_id"]],
                opens_on=utc_today(), closes_on=utc_today() + timedelta(days=5),
                languages=["en"],
            )
        )  # fmt: skip
        site = db.session.get(Site, world["site_id"])
        supplier_user = db.session.get(User, world["users"]["supplier"].id)
        response = saq.draft_for(saq_campaign, site, supplier_user)
        evidence = saq.attach_evidence(response, "policy", "p.pdf", PDF, supplier_user)
        from portal.surveys.models import SurveyUpload

        upload = SurveyUpload(form_id="every-type", definition=version.definition,
                              warnings=[], filename="every-type.xlsx")  # fmt: skip
        db.session.add(upload)
        db.session.commit()
        return {
            "survey_id": version.survey_id, "upload_id": upload.id, "version_id": version.id,
            "kind": "version", "ident": version.id, "file_format": "xlsx",
            "campaign_id": campaign.id, "number": 0, "token": "no-such-token",
            "site_id": world["site_id"], "response_id": response.id,
            "evidence_id": evidence.id, "saq_campaign_id": saq_campaign.id,
        }  # fmt: skip


#: The world's ``campaign_id`` is the workers' campaign; the SAQ pages need the SAQ's.
ARGUMENTS = {
    "surveys.saq_section": {"campaign_id": "saq_campaign_id"},
    "surveys.saq_review": {"campaign_id": "saq_campaign_id"},
}

EXPECTED.update(
    {
        "surveys.saq_index": {"supplier", "compliance"},
        "surveys.saq_section": {"supplier"},
        "surveys.saq_review": {"supplier"},
        "surveys.saq_evidence": {"supplier", "compliance"},
        "surveys.saq_evidence_delete": {"supplier"},
        "surveys.saq_submission": {"compliance"},
    }
)
