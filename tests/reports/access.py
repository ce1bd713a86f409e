"""Who may use each report route (discovered by tests/test_access_matrix.py).

Compliance drafts, publishes, builds packs and handles the benchmark; monitors read the
effectiveness of their sites and, when their partner is a civil-society organisation, read
drafts and comment (the world's monitor has no partner: its draft page is a 404, not a 403);
anyone reads what is published. Admins and suppliers see none of it."""

from __future__ import annotations

from datetime import date

EVERYONE = {"anonymous", "admin", "compliance", "supplier", "monitor"}
READERS = {"compliance", "monitor"}

EXPECTED = {
    "reports.index": READERS,
    "reports.new": {"compliance"},
    "reports.edit": {"compliance"},
    "reports.draft": READERS,
    "reports.draft_pdf": READERS,
    "reports.publish": {"compliance"},
    "reports.comment": {"monitor"},
    "reports.answer": {"compliance"},
    "reports.effectiveness": READERS,
    "reports.packs": {"compliance"},
    "reports.pack_new": {"compliance"},
    "reports.pack_page": {"compliance"},
    "reports.pack_download": {"compliance"},
    "reports.benchmark_page": {"compliance"},
    "reports.benchmark_file": {"compliance"},
    "reports.benchmark_import": {"compliance"},
    "reports.published": EVERYONE,
    "reports.latest": EVERYONE,
    "reports.version": EVERYONE,
    "reports.version_pdf": EVERYONE,
}

ARGUMENTS = {"reports.version": {"number": "version_number"},
             "reports.version_pdf": {"number": "version_number"},
             "reports.answer": {"comment_id": "report_comment_id"}}  # fmt: skip


def extend_world(factory, world) -> dict:
    """A published report with a partner's comment on its draft, and a finished pack."""
    from portal.extensions import db
    from portal.reports import pack, services
    from portal.reports.models import PublicReport

    app, users = factory.app, world["users"]
    with app.app_context():
        lead = db.session.merge(users["compliance"])
        report = services.save_report(services.ReportData(
            date(2026, 1, 1), date(2026, 12, 31), ["en"], {"en": {"title": "Matrix report"}},
        ), lead)  # fmt: skip
        version = services.publish(db.session.get(PublicReport, report.id), lead)
        from portal.reports.models import ReportComment

        comment = ReportComment(report_id=report.id, user_id=lead.id, section="general",
                                body="Check the totals.")  # fmt: skip
        db.session.add(comment)
        db.session.commit()
        built = pack.create(None, date(2026, 1, 1), date(2026, 12, 31), lead)
        with app.test_request_context("/"):
            pack.build(built)
        return {"report_id": report.id, "version_number": version.number,
                "report_comment_id": comment.id, "pack_id": built.id}  # fmt: skip
