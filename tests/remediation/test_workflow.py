"""The whole plan path through the real stack: compliance opens a plan, the supplier answers
it with a root cause, actions and evidence, compliance reviews, and the plan ends verified."""

from __future__ import annotations

from datetime import timedelta

from portal.extensions import db
from portal.remediation.models import CorrectiveActionPlan
from portal.remediation.services import today
from tests.factories import login

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _plan(app, cap_id) -> CorrectiveActionPlan:
    with app.app_context():
        cap = db.session.get(CorrectiveActionPlan, cap_id)
        return (cap.status, [(a.state, a.status) for a in cap.actions], cap.root_cause_state,
                len(cap.evidence))  # fmt: skip


def test_a_plan_goes_from_opening_to_verified(app, client, factory):
    supplier = factory.supplier()
    site = factory.site(supplier)
    lead = factory.user("compliance")
    owner = factory.user("supplier", supplier=supplier)
    due = (today() + timedelta(days=60)).isoformat()

    login(client, lead)
    page = client.get(f"/caps/new?site={site.id}")
    assert page.status_code == 200
    response = client.post("/caps/new", data={
        "site_id": site.id, "indicator": "FL03", "title": "Passports held by HR",
        "severity": "critical", "due_on": due, "summary": "Return every passport.",
    })  # fmt: skip
    assert response.status_code == 302, response.get_data(as_text=True)
    cap_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert client.get(f"/caps/{cap_id}").status_code == 200
    client.post("/logout")

    login(client, owner)
    assert b"Passports held by HR" in client.get("/caps").data
    assert client.post(f"/caps/{cap_id}/root-cause", data={"root-body": "No safe lockers."}
                       ).status_code == 302  # fmt: skip
    assert client.post(f"/caps/{cap_id}/actions", data={
        "action-owner_kind": "supplier", "action-description": "Install lockers.",
        "action-due_on": due}).status_code == 302  # fmt: skip
    # the supplier cannot agree its own plan
    assert client.post(f"/caps/{cap_id}/status", data={"status": "agreed"}).status_code == 409
    client.post("/logout")

    login(client, lead)
    (action_id,) = _actions(app, cap_id)
    assert client.post(f"/caps/{cap_id}/root-cause/review",
                       data={"review-decision": "accept"}).status_code == 302  # fmt: skip
    returned = client.post(f"/caps/{cap_id}/actions/{action_id}/review",
                           data={f"review-{action_id}-decision": "return"})  # fmt: skip
    assert returned.status_code == 409  # a return needs a comment
    client.post(f"/caps/{cap_id}/actions/{action_id}/review",
                data={f"review-{action_id}-decision": "accept"})  # fmt: skip
    assert client.post(f"/caps/{cap_id}/status", data={"status": "agreed"}).status_code == 302
    client.post("/logout")

    login(client, owner)
    done = {f"progress-{action_id}-status": "done"}
    assert client.post(f"/caps/{cap_id}/actions/{action_id}/progress", data=done).status_code == 302
    bad = client.post(f"/caps/{cap_id}/evidence", data={"kind": "action", "action_id": "0",
                      "file": (__import__("io").BytesIO(b"MZ..."), "lockers.pdf")})  # fmt: skip
    assert bad.status_code == 400
    ok = client.post(f"/caps/{cap_id}/evidence", data={"kind": "action", "action_id": "0",
                     "file": (__import__("io").BytesIO(PDF), "lockers.pdf")})  # fmt: skip
    assert ok.status_code == 302
    assert client.post(f"/caps/{cap_id}/status",
                       data={"status": "awaiting_verification"}).status_code == 302  # fmt: skip
    client.post("/logout")

    login(client, lead)
    verified = client.post(f"/caps/{cap_id}/status", data={"status": "verified", "note": "Seen."})
    assert verified.status_code == 302
    assert _plan(app, cap_id) == ("verified", [("accepted", "done")], "accepted", 1)
    client.post("/logout")

    stranger = factory.user("supplier", supplier=factory.supplier())
    login(client, stranger)
    assert client.get(f"/caps/{cap_id}").status_code == 404


def _actions(app, cap_id):
    with app.app_context():
        return [a.id for a in db.session.get(CorrectiveActionPlan, cap_id).actions]
