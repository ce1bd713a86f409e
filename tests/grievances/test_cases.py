"""Case management: scoping, workflow, assignment, notes, replies, deadlines and the audit log."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from portal.audit import AuditEvent
from portal.extensions import db
from portal.grievances import queries, services
from portal.grievances.models import Grievance
from tests.factories import login


def _case(app, site=None, *, place=None, category="wages", contact=None) -> int:
    with app.app_context():
        grievance, _receipt = services.create_grievance(
            services.IntakeData(
                reporter="worker",
                category=category,
                description="Wages are paid late every month.",
                language="en",
                site_id=site.id if site else None,
                reported_place=place,
                contact=contact,
            )
        )
        return grievance.id


def _get(app, case_id) -> Grievance:
    with app.app_context():
        case = db.session.get(Grievance, case_id)
        db.session.expunge(case)
        return case


def _events(app, case_id) -> list[tuple[str, dict]]:
    with app.app_context():
        rows = db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.subject == "grievance", AuditEvent.subject_id == case_id)
            .order_by(AuditEvent.id)
        )
        return [(row.action, row.detail) for row in rows]


@pytest.fixture
def world(factory):
    supplier = factory.supplier("Penang Precision", "MY")
    mine = factory.site(supplier, "Assigned Site", languages=["en"])
    other = factory.site(supplier, "Other Site", languages=["en"])
    return {
        "supplier": supplier,
        "mine": mine,
        "other": other,
        "compliance": factory.user("compliance", name="Chris Compliance"),
        "monitor": factory.user("monitor", sites=[mine], name="Mona Monitor"),
        "supplier_user": factory.user("supplier", supplier=supplier),
        "admin": factory.user("admin"),
    }


def _client(app, user):
    client = app.test_client()
    login(client, user)
    return client


def test_monitor_sees_only_cases_of_assigned_sites(app, world):
    mine = _case(app, world["mine"])
    other = _case(app, world["other"])
    general = _case(app, place="A factory near Tongi")
    monitor = _client(app, world["monitor"])
    listing = monitor.get("/cases?lang=en").data.decode()
    assert f"#{mine}<" in listing and f"#{other}<" not in listing and f"#{general}<" not in listing
    assert monitor.get(f"/cases/{mine}").status_code == 200
    assert monitor.get(f"/cases/{other}").status_code == 404
    assert monitor.get(f"/cases/{general}").status_code == 404
    assert monitor.post(f"/cases/{other}/note", data={"note-body": "x"}).status_code == 404
    compliance = _client(app, world["compliance"]).get("/cases").data.decode()
    assert all(f"#{case}<" in compliance for case in (mine, other, general))


def test_supplier_accounts_and_admins_never_see_grievances(app, world):
    case = _case(app, world["mine"])
    for role in ("supplier_user", "admin"):
        client = _client(app, world[role])
        assert client.get("/cases").status_code == 403
        assert client.get(f"/cases/{case}").status_code == 403
        assert "/cases" not in client.get("/home").data.decode()
    with app.app_context():
        supplier_user = db.session.get(type(world["supplier_user"]), world["supplier_user"].id)
        assert db.session.scalars(queries.visible(supplier_user)).all() == []


def test_monitor_may_note_but_not_manage_and_replies_only_when_assigned(app, world):
    case = _case(app, world["mine"], contact="+60 12 345 6789")
    monitor = _client(app, world["monitor"])
    assert (
        monitor.post(f"/cases/{case}/note", data={"note-body": "Spoke to workers."}).status_code
        == 302
    )
    for route, data in (
        ("status", {"status": "acknowledged"}),
        ("triage", {"severity": "high", "site_id": "0"}),
        ("assign", {"assignee_id": str(world["monitor"].id)}),
    ):
        assert monitor.post(f"/cases/{case}/{route}", data=data).status_code == 403
    monitor.post(f"/cases/{case}/reply", data={"reply-body": "Hello from the monitor."})
    page = monitor.get(f"/cases/{case}").data.decode()
    assert "Hello from the monitor." not in page  # not assigned: no reply
    assert "+60 12 345 6789" not in page
    # Compliance assigns the case to the monitor; now the monitor may reply and see the contact.
    compliance = _client(app, world["compliance"])
    compliance.post(f"/cases/{case}/assign", data={"assignee_id": str(world["monitor"].id)})
    monitor.post(f"/cases/{case}/reply", data={"reply-body": "Hello from the monitor."})
    assert "Hello from the monitor." in monitor.get(f"/cases/{case}").data.decode()
    shown = monitor.post(f"/cases/{case}/contact").data.decode()
    assert "+60 12 345 6789" in shown
    # Compliance, not being the handler, cannot see it.
    compliance_view = compliance.post(f"/cases/{case}/contact", follow_redirects=True)
    assert "+60 12 345 6789" not in compliance_view.data.decode()
    actions = [action for action, _detail in _events(app, case)]
    assert actions == ["note", "assign", "reply", "status", "contact_viewed"]


def test_only_users_who_may_see_the_case_can_be_assigned(app, world, factory):
    case = _case(app, world["other"])
    monitor = world["monitor"]  # assigned to the other site only
    compliance = _client(app, world["compliance"])
    response = compliance.post(f"/cases/{case}/assign", data={"assignee_id": str(monitor.id)})
    assert response.status_code == 400
    assert _get(app, case).assignee_id is None


def test_workflow_and_audit(app, world):
    case = _case(app, world["mine"])
    compliance = _client(app, world["compliance"])

    def move(status, **extra):
        return compliance.post(f"/cases/{case}/status", data={"status": status, **extra})

    assert move("closed").status_code == 400  # not from new
    assert move("rejected").status_code == 400  # needs a reason
    assert move("acknowledged").status_code == 302
    assert _get(app, case).acknowledged_at is not None
    assert move("investigating").status_code == 302
    assert move("action_planned").status_code == 302
    assert move("resolved").status_code == 302
    assert _get(app, case).resolved_at is not None
    assert move("closed").status_code == 302
    assert move("investigating").status_code == 302  # reopened
    assert move("duplicate", reason="Same as the earlier case").status_code == 302
    case_row = _get(app, case)
    assert case_row.status == "duplicate" and case_row.status_reason == "Same as the earlier case"
    statuses = [(d["from"], d["to"]) for a, d in _events(app, case) if a == "status"]
    assert statuses == [
        ("new", "acknowledged"),
        ("acknowledged", "investigating"),
        ("investigating", "action_planned"),
        ("action_planned", "resolved"),
        ("resolved", "closed"),
        ("closed", "investigating"),
        ("investigating", "duplicate"),
    ]
    page = compliance.get(f"/cases/{case}?lang=en").data.decode()
    assert "Audit log" in page and "Chris Compliance" in page
    monitor_page = _client(app, world["monitor"]).get(f"/cases/{case}?lang=en").data.decode()
    assert "Audit log" not in monitor_page


def test_duplicate_of_another_case(app, world):
    first = _case(app, world["mine"])
    second = _case(app, world["mine"])
    compliance = _client(app, world["compliance"])
    bad = compliance.post(
        f"/cases/{second}/status",
        data={"status": "duplicate", "reason": "same", "duplicate_of": "99999"},
    )
    assert bad.status_code == 400
    compliance.post(
        f"/cases/{second}/status",
        data={"status": "duplicate", "reason": "same", "duplicate_of": f"#{first}"},
    )
    assert _get(app, second).duplicate_of_id == first


def test_triage_links_a_general_entry_case_to_a_site_and_tags(app, world):
    case = _case(app, place="Assigned Site, Penang")
    compliance = _client(app, world["compliance"])
    site_id = str(world["mine"].id)
    data = {"severity": "critical", "site_id": site_id, "indicators": ["FL04", "FL08"]}
    response = compliance.post(f"/cases/{case}/triage", data=data)
    assert response.status_code == 302
    row = _get(app, case)
    assert row.site_id == world["mine"].id and row.severity == "critical"
    assert row.indicators == ["FL04", "FL08"]
    # Critical: acknowledge within 24 hours of the clock start.
    assert row.acknowledge_due_at - row.clock_started_at == timedelta(hours=24)
    assert {a for a, _d in _events(app, case)} == {"severity", "indicators", "site"}
    # Now the monitor of that site sees it.
    assert _client(app, world["monitor"]).get(f"/cases/{case}").status_code == 200
    assert compliance.post(f"/cases/{case}/triage", data={"severity": "dire"}).status_code == 400


def test_reply_to_a_new_case_acknowledges_it(app, world):
    case = _case(app, world["mine"])
    compliance = _client(app, world["compliance"])
    compliance.post(f"/cases/{case}/reply", data={"reply-body": "We read your report."})
    assert _get(app, case).status == "acknowledged"
    assert compliance.post(f"/cases/{case}/reply", data={"reply-body": ""}).status_code == 400
    assert compliance.post(f"/cases/{case}/note", data={"note-body": "  "}).status_code == 400


def test_deadline_arithmetic(app):
    start = datetime(2026, 3, 1, 14, tzinfo=UTC)
    with app.app_context():
        assert services.deadlines(start, None) == (
            datetime(2026, 3, 3, 14, tzinfo=UTC),
            datetime(2026, 3, 31, 14, tzinfo=UTC),
        )
        assert services.deadlines(start, "critical")[0] == datetime(2026, 3, 2, 14, tzinfo=UTC)
        app.config["GRIEVANCE_RESOLVE_DAYS"] = 14
        try:
            assert services.deadlines(start, "low")[1] == datetime(2026, 3, 15, 14, tzinfo=UTC)
        finally:
            app.config["GRIEVANCE_RESOLVE_DAYS"] = 30
    assert services.truncate_to_hour(datetime(2026, 3, 1, 14, 59, 59, 999, tzinfo=UTC)) == start


def _age(app, case_id, hours):
    """Pretend the case arrived ``hours`` ago."""
    with app.app_context():
        case = db.session.get(Grievance, case_id)
        start = services.truncate_to_hour(datetime.now(UTC) - timedelta(hours=hours))
        case.clock_started_at = start
        case.acknowledge_due_at, case.resolve_due_at = services.deadlines(start, case.severity)
        db.session.commit()


def test_overdue_cases_are_found_and_highlighted(app, world):
    fresh = _case(app, world["mine"])
    late_ack = _case(app, world["mine"])
    late_resolve = _case(app, world["mine"])
    _age(app, late_ack, 50)
    _age(app, late_resolve, 31 * 24)
    with app.app_context():
        db.session.get(Grievance, late_resolve).status = "investigating"
        db.session.commit()
        found = {case.id: services.overdue_reason(case) for case in queries.overdue_cases()}
    assert found == {late_ack: "acknowledge", late_resolve: "resolve"}
    compliance = _client(app, world["compliance"])
    listing = compliance.get("/cases?overdue=1&lang=en").data.decode()
    assert f"#{late_ack}<" in listing and f"#{fresh}<" not in listing
    assert 'class="overdue"' in listing
    assert "Overdue" in compliance.get(f"/cases/{late_ack}?lang=en").data.decode()
    # A critical case is late after 24 hours.
    _age(app, fresh, 30)
    assert compliance.get("/cases?overdue=1").data.decode().count('class="overdue"') == 2
    compliance.post(f"/cases/{fresh}/triage", data={"severity": "critical", "site_id": "0"})
    assert compliance.get("/cases?overdue=1").data.decode().count('class="overdue"') == 3


def test_filters_and_paging(app, world):
    app.config["GRIEVANCES_PER_PAGE"] = 3
    try:
        for _ in range(4):
            _case(app, world["mine"], category="hours")
        safety = _case(app, world["other"], category="safety")
        compliance = _client(app, world["compliance"])
        first = compliance.get("/cases?lang=en").data.decode()
        assert "Page 1 of 2" in first
        assert "Page 2 of 2" in compliance.get("/cases?page=2&lang=en").data.decode()
        by_category = compliance.get("/cases?category=safety").data.decode()
        assert f"#{safety}<" in by_category and by_category.count("<tr") == 2
        by_site = compliance.get(f"/cases?site={world['other'].id}").data.decode()
        assert by_site.count("<tr") == 2
        by_supplier = compliance.get(f"/cases?supplier={world['supplier'].id}&page=2")
        assert by_supplier.status_code == 200
        assert compliance.get("/cases?status=open&severity=none").status_code == 200
        assert compliance.get("/cases?status=nonsense&severity=bad&site=x").status_code == 200
    finally:
        app.config["GRIEVANCES_PER_PAGE"] = 25
