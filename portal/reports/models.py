"""Accountability outputs (docs/reports.md): public reports with their frozen versions and the
partners' comments on drafts, and evidence packs built in the background.

A published version keeps the figures as they were computed at publication (``figures``) and
the narrative as it was written: new data never changes what was published."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Date, DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy import CheckConstraint as Check
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.audit import AuditEvent, trail_of
from portal.db import sql_list, utcnow
from portal.extensions import db

if TYPE_CHECKING:
    from portal.accounts.models import User
    from portal.engagement.models import Partner
    from portal.suppliers.models import Supplier

#: The sections of a public report, in page order; each has a narrative per language.
SECTIONS = ("scope", "grievances", "risks", "remediation", "engagement", "effectiveness",
            "methodology")  # fmt: skip
PACK_STATUSES = ("queued", "running", "done", "failed")


class PublicReport(db.Model):
    """A report being drafted for one period; publishing freezes it as a new version."""

    __tablename__ = "public_reports"
    __table_args__ = (Check("period_start <= period_end", name="period_order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    #: Languages the narrative is written in, the first one the report's own.
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: language → {"title": ..., section: narrative}
    texts: Mapped[dict] = mapped_column(JSON, default=dict)
    #: Include the UNGP 31 effectiveness section in the published report.
    with_effectiveness: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    versions: Mapped[list[ReportVersion]] = relationship(
        back_populates="report", order_by="ReportVersion.number", cascade="all, delete-orphan"
    )
    comments: Mapped[list[ReportComment]] = relationship(
        back_populates="report", order_by="ReportComment.id", cascade="all, delete-orphan"
    )
    events: Mapped[list[AuditEvent]] = trail_of("report", "PublicReport")

    def text(self, language: str, part: str = "title") -> str:
        return _text(self.texts, self.languages, language, part)

    @property
    def latest(self) -> ReportVersion | None:
        return self.versions[-1] if self.versions else None


class ReportVersion(db.Model):
    """A published, frozen report: its figures, narrative and languages never change."""

    __tablename__ = "report_versions"
    __table_args__ = (UniqueConstraint("report_id", "number", name="uq_report_versions_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("public_reports.id", ondelete="RESTRICT"), index=True
    )
    number: Mapped[int]
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    languages: Mapped[list[str]] = mapped_column(JSON)
    texts: Mapped[dict] = mapped_column(JSON)
    #: Every number of the report as computed, already through the suppression gate.
    figures: Mapped[dict] = mapped_column(JSON)
    published_on: Mapped[date] = mapped_column(Date)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    report: Mapped[PublicReport] = relationship(back_populates="versions")

    def text(self, language: str, part: str = "title") -> str:
        return _text(self.texts, self.languages, language, part)


def _text(texts: dict, languages: list[str], language: str, part: str) -> str:
    """The part in ``language``, else in the report's first language that has it."""
    for code in (language, *languages):
        value = (texts.get(code) or {}).get(part)
        if value:
            return value
    return ""


def text_language(texts: dict, languages: list[str], language: str, part: str) -> str:
    """The language ``_text`` took the part from (for the ``lang`` attribute)."""
    for code in (language, *languages):
        if (texts.get(code) or {}).get(part):
            return code
    return language


class ReportComment(db.Model):
    """A partner's comment on the accuracy of a draft (seed 000: CSOs and NGOs comment on the
    accuracy and credibility of public reporting), and compliance's answer."""

    __tablename__ = "report_comments"
    __table_args__ = (
        Check(f"section IN ({sql_list(SECTIONS)}) OR section = 'general'", name="section_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("public_reports.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partners.id", ondelete="SET NULL"))
    section: Mapped[str] = mapped_column(String(20))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: Compliance's answer; a comment with an answer is settled.
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: The version the comment was made before (the next one to be published).
    before_version: Mapped[int] = mapped_column(default=1)

    report: Mapped[PublicReport] = relationship(back_populates="comments")
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    partner: Mapped[Partner | None] = relationship()


class EvidencePack(db.Model):
    """A CTPAT / UFLPA evidence pack: a zip built in the background (docs/reports.md)."""

    __tablename__ = "evidence_packs"
    __table_args__ = (
        Check(f"status IN ({sql_list(PACK_STATUSES)})", name="status_known"),
        Check("period_start <= period_end", name="period_order"),
        Check("progress >= 0 AND progress <= 100", name="progress_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: None: the whole programme.
    supplier_id: Mapped[int | None] = mapped_column(
        ForeignKey("suppliers.id", ondelete="CASCADE"), index=True
    )
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="queued")
    progress: Mapped[int] = mapped_column(default=0)
    #: What is being written now (a file name of the pack).
    step: Mapped[str | None] = mapped_column(String(60))
    error: Mapped[str | None] = mapped_column(String(300))
    #: The zip under the instance's ``packs`` folder, its size and SHA-256.
    stored_name: Mapped[str | None] = mapped_column(String(64))
    size: Mapped[int | None]
    sha256: Mapped[str | None] = mapped_column(String(64))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    supplier: Mapped[Supplier | None] = relationship()
    created_by: Mapped[User | None] = relationship()
