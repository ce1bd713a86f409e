"""Grievance cases and their message threads (staff actions go to ``portal.audit``).

What is stored about a reporter is deliberately little (docs/grievances.md): no address, no
device, no account; the receipt only as an HMAC; dates, not times, for everything the reporter
does; a call-back contact only if they ask for one, and then encrypted.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Date, DateTime, ForeignKey, String, Text
from sqlalchemy import CheckConstraint as Check
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.audit import AuditEvent, trail_of
from portal.db import sql_list
from portal.extensions import db

if TYPE_CHECKING:
    from portal.accounts.models import User
    from portal.suppliers.models import Site

#: Who the reporter says they are → the stakeholder group (DESIGN §2) the case counts under.
REPORTER_GROUPS: dict[str, str] = {
    "worker": "workers",
    "worker_rep": "workers",
    "supplier_staff": "suppliers",
    "community": "communities",
    "ngo": "ngos",
    "other": "other",
}
STAKEHOLDER_GROUPS = tuple(dict.fromkeys(REPORTER_GROUPS.values()))

#: Category → indicator of DESIGN §6 (None: no indicator; staff may tag one later).
CATEGORY_INDICATORS: dict[str, str | None] = {
    "wages": "FL04",
    "hours": "FL09",
    "documents": "FL03",
    "fees_debt": "FL02",
    "violence": "FL07",
    "threats": "FL08",
    "movement": "FL05",
    "child_labour": "CL01",
    "safety": "OSH01",
    "discrimination": "ND01",
    "union": "FA01",
    "housing": "FL10",
    # The buying company's purchasing practices, reported by a supplier's staff. Order changes
    # and prices below cost are the usual drivers of excessive overtime; late payment is a
    # root cause to fix, not evidence about the workers' conditions, so it carries no indicator.
    "late_payment": None,
    "order_changes": "FL09",
    "low_prices": "FL09",
    "other": None,
}

INDICATORS = (
    "FL01", "FL02", "FL03", "FL04", "FL05", "FL06", "FL07", "FL08", "FL09", "FL10", "FL11",
    "CL01", "CL02", "FA01", "ND01", "OSH01", "GV01",
)  # fmt: skip

#: The workflow, in order; ``rejected`` and ``duplicate`` end a case with a reason.
OPEN_STATUSES = ("new", "acknowledged", "investigating", "action_planned")
STATUSES = (*OPEN_STATUSES, "resolved", "closed", "rejected", "duplicate")
SEVERITIES = ("low", "medium", "high", "critical")
OTHERS_AFFECTED = ("only_me", "some", "many", "dont_know")
SATISFACTION = ("satisfied", "partly", "not_satisfied")
MESSAGE_AUTHORS = ("reporter", "staff", "system")


_GROUP_PAIRS = " OR ".join(
    f"(reporter = '{reporter}' AND stakeholder_group = '{group}')"
    for reporter, group in REPORTER_GROUPS.items()
)


class Grievance(db.Model):
    """One case raised through the anonymous channel."""

    __tablename__ = "grievances"
    __table_args__ = (
        Check(_GROUP_PAIRS, name="reporter_group"),
        Check(f"category IN ({sql_list(CATEGORY_INDICATORS)})", name="category_known"),
        Check(f"status IN ({sql_list(STATUSES)})", name="status_known"),
        Check(f"severity IS NULL OR severity IN ({sql_list(SEVERITIES)})", name="severity_known"),
        Check(
            f"others_affected IS NULL OR others_affected IN ({sql_list(OTHERS_AFFECTED)})",
            name="others_affected_known",
        ),
        Check(
            f"satisfaction IS NULL OR satisfaction IN ({sql_list(SATISFACTION)})",
            name="satisfaction_known",
        ),
        # A case that ends without an outcome says why.
        Check(
            "status NOT IN ('rejected', 'duplicate') OR status_reason IS NOT NULL",
            name="reason_when_rejected",
        ),
        # A case from the general entry names the place in words until staff link a site.
        Check("site_id IS NOT NULL OR reported_place IS NOT NULL", name="site_or_place"),
        Check("length(receipt_hmac) = 64", name="receipt_hmac_length"),
        Check("satisfaction IS NULL OR satisfaction_on IS NOT NULL", name="satisfaction_dated"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Set from the site page's link, or later by compliance for the general entry.
    site_id: Mapped[int | None] = mapped_column(
        ForeignKey("sites.id", ondelete="RESTRICT"), index=True
    )
    #: Facility and place in the reporter's words (general entry, no site code).
    reported_place: Mapped[str | None] = mapped_column(String(300))
    #: Who the reporter says they are: a key of ``REPORTER_GROUPS``.
    reporter: Mapped[str] = mapped_column(String(20))
    #: The stakeholder group the case counts under in risk signals (derived from ``reporter``).
    stakeholder_group: Mapped[str] = mapped_column(String(20), index=True)
    #: A key of ``CATEGORY_INDICATORS``.
    category: Mapped[str] = mapped_column(String(20), index=True)
    #: What happened, in the reporter's words.
    description: Mapped[str] = mapped_column(Text)
    #: Optional, free text ("since March", "night shift").
    occurred_when: Mapped[str | None] = mapped_column(String(200))
    occurred_where: Mapped[str | None] = mapped_column(String(200))
    #: A key of ``OTHERS_AFFECTED``, or None when the reporter did not say.
    others_affected: Mapped[str | None] = mapped_column(String(20))
    #: Fernet token of the call-back contact; only the assigned handler may decrypt it.
    contact_encrypted: Mapped[str | None] = mapped_column(Text)
    #: The language the reporter used; acknowledgements are written in it.
    language: Mapped[str] = mapped_column(String(10))
    #: HMAC-SHA256 (hex) of the receipt number; the number itself is never stored.
    receipt_hmac: Mapped[str] = mapped_column(String(64), unique=True)

    #: The day the report arrived: anonymous submissions are stored to the day (DESIGN §8).
    received_on: Mapped[date] = mapped_column(Date, index=True)
    #: Start of the staff deadline clock: the intake time truncated to the hour, never shown
    #: to the reporter (see docs/grievances.md for why an hour and not a day).
    clock_started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    acknowledge_due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    resolve_due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    #: A key of ``STATUSES``.
    status: Mapped[str] = mapped_column(String(20), default="new", index=True)
    #: The day of the last status change (what the reporter sees next to the status).
    status_changed_on: Mapped[date] = mapped_column(Date)
    #: Why a case was rejected or marked duplicate (staff only).
    status_reason: Mapped[str | None] = mapped_column(Text)
    duplicate_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("grievances.id", ondelete="SET NULL")
    )
    #: A key of ``SEVERITIES``; None until someone assesses the case.
    severity: Mapped[str | None] = mapped_column(String(10), index=True)
    #: Indicator ids of DESIGN §6 (starts with the category's indicator).
    indicators: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: The compliance or monitor user handling the case.
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    #: Set when the case first appears in a new-case digest, so each case is announced once.
    notified_on: Mapped[date | None] = mapped_column(Date)

    #: After closure the reporter may say whether the outcome was satisfactory.
    satisfaction: Mapped[str | None] = mapped_column(String(20))
    satisfaction_on: Mapped[date | None] = mapped_column(Date)

    #: Transparency (UNGP 31 e): whether the reporter has opened the case since its last status
    #: change, how many changes staff made, and how many were superseded before the reporter
    #: saw them. Flags and counts only: never when the reporter looked.
    status_seen: Mapped[bool] = mapped_column(default=True)
    status_changes: Mapped[int] = mapped_column(default=0)
    changes_missed: Mapped[int] = mapped_column(default=0)

    site: Mapped[Site | None] = relationship()
    assignee: Mapped[User | None] = relationship()
    messages: Mapped[list[GrievanceMessage]] = relationship(
        back_populates="grievance",
        order_by="GrievanceMessage.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    #: The audit log of staff actions on the case (``portal.audit``).
    events: Mapped[list[AuditEvent]] = trail_of("grievance", "Grievance")

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def __repr__(self) -> str:
        return f"<Grievance {self.id} {self.status}>"


class GrievanceMessage(db.Model):
    """One entry of a case thread: reporter ↔ handler, or an internal staff note."""

    __tablename__ = "grievance_messages"
    __table_args__ = (
        Check(f"author IN ({sql_list(MESSAGE_AUTHORS)})", name="author_known"),
        # Staff entries name their author; the reporter and the system never have a user.
        Check(
            "(author = 'staff' AND user_id IS NOT NULL) OR (author <> 'staff' AND user_id IS NULL)",
            name="staff_author",
        ),
        # Only staff write internal notes; the reporter never sees them.
        Check("NOT internal OR author = 'staff'", name="internal_by_staff"),
        # What the reporter writes is dated to the day, never timed.
        Check("author <> 'reporter' OR created_at IS NULL", name="reporter_untimed"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    grievance_id: Mapped[int] = mapped_column(
        ForeignKey("grievances.id", ondelete="CASCADE"), index=True
    )
    #: ``reporter``, ``staff`` or ``system`` (the automatic acknowledgement).
    author: Mapped[str] = mapped_column(String(10))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    #: An internal note: never shown to the reporter.
    internal: Mapped[bool] = mapped_column(default=False)
    body: Mapped[str] = mapped_column(Text)
    #: The day it was written (all the reporter ever sees).
    created_on: Mapped[date] = mapped_column(Date)
    #: Exact time, for staff entries only.
    created_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    grievance: Mapped[Grievance] = relationship(back_populates="messages")
    user: Mapped[User | None] = relationship()
