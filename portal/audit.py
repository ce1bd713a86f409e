"""The audit log: one row per staff action on anything that must be accountable (a grievance
case, a corrective action plan, an engagement activity, a consultation, a report, a survey).

One table for every capability, keyed by ``subject`` (what kind of record) and ``subject_id``:
a capability records with :func:`record` and shows its trail with the ``audit_trail`` macro of
``templates/macros.html``. What an entry holds is the action and its old and new values, never
free text a reporter or a worker wrote (the records themselves keep that).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, DateTime, ForeignKey, Index, String, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import utcnow
from portal.extensions import db

if TYPE_CHECKING:
    from portal.accounts.models import User

#: The kinds of record that have an audit trail.
SUBJECTS = (
    "grievance",
    "cap",
    "activity",
    "partner",
    "consultation",
    "report",
    "target",
    "survey",
)


class AuditEvent(db.Model):
    """One staff action on one record."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_subject", "subject", "subject_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: A key of ``SUBJECTS``.
    subject: Mapped[str] = mapped_column(String(20))
    #: The id of the record in its own table.
    subject_id: Mapped[int]
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    #: What was done, for example ``status``, ``severity``, ``note``, ``evidence``.
    action: Mapped[str] = mapped_column(String(30))
    #: Old and new values (``from`` / ``to``) and other facts; no free text of reporters.
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    user: Mapped[User] = relationship()


def record(subject: str, subject_id: int, user, action: str, **detail) -> AuditEvent:
    """Add an entry to the session; it is committed with the change it describes."""
    if subject not in SUBJECTS:
        raise ValueError(f"unknown audit subject {subject!r}")
    event = AuditEvent(
        subject=subject, subject_id=subject_id, user_id=user.id, action=action, detail=detail
    )
    db.session.add(event)
    return event


def trail(subject: str, subject_id: int) -> list[AuditEvent]:
    stmt = (
        select(AuditEvent)
        .where(AuditEvent.subject == subject, AuditEvent.subject_id == subject_id)
        .order_by(AuditEvent.id)
    )
    return list(db.session.scalars(stmt))


def trail_of(subject: str, model_name: str):
    """A read-only relationship from a model to its audit entries, for example
    ``events = trail_of("grievance", "Grievance")`` in the class body."""
    return relationship(
        AuditEvent,
        primaryjoin=(
            f"and_(AuditEvent.subject == '{subject}', "
            f"foreign(AuditEvent.subject_id) == {model_name}.id)"
        ),
        order_by=AuditEvent.id,
        viewonly=True,
    )
