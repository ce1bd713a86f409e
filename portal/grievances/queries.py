"""Reads for grievances. Staff reads always go through ``portal.security.scoped``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import abort
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, false, or_, select
from sqlalchemy.orm import selectinload

from portal.accounts.models import User, monitor_sites
from portal.db import utcnow
from portal.extensions import db
from portal.forms import MAX_QUERY_INT
from portal.grievances import receipts
from portal.grievances.models import (
    CATEGORY_INDICATORS,
    OPEN_STATUSES,
    SEVERITIES,
    STAKEHOLDER_GROUPS,
    STATUSES,
    Grievance,
)
from portal.listing import Sort, contains, ranked
from portal.security import scoped
from portal.suppliers.models import Site, Supplier

#: The columns of the case list, each sortable; statuses in workflow order, severities from
#: critical down when sorted descending, cases without a site or handler last either way.
CASE_SORTS = {
    "case": Sort(_l("Case"), [Grievance.id], descending_first=True),
    "received": Sort(_l("Received"), [Grievance.received_on], descending_first=True),
    "site": Sort(
        _l("Site"), [select(Site.name).where(Site.id == Grievance.site_id).scalar_subquery()]
    ),
    "category": Sort(_l("Category"), [ranked(Grievance.category, list(CATEGORY_INDICATORS))]),
    "group": Sort(_l("Group"), [ranked(Grievance.stakeholder_group, STAKEHOLDER_GROUPS)]),
    "status": Sort(_l("Status"), [ranked(Grievance.status, STATUSES)]),
    "severity": Sort(
        _l("Severity"), [ranked(Grievance.severity, SEVERITIES)], descending_first=True
    ),
    "handler": Sort(
        _l("Handled by"),
        [select(User.name).where(User.id == Grievance.assignee_id).scalar_subquery()],
    ),
}


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
    #: A case number ("#12" or "12"), a site code, or part of a site or supplier name.
    q: str = ""


def _search(q: str):
    sites = (
        select(Site.id)
        .join(Supplier, Supplier.id == Site.supplier_id)
        .where(or_(Site.code == q.upper(), contains(Site.name, q), contains(Supplier.name, q)))
    )
    number = q.removeprefix("#").strip()
    by_number = number.isdigit() and int(number) <= MAX_QUERY_INT
    if q.startswith("#"):  # "#12" is case 12 and nothing else
        return Grievance.id == int(number) if by_number else false()
    matches = [Grievance.site_id.in_(sites), contains(Grievance.reported_place, q)]
    if by_number:
        matches.append(Grievance.id == int(number))
    return or_(*matches)


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
    if filters.q:
        stmt = stmt.where(_search(filters.q))
    return stmt


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
