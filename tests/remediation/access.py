"""Who may use each remediation route (discovered by tests/test_access_matrix.py).

Compliance opens, edits, reviews and closes plans; the supplier of the plan's site proposes the
root cause and actions, records progress, uploads evidence and asks for more time; monitors
assigned to the site read the plan, add notes and, when named verifiers, attach verification
evidence and verify. Admins never reach a plan. Each role's refusals inside a plan (a supplier
agreeing its own plan, say) are the service's, and tests/remediation/test_workflow.py checks them.
"""

from __future__ import annotations

from datetime import timedelta

from portal.extensions import db
from portal.remediation import actions, services

READERS = {"compliance", "supplier", "monitor"}
WORKERS = {"compliance", "supplier"}

EXPECTED = {
    "remediation.register": READERS,
    "remediation.new": {"compliance"},
    "remediation.detail": READERS,
    "remediation.edit": {"compliance"},
    "remediation.add_finding": {"compliance"},
    "remediation.change_status": READERS,
    "remediation.verifiers": {"compliance"},
    "remediation.start_pulse": {"compliance"},
    "remediation.root_cause": WORKERS,
    "remediation.review_root_cause": {"compliance"},
    "remediation.add_action": WORKERS,
    "remediation.review_action": {"compliance"},
    "remediation.revise_action": {"supplier"},
    "remediation.progress": WORKERS,
    "remediation.add_evidence": READERS,
    "remediation.evidence": READERS,
    "remediation.request_extension": {"supplier"},
    "remediation.decide_extension": {"compliance"},
    "remediation.add_note": READERS,
}

#: Routes that act on another plan of the world than the main one: the CSRF walk sends each
#: route one valid request in URL-map order, and closing or reviewing the main plan first would
#: leave nothing for the routes after it.
ARGUMENTS = {
    "remediation.change_status": {"cap_id": "closing_cap_id"},
    "remediation.review_root_cause": {"cap_id": "review_cap_id"},
}

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def extend_world(factory, world) -> dict:
    """A plan at the matrix site with one proposed action, one file and one pending request;
    the matrix monitor is its named verifier (a monitor who is not is refused uploads: see
    tests/remediation/test_supplier_side.py)."""
    users = world["users"]
    with factory.app.app_context():
        lead, owner = db.session.merge(users["compliance"]), db.session.merge(users["supplier"])
        due = services.today() + timedelta(days=60)
        cap = services.open_plan(services.PlanData(
            site_id=world["site_id"], title="Matrix plan", severity="major", due_on=due,
            findings=[services.FindingData("manual", "FL03")],
        ), lead)  # fmt: skip
        action = actions.add_action(cap, owner, actions.ActionData("supplier", "Lockers.", due))
        evidence = actions.attach_evidence(cap, owner, "proof.pdf", PDF, kind="other")
        extension = actions.request_extension(cap, owner, due + timedelta(days=30), "Rain.")
        services.set_verifiers(cap, lead, [db.session.merge(users["monitor"])])
        review, closing = (services.open_plan(services.PlanData(
            site_id=world["site_id"], title=title, severity="minor", due_on=due,
            findings=[services.FindingData("manual", "FL05")],
        ), lead) for title in ("Plan to review", "Plan to close"))  # fmt: skip
        services.write_root_cause(review, owner, "No lockers for documents.")
        db.session.commit()
        return {"cap_id": cap.id, "action_id": action.id, "evidence_id": evidence.id,
                "extension_id": extension.id, "review_cap_id": review.id,
                "closing_cap_id": closing.id}  # fmt: skip
