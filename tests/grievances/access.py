"""Who may use each grievance route (discovered by tests/test_access_matrix.py).

Anonymous visitors report and follow up; compliance works every case; monitors read the cases of
their assigned sites, add notes, and reply / see the call-back contact only on cases assigned to
them (the matrix's case is assigned to its monitor). Supplier accounts and admins never reach a
case route.
"""

from __future__ import annotations

from portal.extensions import db
from portal.grievances import services
from portal.grievances.models import Grievance

EVERYONE = {"anonymous", "admin", "compliance", "supplier", "monitor"}
CASE_READERS = {"compliance", "monitor"}

EXPECTED = {
    "grievances.submit": EVERYONE,
    "grievances.receipt": EVERYONE,
    "grievances.follow_up": EVERYONE,
    "grievances.reply": EVERYONE,
    "grievances.feedback": EVERYONE,
    "grievances.cases": CASE_READERS,
    "grievances.case": CASE_READERS,
    "grievances.case_status": {"compliance"},
    "grievances.case_triage": {"compliance"},
    "grievances.case_assign": {"compliance"},
    "grievances.case_note": CASE_READERS,
    "grievances.case_reply": CASE_READERS,
    "grievances.case_contact": CASE_READERS,
}


def extend_world(factory, world) -> dict:
    """A case at the matrix site, handled by the matrix monitor."""
    with factory.app.app_context():
        grievance, _receipt = services.create_grievance(
            services.IntakeData(
                reporter="worker",
                category="wages",
                description="Wages were not paid this month.",
                language="en",
                site_id=world["site_id"],
                contact="+880 1700 000000",
            )
        )
        grievance.assignee_id = world["users"]["monitor"].id
        db.session.commit()
        case_id = db.session.get(Grievance, grievance.id).id
    return {"case_id": case_id}
