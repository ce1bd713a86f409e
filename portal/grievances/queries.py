"""Reads for grievances. Staff reads always go through ``portal.security.scoped``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import abort
from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import selectinload

from portal.accounts.models import User, monitor_sites
from portal.db import utcnow
from portal.extensions import db
from portal.grievances import receipts
from portal.grievances.models import OPEN_STATUSES, Grievance
from portal.security import scoped
from portal.suppliers.models import Site


def by_receipt(receipt: str) -> Grievance | None:
    """The case for a (normalised, check-digit-valid) receipt, or None."""
    stmt = select(Grievance).where(Grievance.receipt_hmac == receipts.receipt_hmac(receipt))
    return db.session.scalar(stmt)


def overdue_clause(now: datetime):
    """SQL form of ``services.overdue_reason``: a deadline passed and the case is still open."""
    return or_(
        and_(Grievance.status == "new", Grievance.acknowledge_due_at < now),
        and_(Grievance.status.in_(OPEN_STATUSES), Grievance.resolve_due_at < now),
    )


def visible(user) -> Select:
    """Cases ``user`` may see: compliance all, monitors their sites' cases, others none.

    Supplier accounts are excluded here as well as by the routes' roles: suppliers never see
    grievances, whatever ``scoped`` would grant them for their own sites.
    """
    stmt = select(Grievance)
    if getattr(user, "role", None) not in ("compliance", "monitor"):
        return stmt.where(False)
    return scoped(stmt, user, site_id=Grievance.site_id)


def case_for(user, case_id: int) -> Grievance:
    """The case if ``user`` may see it; 404 otherwise (never reveal that it exists)."""
    stmt = visible(user).where(Grievance.id == case_id)
    stmt = stmt.options(selectinload(Grievance.messages), selectinload(Grievance.events))
    return db.session.scalar(stmt) or abort(404)


@dataclass
class CaseFilters:
    site: int | None = None
    supplier: int | None = None
    category: str = ""
    status: str = ""  # a status, "open", or "" for all
    severity: str = ""  # a severity, "none" (not assessed) or ""
    overdue: bool = False
    assigned_to_me: bool = False


def case_list(user, filters: CaseFilters, now: datetime | None = None) -> Select:
    now = now or utcnow()
    stmt = visible(user).options(
        selectinload(Grievance.site).selectinload(Site.supplier),
        selectinload(Grievance.assignee),
    )
    if filters.site:
        stmt = stmt.where(Grievance.site_id == filters.site)
    if filters.supplier:
        stmt = stmt.where(
            Grievance.site_id.in_(select(Site.id).where(Site.supplier_id == filters.supplier))
        )
    if filters.category:
        stmt = stmt.where(Grievance.category == filters.category)
    if filters.status == "open":
        stmt = stmt.where(Grievance.status.in_(OPEN_STATUSES))
    elif filters.status:
        stmt = stmt.where(Grievance.status == filters.status)
    if filters.severity == "none":
        stmt = stmt.where(Grievance.severity.is_(None))
    elif filters.severity:
        stmt = stmt.where(Grievance.severity == filters.severity)
    if filters.overdue:
        stmt = stmt.where(overdue_clause(now))
    if filters.assigned_to_me:
        stmt = stmt.where(Grievance.assignee_id == user.id)
    return stmt.order_by(Grievance.id.desc())


def assignable_users(grievance: Grievance) -> list[User]:
    """Active compliance users, and active monitors assigned to the case's site."""
    who = User.role == "compliance"
    if grievance.site_id is not None:
        monitors = select(monitor_sites.c.user_id).where(
            monitor_sites.c.site_id == grievance.site_id
        )
        who = or_(who, and_(User.role == "monitor", User.id.in_(monitors)))
    stmt = select(User).where(User.active.is_(True), who).order_by(User.name, User.email)
    return list(db.session.scalars(stmt))


def cases_to_announce() -> list[Grievance]:
    """New cases not yet in a new-case digest."""
    stmt = select(Grievance).where(Grievance.notified_on.is_(None)).order_by(Grievance.id)
    return list(db.session.scalars(stmt.options(selectinload(Grievance.site))))


def overdue_cases(now: datetime | None = None) -> list[Grievance]:
    stmt = select(Grievance).where(overdue_clause(now or utcnow())).order_by(Grievance.id)
    stmt = stmt.options(selectinload(Grievance.site), selectinload(Grievance.assignee))
    return list(db.session.scalars(stmt))
