"""Corrective action plans (CAPs): what was found, why it happened, what will be done by whom
and when, what the affected workers get back, and how the change is verified.

A plan answers one or more findings (a risk signal, a grievance case, a questionnaire answer,
an engagement activity or a finding entered by hand). Findings keep a snapshot of the workers'
signal when the plan was opened, so that the comparison at verification is with the situation
the plan set out to change, not with a quarter the pulse survey's own answers have joined.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint as Check
from sqlalchemy import (
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Numeric,
    String,
    Table,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.audit import AuditEvent, trail_of
from portal.db import sql_list, utcnow
from portal.extensions import db
from portal.uploads import CONTENT_TYPES_SQL, StoredFileMixin

if TYPE_CHECKING:
    from portal.accounts.models import User
    from portal.suppliers.models import Site
    from portal.surveys.models import Campaign

SEVERITIES = ("critical", "major", "minor")
#: The workflow (docs/remediation.md); the allowed moves are ``services.TRANSITIONS``.
OPEN_STATUSES = ("draft", "agreed", "in_progress", "awaiting_verification")
STATUSES = (*OPEN_STATUSES, "verified", "closed_unverified")
FINDING_SOURCES = ("signal", "grievance", "saq", "activity", "manual")
#: Who carries out an action: the supplier, the buying company, an independent monitor, or a
#: named partner organisation (a union, an NGO offering services to victims...).
OWNER_KINDS = ("supplier", "buyer", "monitor", "partner")
ACTION_STATUSES = ("open", "in_progress", "done")
#: A supplier's root cause or action is a proposal until compliance accepts it.
PROPOSAL_STATES = ("proposed", "accepted", "returned")
EVIDENCE_KINDS = ("action", "remedy", "verification", "other")
EXTENSION_STATES = ("pending", "accepted", "refused")


#: Independent monitors named to verify a plan (monitors assigned to its site).
cap_verifiers = Table(
    "cap_verifiers",
    db.Model.metadata,
    Column("cap_id", ForeignKey("caps.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
)


class CorrectiveActionPlan(db.Model):
    __tablename__ = "caps"
    __table_args__ = (
        Check(f"status IN ({sql_list(STATUSES)})", name="status_known"),
        Check(f"severity IN ({sql_list(SEVERITIES)})", name="severity_known"),
        Check(
            f"root_cause_state IS NULL OR root_cause_state IN ({sql_list(PROPOSAL_STATES)})",
            name="root_cause_state_known",
        ),
        Check("remedy_amount IS NULL OR remedy_amount >= 0", name="remedy_amount_positive"),
        Check("remedy_workers IS NULL OR remedy_workers >= 0", name="remedy_workers_positive"),
        Check("remedy_currency IS NULL OR length(remedy_currency) = 3", name="currency_iso"),
        # A plan that ends without verification says why.
        Check("status <> 'closed_unverified' OR closing_note IS NOT NULL", name="reason_closed"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="RESTRICT"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    #: A key of ``SEVERITIES``, defaulting from the signal's band or the case's severity.
    severity: Mapped[str] = mapped_column(String(10))
    #: A key of ``STATUSES``.
    status: Mapped[str] = mapped_column(String(25), default="draft", index=True)
    status_changed_on: Mapped[date] = mapped_column(Date)
    #: What must change, in words the supplier reads (never a worker's words).
    summary: Mapped[str | None] = mapped_column(Text)
    root_cause: Mapped[str | None] = mapped_column(Text)
    #: ``proposed`` by the supplier, then ``accepted`` or ``returned`` by compliance; compliance's
    #: own root cause is accepted as written.
    root_cause_state: Mapped[str | None] = mapped_column(String(10))
    #: Why compliance returned the proposal.
    root_cause_comment: Mapped[str | None] = mapped_column(Text)
    #: The plan as a whole must be done by this day.
    due_on: Mapped[date] = mapped_column(Date, index=True)
    #: How the change will be checked (documents, a visit, the workers' pulse survey...).
    verification_plan: Mapped[str | None] = mapped_column(Text)
    #: Remedy for affected workers, for example recruitment fees repaid.
    remedy_description: Mapped[str | None] = mapped_column(Text)
    remedy_amount: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    #: ISO 4217, for example USD, MYR, THB.
    remedy_currency: Mapped[str | None] = mapped_column(String(3))
    remedy_workers: Mapped[int | None]
    #: The short campaign that asks the site's workers again about the plan's indicators.
    pulse_campaign_id: Mapped[int | None] = mapped_column(
        ForeignKey("campaigns.id", ondelete="SET NULL")
    )
    #: Set when the plan was verified while the workers' score was still high or critical.
    contradiction: Mapped[bool] = mapped_column(default=False)
    #: The verification statement, or why the plan was closed without verification.
    closing_note: Mapped[str | None] = mapped_column(Text)
    agreed_on: Mapped[date | None] = mapped_column(Date)
    verified_on: Mapped[date | None] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    site: Mapped[Site] = relationship()
    pulse_campaign: Mapped[Campaign | None] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    verifiers: Mapped[list[User]] = relationship(secondary=cap_verifiers, order_by="User.name")
    findings: Mapped[list[CapFinding]] = relationship(
        back_populates="cap", cascade="all, delete-orphan", order_by="CapFinding.id"
    )
    actions: Mapped[list[CapAction]] = relationship(
        back_populates="cap", cascade="all, delete-orphan", order_by="CapAction.id"
    )
    evidence: Mapped[list[CapEvidence]] = relationship(
        back_populates="cap", cascade="all, delete-orphan", order_by="CapEvidence.id"
    )
    extensions: Mapped[list[CapExtension]] = relationship(
        back_populates="cap", cascade="all, delete-orphan", order_by="CapExtension.id"
    )
    notes: Mapped[list[CapNote]] = relationship(
        back_populates="cap", cascade="all, delete-orphan", order_by="CapNote.id"
    )
    checks: Mapped[list[CapCheck]] = relationship(
        back_populates="cap", cascade="all, delete-orphan", order_by="CapCheck.id"
    )
    events: Mapped[list[AuditEvent]] = trail_of("cap", "CorrectiveActionPlan")

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def indicators(self) -> list[str]:
        return list(dict.fromkeys(finding.indicator for finding in self.findings))

    def __repr__(self) -> str:
        return f"<CAP {self.id} {self.status}>"


class CapFinding(db.Model):
    """One thing the plan answers, linked to where it was found."""

    __tablename__ = "cap_findings"
    __table_args__ = (Check(f"source IN ({sql_list(FINDING_SOURCES)})", name="source_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cap_id: Mapped[int] = mapped_column(ForeignKey("caps.id", ondelete="CASCADE"), index=True)
    #: A key of ``FINDING_SOURCES``.
    source: Mapped[str] = mapped_column(String(10))
    #: An indicator id of the catalogue, or FLX.
    indicator: Mapped[str] = mapped_column(String(8), index=True)
    stakeholder_group: Mapped[str] = mapped_column(String(20), default="workers")
    #: The quarter of the signal the finding came from.
    period: Mapped[str | None] = mapped_column(String(7))
    grievance_id: Mapped[int | None] = mapped_column(
        ForeignKey("grievances.id", ondelete="SET NULL"), index=True
    )
    response_id: Mapped[int | None] = mapped_column(ForeignKey("responses.id", ondelete="SET NULL"))
    #: The engagement activity where the finding came up (a focus group, a joint audit...).
    activity_id: Mapped[int | None] = mapped_column(
        ForeignKey("activities.id", ondelete="SET NULL"), index=True
    )
    #: The questionnaire question whose answer is the finding.
    question: Mapped[str | None] = mapped_column(String(64))
    #: The workers' signal when the plan was opened: the "before" of the verification.
    baseline_period: Mapped[str | None] = mapped_column(String(7))
    baseline_k: Mapped[int | None]
    baseline_n: Mapped[int | None]
    #: Staff-only context (never shown to the supplier).
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    cap: Mapped[CorrectiveActionPlan] = relationship(back_populates="findings")


class CapAction(db.Model):
    __tablename__ = "cap_actions"
    __table_args__ = (
        Check(f"owner_kind IN ({sql_list(OWNER_KINDS)})", name="owner_known"),
        Check(f"status IN ({sql_list(ACTION_STATUSES)})", name="status_known"),
        Check(f"state IN ({sql_list(PROPOSAL_STATES)})", name="state_known"),
        Check("status <> 'done' OR completed_on IS NOT NULL", name="done_dated"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cap_id: Mapped[int] = mapped_column(ForeignKey("caps.id", ondelete="CASCADE"), index=True)
    owner_kind: Mapped[str] = mapped_column(String(10))
    #: The person or organisation named as owner, when there is one.
    owner_name: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default="open")
    #: ``proposed`` (by the supplier), ``accepted`` or ``returned`` (by compliance).
    state: Mapped[str] = mapped_column(String(10), default="accepted")
    review_comment: Mapped[str | None] = mapped_column(Text)
    #: The latest progress update.
    progress_note: Mapped[str | None] = mapped_column(Text)
    completed_on: Mapped[date | None] = mapped_column(Date)
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    cap: Mapped[CorrectiveActionPlan] = relationship(back_populates="actions")


class CapEvidence(StoredFileMixin, db.Model):
    """A file attached to a plan (the rules of ``portal.uploads``)."""

    __tablename__ = "cap_evidence"
    __table_args__ = (
        Check(f"content_type IN ({CONTENT_TYPES_SQL})", name="type_allowed"),
        Check(f"kind IN ({sql_list(EVIDENCE_KINDS)})", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cap_id: Mapped[int] = mapped_column(ForeignKey("caps.id", ondelete="CASCADE"), index=True)
    action_id: Mapped[int | None] = mapped_column(ForeignKey("cap_actions.id", ondelete="SET NULL"))
    #: What the file proves: an action done, the remedy paid, the verification, other.
    kind: Mapped[str] = mapped_column(String(12), default="other")
    note: Mapped[str | None] = mapped_column(String(300))

    cap: Mapped[CorrectiveActionPlan] = relationship(back_populates="evidence")
    action: Mapped[CapAction | None] = relationship()
    uploaded_by: Mapped[User | None] = relationship()


class CapExtension(db.Model):
    """A request to move a due date (of the plan, or of one action), with its reason."""

    __tablename__ = "cap_extensions"
    __table_args__ = (
        Check(f"state IN ({sql_list(EXTENSION_STATES)})", name="state_known"),
        Check("requested_due_on > previous_due_on", name="later_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cap_id: Mapped[int] = mapped_column(ForeignKey("caps.id", ondelete="CASCADE"), index=True)
    action_id: Mapped[int | None] = mapped_column(ForeignKey("cap_actions.id", ondelete="CASCADE"))
    previous_due_on: Mapped[date] = mapped_column(Date)
    requested_due_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(10), default="pending")
    comment: Mapped[str | None] = mapped_column(Text)
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    cap: Mapped[CorrectiveActionPlan] = relationship(back_populates="extensions")
    action: Mapped[CapAction | None] = relationship()


class CapNote(db.Model):
    """A note on a plan. Monitors' and compliance's notes stay among staff unless shared; a
    supplier's notes are always visible to the supplier."""

    __tablename__ = "cap_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    cap_id: Mapped[int] = mapped_column(ForeignKey("caps.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    body: Mapped[str] = mapped_column(Text)
    #: Visible to the supplier's accounts.
    shared: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    cap: Mapped[CorrectiveActionPlan] = relationship(back_populates="notes")
    user: Mapped[User] = relationship()


class CapCheck(db.Model):
    """The before/after comparison of one indicator, frozen when the plan was verified or
    closed, so the page keeps showing what the decision was based on."""

    __tablename__ = "cap_checks"

    id: Mapped[int] = mapped_column(primary_key=True)
    cap_id: Mapped[int] = mapped_column(ForeignKey("caps.id", ondelete="CASCADE"), index=True)
    indicator: Mapped[str] = mapped_column(String(8))
    before_period: Mapped[str | None] = mapped_column(String(7))
    before_k: Mapped[int]
    before_n: Mapped[int]
    after_k: Mapped[int]
    after_n: Mapped[int]
    #: The baseline both were scored against.
    p0: Mapped[float] = mapped_column(Float)
    before_score: Mapped[float | None] = mapped_column(Float)
    after_score: Mapped[float | None] = mapped_column(Float)
    #: P(the rate after > the rate before).
    p_increase: Mapped[float | None] = mapped_column(Float)
    computed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    cap: Mapped[CorrectiveActionPlan] = relationship(back_populates="checks")
