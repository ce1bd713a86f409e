"""Cases, plans and reports for the report tests, made through the real services; times are
then moved where a test needs a known clock (the figures read them from the database)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from portal.extensions import db
from portal.grievances import services as grievances
from portal.grievances.models import Grievance
from portal.reports import services
from portal.reports.models import PublicReport

DESCRIPTION = "Secret words of reporter 7f3a: the supervisor keeps our passports."


def cases(app, site, count: int, *, category="wages", lead=None, status=None,
          days_to_resolve=None, language="en", reporter="worker") -> list[int]:  # fmt: skip
    """``count`` reports at ``site``; with ``lead``, walked to ``status`` by the services;
    resolved cases get ``days_to_resolve`` (a number or a list, one per case)."""
    ids = []
    with app.app_context():
        who = db.session.merge(lead) if lead is not None else None
        for index in range(count):
            case, _receipt = grievances.create_grievance(grievances.IntakeData(
                reporter=reporter, category=category, description=DESCRIPTION,
                language=language, site_id=site.id,
            ))  # fmt: skip
            path = {"acknowledged": ["acknowledged"], "resolved": ["acknowledged", "resolved"],
                    "closed": ["acknowledged", "resolved", "closed"],
                    "investigating": ["investigating"]}.get(status, [])  # fmt: skip
            for step in path:
                grievances.change_status(case, who, step)
            if days_to_resolve is not None and case.resolved_at is not None:
                days = (days_to_resolve[index] if isinstance(days_to_resolve, list)
                        else days_to_resolve)  # fmt: skip
                case.resolved_at = grievances.as_utc(case.clock_started_at) + timedelta(days=days)
            ids.append(case.id)
        db.session.commit()
    return ids


def draft(app, lead, *, start, end, languages=("en", "ar"), texts=None, effectiveness=True):
    texts = texts or {
        "en": {"title": "Worker voice report", "scope": "All our sites.",
               "grievances": "We answered every case."},
        "ar": {"title": "تقرير صوت العمال", "scope": "جميع مواقعنا."},
    }  # fmt: skip
    with app.app_context():
        report = services.save_report(
            services.ReportData(start, end, list(languages), texts, effectiveness),
            db.session.merge(lead),
        )
        return report.id


def publish(app, lead, report_id: int) -> int:
    with app.app_context():
        report = db.session.get(PublicReport, report_id)
        return services.publish(report, db.session.merge(lead)).number


def case_rows(app) -> list[Grievance]:
    with app.app_context():
        rows = list(db.session.scalars(select(Grievance)))
        for row in rows:
            db.session.expunge(row)
        return rows
