"""Plans and worker answers for the remediation tests, made through the real services."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from portal import ROOT
from portal.extensions import db
from portal.remediation import actions, services
from portal.remediation.models import CorrectiveActionPlan

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def worker_voice_campaign(app, site, *, adverse: dict[str, float], responses: int, seed=1):
    """The shipped worker voice survey deployed at ``site``, answered by ``responses`` simulated
    workers through the normal submission service. Returns the campaign id."""
    from portal.surveys import services as surveys
    from portal.surveys.models import Survey
    from portal.surveys.simulate import Profile, simulate

    with app.app_context():
        surveys.sync_folder(ROOT / "surveys")
        survey = db.session.scalar(select(Survey).where(Survey.form_id == "worker-voice"))
        day = services.today()
        campaign = surveys.create_campaign(surveys.CampaignData(
            name=f"Worker voice at {site.name}", survey_version_id=survey.latest.id,
            stakeholder_group="workers", site_ids=[site.id], opens_on=day - timedelta(days=3),
            closes_on=day + timedelta(days=30), languages=list(survey.latest.spec().languages),
        ))  # fmt: skip
        simulate(campaign, db.session.merge(site), responses, Profile(indicators=adverse),
                 random.Random(seed), day)  # fmt: skip
        db.session.commit()
        return campaign.id


def answer_pulse(app, cap_id: int, *, adverse: dict[str, float], responses: int, seed=2):
    from portal.surveys.simulate import Profile, simulate

    with app.app_context():
        cap = db.session.get(CorrectiveActionPlan, cap_id)
        simulate(cap.pulse_campaign, cap.site, responses, Profile(indicators=adverse),
                 random.Random(seed), services.today())  # fmt: skip
        db.session.commit()


def plan_at(
    app, site, lead, owner, *, indicator="FL03", status="draft", source="signal", group="workers"
):
    """A plan walked to ``status`` (up to awaiting_verification) through the services; the
    owner (a supplier account) proposes, ``lead`` reviews. Returns its id."""
    day = services.today()
    with app.app_context():
        lead, owner = db.session.merge(lead), db.session.merge(owner)
        cap = services.open_plan(services.PlanData(
            site_id=site.id, title=f"{indicator} at {site.name}", severity="major",
            due_on=day + timedelta(days=60),
            findings=[services.FindingData(source, indicator, stakeholder_group=group,
                                      note="Staff-only detail.")],
        ), lead)  # fmt: skip
        if status == "draft":
            return cap.id
        services.write_root_cause(cap, owner, "No lockers.")
        services.review_root_cause(cap, lead, True, None)
        action = actions.add_action(cap, owner, actions.ActionData(
            "supplier", "Install lockers.", day + timedelta(days=30)))  # fmt: skip
        actions.review_action(action, lead, True, None)
        services.change_status(cap, lead, "agreed")
        if status == "agreed":
            return cap.id
        actions.update_progress(action, owner, "in_progress", None)
        if status == "in_progress":
            return cap.id
        actions.update_progress(action, owner, "done", "Installed.")
        actions.attach_evidence(cap, owner, "lockers.pdf", PDF, kind="action")
        services.change_status(cap, owner, "awaiting_verification")
        return cap.id
