"""Data for the maintenance tests, made through the same services as the views."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from portal.extensions import db
from portal.grievances import services as grievances
from portal.surveys import saq
from portal.surveys.models import Answer, Campaign
from tests.surveys.test_saq import PDF, SAQ


@dataclass
class Built:
    site_id: int
    site_code: str
    case_id: int
    saq_response_id: int
    evidence_name: str


def file_case(
    site_id: int, *, contact: str | None = None, description: str = "Unpaid wages."
) -> int:
    case, _receipt = grievances.create_grievance(
        grievances.IntakeData(
            reporter="worker", category="wages", language="en", site_id=site_id,
            description=description, contact=contact,
        )
    )  # fmt: skip
    return case.id


def saq_with_evidence(app, deploy, site, user, *, submit: bool = True) -> tuple[int, str]:
    """A supplier questionnaire for ``site`` with one PDF attached (and submitted)."""
    campaign, _ = deploy(SAQ, group="suppliers", sites=[site])
    with app.app_context():
        stored = db.session.get(Campaign, campaign.id)
        response = saq.draft_for(stored, db.session.merge(site), user)
        evidence = saq.attach_evidence(response, "policy", "policy.pdf", PDF, user)
        response.answers.append(Answer(question="fees", value="no"))
        if submit:
            response.status = "submitted"
        db.session.commit()
        return response.id, evidence.stored_name


def build(app, factory, deploy) -> Built:
    """A site, a grievance case with a call-back contact, and a questionnaire with evidence."""
    supplier = factory.supplier()
    site = factory.site(supplier, languages=["en"])
    user = factory.user("supplier", supplier=supplier)
    with app.app_context():
        case_id = file_case(site.id, contact="+880 1711 000000", description="Backup me.")
    response_id, stored_name = saq_with_evidence(app, deploy, site, user)
    return Built(site.id, site.code, case_id, response_id, stored_name)


def table_counts(app) -> dict[str, int]:
    with app.app_context():
        return {
            table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables
        }
