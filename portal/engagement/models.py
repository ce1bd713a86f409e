"""Stakeholder engagement beyond surveys (docs/engagement.md): the partner organisations the
company works with, the engagement log (meetings, focus groups, trainings, joint audits...),
consultations on draft documents with their comments and themes, and the yearly plan.

Privacy: an activity records counts of participants, never names of workers; a consultation
comment from an anonymous group (workers, communities, NGOs through the public page) has no
user, is dated to the day and keeps the site only for counting.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Column, Date, DateTime, ForeignKey, String, Table, Text
from sqlalchemy import CheckConstraint as Check
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import sql_list, utcnow
from portal.extensions import db
from portal.risk.catalogue import STAKEHOLDER_GROUPS
from portal.uploads import CONTENT_TYPES_SQL, StoredFileMixin

if TYPE_CHECKING:
    from portal.accounts.models import User
    from portal.suppliers.models import Site, Supplier
    from portal.surveys.models import Campaign

#: Kinds of partner organisation (seed 002: industry associations, civil society,
#: governments and trusted-trader programmes; seed 000: worker organisations, investors).
PARTNER_KINDS = (
    "union", "worker_organisation", "cso", "ngo", "industry_association", "government",
    "trusted_trader", "investor", "training_provider", "auditor",
)  # fmt: skip
ACTIVITY_KINDS = ("meeting", "focus_group", "worker_representatives", "training", "joint_audit",
                  "working_group", "government_review", "investor_dialogue", "community_meeting",
                  "other")  # fmt: skip
#: What a plan target can count: an activity kind, any activity, a consultation or a campaign.
TARGET_KINDS = ("any", *ACTIVITY_KINDS, "consultation", "campaign")
CONSULTATION_STATUSES = ("draft", "open", "closed", "published")
DOCUMENT_KINDS = ("code_of_conduct", "grievance_procedure", "policy", "remediation_plan",
                  "other")  # fmt: skip


_GROUPS = sql_list(STAKEHOLDER_GROUPS)

partner_sites = Table(
    "partner_sites",
    db.Model.metadata,
    Column("partner_id", ForeignKey("partners.id", ondelete="CASCADE"), primary_key=True),
    Column("site_id", ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True),
)
activity_sites = Table(
    "activity_sites",
    db.Model.metadata,
    Column("activity_id", ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True),
    Column("site_id", ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True),
)
activity_partners = Table(
    "activity_partners",
    db.Model.metadata,
    Column("activity_id", ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True),
    Column("partner_id", ForeignKey("partners.id", ondelete="CASCADE"), primary_key=True),
)
consultation_sites = Table(
    "consultation_sites",
    db.Model.metadata,
    Column("consultation_id", ForeignKey("consultations.id", ondelete="CASCADE"),
           primary_key=True),
    Column("site_id", ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True),
)  # fmt: skip


class Partner(db.Model):
    """An organisation the company engages: a union, a CSO, an industry association, a
    government programme such as CTPAT, an investor, a training provider..."""

    __tablename__ = "partners"
    __table_args__ = (
        Check(f"kind IN ({sql_list(PARTNER_KINDS)})", name="kind_known"),
        Check(f"stakeholder_group IN ({_GROUPS})", name="group_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    #: A key of ``PARTNER_KINDS``.
    kind: Mapped[str] = mapped_column(String(30))
    #: The stakeholder group its voice counts under in the matrix.
    stakeholder_group: Mapped[str] = mapped_column(String(20))
    #: ISO 3166-1 alpha-2 codes where it works.
    countries: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Staff-only: never on a public page, never in an export.
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    website: Mapped[str | None] = mapped_column(String(300))
    #: What the relationship is about (for example "CTPAT partner since 2021").
    description: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    sites: Mapped[list[Site]] = relationship(secondary=partner_sites, order_by="Site.name")
    members: Mapped[list[User]] = relationship(back_populates="partner", order_by="User.name")


class Activity(db.Model):
    """One entry of the engagement log."""

    __tablename__ = "activities"
    __table_args__ = (Check(f"kind IN ({sql_list(ACTIVITY_KINDS)})", name="kind_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: A key of ``ACTIVITY_KINDS``.
    kind: Mapped[str] = mapped_column(String(30), index=True)
    title: Mapped[str] = mapped_column(String(200))
    held_on: Mapped[date] = mapped_column(Date, index=True)
    #: Keys of ``STAKEHOLDER_GROUPS`` engaged.
    groups: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Keys of ``ENGAGEMENT_AREAS`` (seed 000) the activity served.
    areas: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Countries of an activity with no site (a government programme review, say).
    countries: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: What was discussed; never a worker's name (the form says so).
    summary: Mapped[str | None] = mapped_column(Text)
    outcomes: Mapped[str | None] = mapped_column(Text)
    follow_up: Mapped[str | None] = mapped_column(Text)
    #: The training-feedback campaign that followed a training.
    feedback_campaign_id: Mapped[int | None] = mapped_column(
        ForeignKey("campaigns.id", ondelete="SET NULL")
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    sites: Mapped[list[Site]] = relationship(secondary=activity_sites, order_by="Site.name")
    partners: Mapped[list[Partner]] = relationship(
        secondary=activity_partners, order_by="Partner.name"
    )
    participants: Mapped[list[Participation]] = relationship(
        back_populates="activity", cascade="all, delete-orphan",
        order_by="Participation.stakeholder_group",
    )  # fmt: skip
    files: Mapped[list[ActivityFile]] = relationship(
        back_populates="activity", cascade="all, delete-orphan", order_by="ActivityFile.id"
    )
    feedback_campaign: Mapped[Campaign | None] = relationship()

    @property
    def participant_total(self) -> int:
        return sum(p.total for p in self.participants)


class Participation(db.Model):
    """How many people of one stakeholder group took part (and of which sex, where recorded)."""

    __tablename__ = "activity_participants"
    __table_args__ = (
        Check(f"stakeholder_group IN ({_GROUPS})", name="group_known"),
        Check("total >= 0", name="total_positive"),
        Check("women IS NULL OR women >= 0", name="women_positive"),
        Check("men IS NULL OR men >= 0", name="men_positive"),
        Check("coalesce(women, 0) + coalesce(men, 0) <= total", name="sexes_within_total"),
    )

    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True
    )
    stakeholder_group: Mapped[str] = mapped_column(String(20), primary_key=True)
    total: Mapped[int]
    women: Mapped[int | None]
    men: Mapped[int | None]

    activity: Mapped[Activity] = relationship(back_populates="participants")


class ActivityFile(StoredFileMixin, db.Model):
    """An attachment of an activity (minutes, attendance sheet without names, photo)."""

    __tablename__ = "activity_files"
    __table_args__ = (Check(f"content_type IN ({CONTENT_TYPES_SQL})", name="type_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    activity_id: Mapped[int] = mapped_column(
        ForeignKey("activities.id", ondelete="CASCADE"), index=True
    )

    activity: Mapped[Activity] = relationship(back_populates="files")


class Consultation(db.Model):
    """A draft document put to chosen stakeholder groups and sites for comment, then
    published in its revised form with what changed."""

    __tablename__ = "consultations"
    __table_args__ = (
        Check(f"status IN ({sql_list(CONSULTATION_STATUSES)})", name="status_known"),
        Check(f"document_kind IN ({sql_list(DOCUMENT_KINDS)})", name="document_kind_known"),
        Check("closes_on >= opens_on", name="window_order"),
        Check("status <> 'published' OR published_on IS NOT NULL", name="published_dated"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: A key of ``DOCUMENT_KINDS``.
    document_kind: Mapped[str] = mapped_column(String(30))
    #: A key of ``CONSULTATION_STATUSES``.
    status: Mapped[str] = mapped_column(String(10), default="draft", index=True)
    groups: Mapped[list[str]] = mapped_column(JSON, default=list)
    areas: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Languages offered; the first is the one the text is written in.
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Per language: ``{"title": ..., "body": ..., "question": ...}`` of the draft.
    draft: Mapped[dict] = mapped_column(JSON, default=dict)
    #: Per language: ``{"body": ..., "changes": ...}`` of the published revision.
    revision: Mapped[dict] = mapped_column(JSON, default=dict)
    opens_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date)
    published_on: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    sites: Mapped[list[Site]] = relationship(secondary=consultation_sites, order_by="Site.name")
    themes: Mapped[list[ConsultationTheme]] = relationship(
        back_populates="consultation", cascade="all, delete-orphan",
        order_by="ConsultationTheme.id",
    )  # fmt: skip

    def text(self, language: str | None, key: str = "title", part: str = "draft") -> str:
        """A text in ``language``, falling back to the first language of the consultation."""
        texts = self.draft if part == "draft" else self.revision
        for code in (language, *(self.languages or []), *texts):
            value = (texts.get(code) or {}).get(key) if code else None
            if value:
                return value
        return ""

    @property
    def title(self) -> str:
        return self.text(None)

    def accepts_comments(self, today: date) -> bool:
        return self.status == "open" and self.opens_on <= today <= self.closes_on


class ConsultationTheme(db.Model):
    """What several comments say, with the company's response to it."""

    __tablename__ = "consultation_themes"

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    #: The company's response, published with the revision.
    response: Mapped[str | None] = mapped_column(Text)
    #: Whether the revision changed the document on this point.
    changed: Mapped[bool] = mapped_column(default=False)

    consultation: Mapped[Consultation] = relationship(back_populates="themes")


class ConsultationComment(db.Model):
    """One comment. Anonymous ones have no user and carry the day only; signed-in ones
    (suppliers, monitors) keep their author."""

    __tablename__ = "consultation_comments"
    __table_args__ = (
        Check(f"stakeholder_group IN ({_GROUPS})", name="group_known"),
        # The buying company's staff and investors comment through meetings, not this form.
        Check("stakeholder_group NOT IN ('employees', 'investors')", name="group_comments"),
        # A supplier's comment is always signed: suppliers have accounts.
        Check("stakeholder_group <> 'suppliers' OR user_id IS NOT NULL", name="supplier_signed"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    consultation_id: Mapped[int] = mapped_column(
        ForeignKey("consultations.id", ondelete="CASCADE"), index=True
    )
    stakeholder_group: Mapped[str] = mapped_column(String(20))
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id", ondelete="SET NULL"))
    #: The language the comment was written in (the page's).
    language: Mapped[str] = mapped_column(String(10))
    body: Mapped[str] = mapped_column(Text)
    #: Anonymous comments are dated to the day only (DESIGN §8).
    submitted_on: Mapped[date] = mapped_column(Date)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    theme_id: Mapped[int | None] = mapped_column(
        ForeignKey("consultation_themes.id", ondelete="SET NULL")
    )

    user: Mapped[User | None] = relationship()
    theme: Mapped[ConsultationTheme | None] = relationship()


class EngagementTarget(db.Model):
    """A line of the yearly engagement plan, for example "two worker-representative
    consultations per site" (group workers, area communication, kind worker_representatives,
    count 2, per site)."""

    __tablename__ = "engagement_targets"
    __table_args__ = (
        Check(f"stakeholder_group IN ({_GROUPS})", name="group_known"),
        Check(f"kind IN ({sql_list(TARGET_KINDS)})", name="kind_known"),
        Check("count >= 1", name="count_positive"),
        Check("year BETWEEN 2000 AND 2100", name="year_sane"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(index=True)
    stakeholder_group: Mapped[str] = mapped_column(String(20))
    area: Mapped[str] = mapped_column(String(30))
    #: A key of ``TARGET_KINDS``.
    kind: Mapped[str] = mapped_column(String(30), default="any")
    count: Mapped[int]
    #: The count is per site (each site of the scope must reach it) or for the whole scope.
    per_site: Mapped[bool] = mapped_column(default=False)
    #: Only this supplier's sites (None: every site).
    supplier_id: Mapped[int | None] = mapped_column(ForeignKey("suppliers.id", ondelete="CASCADE"))
    due_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(String(300))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    supplier: Mapped[Supplier | None] = relationship()
