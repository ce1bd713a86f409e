"""A small world for the staff lists: every list has rows that sort differently by each of
its columns, names with LIKE wildcards in them, and one SAQ in each state."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from portal.extensions import db
from portal.grievances import services as grievances
from portal.surveys import services as surveys
from portal.surveys.definitions import load_definition
from portal.surveys.models import Response
from tests.surveys.conftest import utc_today

ROOT = Path(__file__).resolve().parents[1]


def build(app, factory) -> dict:
    alpha = factory.supplier("Alpha Knit", "BD")
    beta = factory.supplier("Beta_Garments 100%", "VN")
    gazipur = factory.site(alpha, "Gazipur Unit 2", headcount=900)
    chittagong = factory.site(alpha, "Chittagong Dyeing", headcount=400, sector="footwear")
    hanoi = factory.site(beta, "Hanoi Sewing", country="VN", headcount=120)
    world = {
        "suppliers": [alpha, beta],
        "sites": [gazipur, chittagong, hanoi],
        "compliance": factory.user("compliance", name="Carla Compliance"),
        "admin": factory.user("admin", name="Ada Admin"),
        "monitor": factory.user("monitor", name="Zed Monitor", sites=[gazipur]),
        "supplier_user": factory.user("supplier", supplier=alpha, name="Sam Supplier"),
    }
    today = utc_today()
    with app.app_context():
        cases = []
        for site, category, severity in [
            (gazipur, "wages", "critical"),
            (hanoi, "safety", None),
            (chittagong, "hours", "low"),
        ]:
            case, _receipt = grievances.create_grievance(
                grievances.IntakeData(
                    reporter="worker", category=category, description="Late wages.",
                    language="en", site_id=site.id, reported_place=None, contact=None,
                )
            )  # fmt: skip
            case.severity = severity
            cases.append(case.id)
        world["cases"] = cases
        worker_spec = load_definition(ROOT / "surveys" / "worker-voice.yaml")
        saq_spec = load_definition(ROOT / "surveys" / "supplier-saq.yaml")
        worker_version, _ = surveys.store_version(worker_spec)
        saq_version, _ = surveys.store_version(saq_spec)
        db.session.flush()

        def campaign(name, version, spec, group, sites, opens):
            return surveys.create_campaign(
                surveys.CampaignData(
                    name=name, survey_version_id=version.id, stakeholder_group=group,
                    site_ids=[s.id for s in sites], opens_on=opens,
                    closes_on=opens + timedelta(days=30), languages=list(spec.languages),
                )
            )  # fmt: skip

        pulse = campaign("Spring pulse", worker_version, worker_spec, "workers",
                         [gazipur, hanoi], today - timedelta(days=60))  # fmt: skip
        saq = campaign("SAQ 2026", saq_version, saq_spec, "suppliers",
                       [gazipur, chittagong, hanoi], today - timedelta(days=5))  # fmt: skip
        for site, status in [(gazipur, "accepted"), (chittagong, "draft")]:
            db.session.add(
                Response(campaign_id=saq.id, survey_version_id=saq_version.id, site_id=site.id,
                         stakeholder_group="suppliers", language="en", submitted_on=today,
                         status=status)
            )  # fmt: skip
        for _ in range(3):
            db.session.add(
                Response(campaign_id=pulse.id, survey_version_id=worker_version.id,
                         site_id=gazipur.id, stakeholder_group="workers", language="bn",
                         submitted_on=today)
            )  # fmt: skip
        db.session.commit()
        world["campaigns"] = {"pulse": pulse.id, "saq": saq.id}
    return world
