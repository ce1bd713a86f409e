"""Retention purge (DESIGN §8): old closed cases and old raw answers go, aggregates stay."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, update

from portal.audit import AuditEvent
from portal.extensions import db
from portal.grievances import services as grievances
from portal.grievances.models import Grievance, GrievanceMessage
from portal.maintenance import services
from portal.risk.models import ResponseCount, RiskCell
from portal.surveys import services as surveys
from portal.surveys.models import Campaign, Response
from tests.factories import login
from tests.maintenance.helpers import file_case, saq_with_evidence, table_counts
from tests.surveys.conftest import utc_today

ANSWERS = [{"id_access": "no", "hours": "70"}, {"id_access": "yes", "hours": "40"},
           {"id_access": "dk", "hours": "65"}, {"id_access": "no", "hours": "30"}]  # fmt: skip


def _age(app, model, column: str, row_id: int, days: int) -> None:
    with app.app_context():
        db.session.execute(
            update(model).where(model.id == row_id).values({column: utc_today() - timedelta(days)})
        )
        db.session.commit()


def _rollups(app) -> tuple[list, list]:
    with app.app_context():
        cells = db.session.execute(select(RiskCell.__table__).order_by(RiskCell.id)).all()
        counts = db.session.execute(
            select(ResponseCount.__table__).order_by(ResponseCount.id)
        ).all()
        return [tuple(row) for row in cells], [tuple(row) for row in counts]


def _world(app, factory, deploy):
    """Cases and responses on both sides of the default limits (730 and 1095 days)."""
    supplier = factory.supplier()
    site = factory.site(supplier, languages=["en", "ar"])
    staff = factory.user("compliance")
    ids: dict[str, int] = {}
    with app.app_context():
        for name in ("closed_old", "rejected_old", "duplicate_old", "closed_recent",
                     "open_old", "resolved_old", "duplicate_of_purged"):  # fmt: skip
            ids[name] = file_case(site.id, contact="+880 1711 000000" if "old" in name else None)
        case = {name: db.session.get(Grievance, case_id) for name, case_id in ids.items()}
        for name in ("closed_old", "closed_recent"):
            grievances.add_note(case[name], staff, "Called the supplier.")
            grievances.change_status(case[name], staff, "acknowledged")
            grievances.change_status(case[name], staff, "resolved")
            grievances.change_status(case[name], staff, "closed")
        grievances.change_status(case["rejected_old"], staff, "rejected", reason="Not a case.")
        grievances.change_status(case["duplicate_old"], staff, "duplicate", reason="Twice.",
                                 duplicate_of=case["open_old"])  # fmt: skip
        grievances.change_status(
            case["duplicate_of_purged"],
            staff,
            "duplicate",
            reason="Same as an old one.",
            duplicate_of=case["closed_old"],
        )
        grievances.change_status(case["open_old"], staff, "investigating")
        grievances.change_status(case["resolved_old"], staff, "acknowledged")
        grievances.change_status(case["resolved_old"], staff, "resolved")
    for name in ("closed_old", "rejected_old", "duplicate_old", "open_old", "resolved_old"):
        _age(app, Grievance, "status_changed_on", ids[name], 731)
    _age(app, Grievance, "status_changed_on", ids["closed_recent"], 729)

    campaign, _ = deploy(sites=[site])
    responses = []
    with app.app_context():
        stored = db.session.get(Campaign, campaign.id)
        merged = db.session.merge(site)
        for data in ANSWERS:
            responses.append(surveys.submit_response(stored, merged, "en", dict(data),
                                                     utc_today()).id)  # fmt: skip
    for response_id, days in zip(responses, (1096, 1200, 1095, 10), strict=True):
        _age(app, Response, "submitted_on", response_id, days)
    user = factory.user("supplier", supplier=supplier)
    old_saq, old_file = saq_with_evidence(app, deploy, site, user)
    _age(app, Response, "submitted_on", old_saq, 1500)
    # A questionnaire still being filled in for an open campaign is kept, however old.
    draft, draft_file = saq_with_evidence(app, deploy, site, user, submit=False)
    _age(app, Response, "submitted_on", draft, 1500)
    return site, staff, ids, responses, (old_saq, old_file), (draft, draft_file)


def test_dry_run_counts_and_changes_nothing(app, factory, deploy):
    _site, _staff, _ids, _responses, (_saq, old_file), _draft = _world(app, factory, deploy)
    before = table_counts(app)
    uploads = Path(app.instance_path) / "uploads"
    result = app.test_cli_runner().invoke(args=["purge", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "closed cases: older than 730 days" in result.output
    assert "survey responses: older than 1095 days" in result.output
    assert "Would delete (dry run, nothing changed):" in result.output
    lines = dict(line.rsplit(None, 1) for line in result.output.splitlines()
                 if line.startswith("  "))  # fmt: skip
    counts = {name.strip(): int(value.replace(",", "")) for name, value in lines.items()}
    # closed_old: acknowledgement + note; 3 status changes + note in the audit log.
    # rejected_old, duplicate_old: acknowledgement; 1 status change each. Responses: the two
    # anonymous ones older than 1095 days (id_access, hours, long_week each) and the old
    # questionnaire (fees, policy).
    assert counts == {
        "cases": 3, "case messages": 4, "audit entries": 6, "contacts": 3,
        "responses": 3, "answers": 3 + 3 + 2, "evidence files": 1,
    }  # fmt: skip
    assert table_counts(app) == before
    assert (uploads / old_file).exists()


def test_purge_deletes_exactly_the_old_and_keeps_the_aggregates(app, factory, deploy, client):
    site, staff, ids, responses, (_saq, old_file), (draft, draft_file) = _world(
        app, factory, deploy
    )
    with app.app_context():
        planned = services.purge(app.config, app.instance_path, dry_run=True)
    rollups = _rollups(app)
    assert rollups[0] and rollups[1]
    result = app.test_cli_runner().invoke(args=["purge"])
    assert result.exit_code == 0, result.output
    assert "Deleted:" in result.output and "do not run 'risk rebuild'" in result.output
    with app.app_context():
        kept_cases = {case.id: case for case in db.session.scalars(select(Grievance))}
        assert set(kept_cases) == {ids["closed_recent"], ids["open_old"], ids["resolved_old"],
                                   ids["duplicate_of_purged"]}  # fmt: skip
        # The link to a purged case is cut, the case that pointed at it stays.
        assert kept_cases[ids["duplicate_of_purged"]].duplicate_of_id is None
        assert kept_cases[ids["closed_recent"]].contact_encrypted is None
        assert kept_cases[ids["open_old"]].contact_encrypted is not None
        orphans = [
            db.session.scalars(select(GrievanceMessage.grievance_id).where(
                GrievanceMessage.grievance_id.not_in(list(kept_cases)))).all(),
            db.session.scalars(select(AuditEvent.subject_id).where(
                AuditEvent.subject == "grievance",
                AuditEvent.subject_id.not_in(list(kept_cases)))).all(),
        ]  # fmt: skip
        assert orphans == [[], []]
        kept_responses = set(db.session.scalars(select(Response.id)))
        assert kept_responses == {responses[2], responses[3], draft}
    uploads = Path(app.instance_path) / "uploads"
    assert not (uploads / old_file).exists() and (uploads / draft_file).exists()
    # The real run deleted what the dry run announced.
    again = app.test_cli_runner().invoke(args=["purge", "--dry-run"])
    assert "cases                    0" in again.output
    assert f"responses        {planned.responses:>9,}" in result.output
    assert f"answers          {planned.answers:>9,}" in result.output
    assert f"case messages    {planned.case_messages:>9,}" in result.output
    # Aggregates stay: the rollups are row for row the same, and the dashboard still reads them.
    assert _rollups(app) == rollups
    login(client, staff)
    for url in ("/dashboard", f"/dashboard/sites/{site.id}", "/engagement/matrix"):
        assert client.get(url).status_code == 200, url


def test_none_keeps_forever(app, factory, deploy):
    _world(app, factory, deploy)
    before = table_counts(app)
    config = {"RETENTION_CLOSED_CASE_DAYS": None, "RETENTION_RAW_ANSWER_DAYS": None}
    with app.app_context():
        counts = services.purge(config, app.instance_path, dry_run=False)
    assert all(value == 0 for _name, value in counts.items())
    assert table_counts(app) == before
