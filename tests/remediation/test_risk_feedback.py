"""DESIGN §6: a substantiated case keeps its signal critical until its plan is verified."""

from __future__ import annotations

from datetime import timedelta

from portal.extensions import db
from portal.grievances import services as cases
from portal.grievances.models import Grievance
from portal.remediation import services
from portal.remediation.models import CorrectiveActionPlan
from portal.risk import signals


def _override(site, user):
    (summary,) = signals.site_signals([site], signals.current_period(), group="workers",
                                      user=user)  # fmt: skip
    signal = summary.signals.get("FL03")
    return signal.override if signal else None


def test_an_old_resolved_case_stays_critical_until_its_plan_is_verified(app, factory):
    site = factory.site()
    lead = factory.user("compliance")
    with app.app_context():
        grievance, _receipt = cases.create_grievance(cases.IntakeData(
            reporter="worker", category="documents", description="HR keeps our passports.",
            language="en", site_id=site.id))  # fmt: skip
        grievance.status, grievance.indicators = "resolved", ["FL03"]
        grievance.received_on -= timedelta(days=400)  # older than last quarter
        db.session.commit()
        site_row, staff = grievance.site, db.session.merge(lead)
        assert _override(site_row, staff) is None  # an old resolved case no longer counts

        cap = services.open_plan(services.PlanData(
            site_id=site.id, title="Passports", severity="critical",
            due_on=services.today() + timedelta(days=30),
            findings=[services.FindingData("grievance", "FL03", grievance_id=grievance.id)],
        ), staff)  # fmt: skip
        assert _override(site_row, staff) == "substantiated_case"  # its plan is not verified

        db.session.get(CorrectiveActionPlan, cap.id).status = "verified"
        db.session.commit()
        assert _override(site_row, staff) is None
        assert db.session.get(Grievance, grievance.id).status == "resolved"
