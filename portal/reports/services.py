"""Writes of the accountability outputs: report drafts, publication of frozen versions, and
the partners' comments on drafts. Every staff change is in the audit log; every rule a view
relies on raises ``ReportError`` with a key of ``ERRORS``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l

from portal import audit
from portal.db import utcnow
from portal.extensions import db
from portal.grievances.services import clean_text
from portal.i18n import LANGUAGES
from portal.reports import figures
from portal.reports.models import SECTIONS, PublicReport, ReportComment, ReportVersion

MAX_NARRATIVE = 10_000
MAX_COMMENT = 5_000
#: Partner kinds whose monitors comment on drafts (seed 000: CSOs and NGOs comment on the
#: accuracy and credibility of public reporting; unions and worker organisations too).
COMMENTING_PARTNERS = ("cso", "ngo", "union", "worker_organisation")
#: A report covers at most this many days (figures are computed over the whole period).
MAX_PERIOD_DAYS = 3 * 366

ERRORS = {
    "period": _l("The period must start before it ends, and cover at most three years."),
    "languages": _l("Choose at least one language."),
    "title": _l("Give the report a title in its first language."),
    "published": _l("This version is already published: edit the draft and publish again."),
    "comment": _l("Write your comment."),
    "not_partner": _l("Only the monitors of a civil-society partner comment on drafts."),
    "section": _l("Choose a section of the report."),
    "answer": _l("Write the answer."),
}


class ReportError(ValueError):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass
class ReportData:
    period_start: date
    period_end: date
    languages: list[str]
    #: language → {"title": ..., section: narrative}
    texts: dict[str, dict[str, str]] = field(default_factory=dict)
    with_effectiveness: bool = True


def _clean(data: ReportData) -> tuple[list[str], dict]:
    if (data.period_start > data.period_end
            or (data.period_end - data.period_start).days > MAX_PERIOD_DAYS):  # fmt: skip
        raise ReportError("period")
    languages = [code for code in dict.fromkeys(data.languages or []) if code in LANGUAGES]
    if not languages:
        raise ReportError("languages")
    texts = {}
    for code in languages:
        given = data.texts.get(code) or {}
        parts = {part: clean_text(given.get(part), MAX_NARRATIVE) or ""
                 for part in ("title", *SECTIONS)}  # fmt: skip
        parts["title"] = parts["title"][:200]
        texts[code] = {part: text for part, text in parts.items() if text}
    if not texts[languages[0]].get("title"):
        raise ReportError("title")
    return languages, texts


def save_report(data: ReportData, user, report: PublicReport | None = None) -> PublicReport:
    languages, texts = _clean(data)
    created = report is None
    if created:
        report = PublicReport(created_by_id=user.id)
        db.session.add(report)
    changed = {
        "period": f"{data.period_start.isoformat()}/{data.period_end.isoformat()}",
        "languages": languages,
    }
    report.period_start, report.period_end = data.period_start, data.period_end
    report.languages, report.texts = languages, texts
    report.with_effectiveness = bool(data.with_effectiveness)
    db.session.flush()
    audit.record("report", report.id, user, "created" if created else "edited", **changed)
    db.session.commit()
    return report


def publish(report: PublicReport, user) -> ReportVersion:
    """Freeze the draft as the next version: its figures are computed now and never again."""
    if not (report.texts.get(report.languages[0]) or {}).get("title"):
        raise ReportError("title")
    computed = figures.compute(report.period_start, report.period_end,
                               with_effectiveness=report.with_effectiveness)  # fmt: skip
    version = ReportVersion(
        report=report, number=len(report.versions) + 1, period_start=report.period_start,
        period_end=report.period_end, languages=list(report.languages),
        texts={code: dict(parts) for code, parts in report.texts.items()}, figures=computed,
        published_on=utcnow().date(), published_by_id=user.id,
    )  # fmt: skip
    db.session.add(version)
    db.session.flush()
    audit.record("report", report.id, user, "published", version=version.number)
    db.session.commit()
    return version


def may_comment(user) -> bool:
    """A monitor whose account belongs to a civil-society partner (read by id: the partner
    of the signed-in user is looked up, not lazy-loaded)."""
    from portal.engagement.models import Partner

    partner_id = getattr(user, "partner_id", None)
    if getattr(user, "role", None) != "monitor" or partner_id is None:
        return False
    partner = db.session.get(Partner, partner_id)
    return partner is not None and partner.kind in COMMENTING_PARTNERS


def add_comment(report: PublicReport, user, section: str, body: str | None) -> ReportComment:
    if not may_comment(user):
        raise ReportError("not_partner")
    if section not in (*SECTIONS, "general"):
        raise ReportError("section")
    body = clean_text(body, MAX_COMMENT)
    if not body:
        raise ReportError("comment")
    comment = ReportComment(report=report, user_id=user.id, partner_id=user.partner_id,
                            section=section, body=body,
                            before_version=len(report.versions) + 1)  # fmt: skip
    db.session.add(comment)
    db.session.flush()
    audit.record("report", report.id, user, "comment", section=section, comment=comment.id)
    db.session.commit()
    return comment


def answer_comment(comment: ReportComment, user, answer: str | None) -> None:
    answer = clean_text(answer, MAX_COMMENT)
    if not answer:
        raise ReportError("answer")
    comment.answer, comment.answered_by_id = answer, user.id
    audit.record("report", comment.report_id, user, "answer", comment=comment.id)
    db.session.commit()
