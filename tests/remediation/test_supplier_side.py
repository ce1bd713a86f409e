"""The supplier's and the monitor's part of a plan, through the real stack: scope, what a
supplier never sees, returned proposals, extensions, evidence rules, notes and verifiers."""

from __future__ import annotations

import io
from datetime import timedelta

from portal.extensions import db
from portal.remediation.models import CorrectiveActionPlan
from portal.remediation.services import today
from tests.factories import login
from tests.remediation.helpers import PDF, plan_at


def _world(factory):
    supplier, other = factory.supplier(), factory.supplier()
    site, elsewhere = factory.site(supplier), factory.site(other)
    return {
        "site": site, "elsewhere": elsewhere,
        "lead": factory.user("compliance"),
        "owner": factory.user("supplier", supplier=supplier),
        "stranger": factory.user("supplier", supplier=other),
        "monitor": factory.user("monitor", sites=[site]),
        "outsider": factory.user("monitor", sites=[elsewhere]),
    }  # fmt: skip


def _cap(app, cap_id) -> CorrectiveActionPlan:
    """The plan with its actions, extensions and evidence loaded, detached from the session."""
    with app.app_context():
        cap = db.session.get(CorrectiveActionPlan, cap_id)
        for collection in (cap.actions, cap.extensions, cap.evidence):
            list(collection)
        db.session.expunge_all()
        return cap


def test_a_supplier_sees_its_own_sites_plans_and_never_the_finding_detail(app, client, factory):
    w = _world(factory)
    mine = plan_at(app, w["site"], w["lead"], w["owner"])
    theirs = plan_at(app, w["elsewhere"], w["lead"], w["stranger"])
    login(client, w["owner"])
    register = client.get("/caps").text
    assert f"/caps/{mine}" in register and f"/caps/{theirs}" not in register
    assert client.get(f"/caps/{theirs}").status_code == 404  # never says that it exists
    assert client.get(f"/caps?site={w['elsewhere'].id}").status_code == 200
    page = client.get(f"/caps/{mine}").text
    assert "Needs attention" in page and "FL03" in page
    assert "Staff-only detail." not in page and "Risk signal" not in page
    assert client.get("/caps/new").status_code == 403
    client.post("/logout")
    login(client, w["outsider"])  # a monitor of another site
    assert client.get(f"/caps/{mine}").status_code == 404


def test_returned_proposals_are_revised_and_extensions_decided(app, client, factory):
    w = _world(factory)
    cap_id = plan_at(app, w["site"], w["lead"], w["owner"])
    due = (today() + timedelta(days=40)).isoformat()
    login(client, w["owner"])
    client.post(f"/caps/{cap_id}/root-cause", data={"root-body": "Workers asked us to."})
    client.post(f"/caps/{cap_id}/actions", data={"action-owner_kind": "supplier",
                "action-description": "Ask workers.", "action-due_on": due})  # fmt: skip
    client.post("/logout")

    login(client, w["lead"])
    (action_id,) = [a.id for a in _cap(app, cap_id).actions]
    assert (
        client.post(
            f"/caps/{cap_id}/root-cause/review",
            data={"review-decision": "return", "review-comment": "Why did they ask?"},
        ).status_code
        == 302
    )
    assert (
        client.post(
            f"/caps/{cap_id}/actions/{action_id}/review",
            data={
                f"review-{action_id}-decision": "return",
                f"review-{action_id}-comment": "Name who gives the passports back.",
            },
        ).status_code
        == 302
    )
    client.post("/logout")  # fmt: skip

    login(client, w["owner"])
    page = client.get(f"/caps/{cap_id}").text
    assert "Why did they ask?" in page and "Name who gives the passports back." in page
    assert client.post(f"/caps/{cap_id}/actions/{action_id}/revise", data={
        f"revise-{action_id}-owner_kind": "supplier", f"revise-{action_id}-due_on": due,
        f"revise-{action_id}-description": "HR returns every passport by Friday."},
    ).status_code == 302  # fmt: skip
    later = (today() + timedelta(days=120)).isoformat()
    asked = client.post(f"/caps/{cap_id}/extensions", data={
        "action_id": "0", "requested_due_on": later, "reason": "Rainy season."})  # fmt: skip
    assert asked.status_code == 302
    twice = client.post(f"/caps/{cap_id}/extensions", data={
        "action_id": "0", "requested_due_on": later, "reason": "Again."})  # fmt: skip
    assert twice.status_code == 409 and "already waiting" in twice.text
    earlier = client.post(
        f"/caps/{cap_id}/extensions",
        data={"action_id": str(action_id), "requested_due_on": today().isoformat(), "reason": "x"},
    )
    assert earlier.status_code == 409 and "must be later" in earlier.text  # fmt: skip
    (extension_id,) = [x.id for x in _cap(app, cap_id).extensions]
    assert (
        client.post(
            f"/caps/{cap_id}/extensions/{extension_id}",
            data={f"extension-{extension_id}-decision": "accept"},
        ).status_code
        == 403
    )
    client.post("/logout")  # fmt: skip

    login(client, w["lead"])
    refused = client.post(f"/caps/{cap_id}/extensions/{extension_id}",
                          data={f"extension-{extension_id}-decision": "return"})  # fmt: skip
    assert refused.status_code == 409  # refusing needs a comment
    assert (
        client.post(
            f"/caps/{cap_id}/extensions/{extension_id}",
            data={f"extension-{extension_id}-decision": "accept"},
        ).status_code
        == 302
    )
    cap = _cap(app, cap_id)  # fmt: skip
    assert cap.due_on.isoformat() == later
    assert [(a.state, a.description) for a in cap.actions] == [
        ("proposed", "HR returns every passport by Friday.")
    ]
    trail = client.get(f"/caps/{cap_id}").text
    for event in ("Extension requested", "Extension decided", "Action revised",
                  "Root cause reviewed", "Due date changed"):  # fmt: skip
        assert event in trail


def test_evidence_follows_the_upload_rules_and_is_served_only_to_the_plan_readers(
    app, client, factory
):
    w = _world(factory)
    cap_id = plan_at(app, w["site"], w["lead"], w["owner"], status="in_progress")
    login(client, w["owner"])
    disguised = client.post(f"/caps/{cap_id}/evidence?lang=fr", data={
        "kind": "action", "action_id": "0",
        "file": (io.BytesIO(b"MZ\x90\x00 not a pdf"), "receipt.pdf")})  # fmt: skip
    assert disguised.status_code == 400 and 'lang="fr"' in disguised.text
    assert len(_cap(app, cap_id).evidence) == 0
    assert client.post(f"/caps/{cap_id}/evidence", data={
        "kind": "remedy", "action_id": "0",
        "file": (io.BytesIO(PDF), "receipts.pdf")}).status_code == 302  # fmt: skip
    (evidence,) = _cap(app, cap_id).evidence
    url = f"/caps/{cap_id}/evidence/{evidence.id}"
    served = client.get(url)
    assert served.status_code == 200 and served.data == PDF
    assert served.headers["Content-Type"].startswith("application/pdf")
    client.post("/logout")
    for reader in ("lead", "monitor"):
        login(client, w[reader])
        assert client.get(url).status_code == 200
        client.post("/logout")
    for outsider in ("stranger", "outsider"):
        login(client, w[outsider])
        assert client.get(url).status_code == 404
        client.post("/logout")
    assert "/login" in client.get(url).headers["Location"]


def test_monitors_add_notes_and_verify_only_when_named(app, client, factory):
    w = _world(factory)
    cap_id = plan_at(app, w["site"], w["lead"], w["owner"], status="awaiting_verification",
                     source="manual", group="suppliers")  # fmt: skip
    login(client, w["monitor"])
    assert client.post(f"/caps/{cap_id}/notes", data={"note-body": "Lockers seen."}
                       ).status_code == 302  # fmt: skip
    upload = {"kind": "verification", "action_id": "0", "file": (io.BytesIO(PDF), "visit.pdf")}
    assert client.post(f"/caps/{cap_id}/evidence", data=upload).status_code == 403
    assert client.post(f"/caps/{cap_id}/status", data={"status": "verified"}).status_code == 409
    client.post("/logout")

    login(client, w["lead"])
    assert (
        client.post(
            f"/caps/{cap_id}/verifiers", data={"verifiers": str(w["monitor"].id)}
        ).status_code
        == 302
    )
    client.post("/logout")  # fmt: skip

    login(client, w["monitor"])
    upload["file"] = (io.BytesIO(PDF), "visit.pdf")
    assert client.post(f"/caps/{cap_id}/evidence", data=upload).status_code == 302
    assert client.post(f"/caps/{cap_id}/status", data={"status": "verified",
                       "note": "Visited; lockers in use."}).status_code == 302  # fmt: skip
    client.post("/logout")
    cap = _cap(app, cap_id)
    assert cap.status == "verified" and cap.closing_note == "Visited; lockers in use."

    login(client, w["owner"])  # staff notes stay among staff; a monitor's note is staff-only
    page = client.get(f"/caps/{cap_id}").text
    assert "Lockers seen." not in page and "Visited; lockers in use." in page
    closed = client.post(f"/caps/{cap_id}/notes", data={"note-body": "Thanks."})
    assert closed.status_code in (302, 409)
