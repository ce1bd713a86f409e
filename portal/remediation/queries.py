"""Reads for corrective action plans; every staff read goes through ``portal.security.scoped``
(compliance all plans, a supplier its own sites' plans, a monitor its assigned sites' plans)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from flask import abort
from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.remediation.models import (
    OPEN_STATUSES,
    CapAction,
    CapExtension,
    CapFinding,
    CorrectiveActionPlan,
)
from portal.security import scoped
from portal.suppliers.models import Site

READERS = ("compliance", "supplier", "monitor")


def visible(user) -> Select:
    stmt = select(CorrectiveActionPlan)
    if getattr(user, "role", None) not in READERS:
        return stmt.where(False)
    return scoped(stmt, user, site_id=CorrectiveActionPlan.site_id)


def cap_for(user, cap_id: int) -> CorrectiveActionPlan:
    """The plan if ``user`` may see it; 404 otherwise (never reveal that it exists)."""
    stmt = (
        visible(user)
        .where(CorrectiveActionPlan.id == cap_id)
        .options(
            selectinload(CorrectiveActionPlan.site).selectinload(Site.supplier),
            selectinload(CorrectiveActionPlan.findings),
            selectinload(CorrectiveActionPlan.actions),
            selectinload(CorrectiveActionPlan.evidence),
            selectinload(CorrectiveActionPlan.extensions),
            selectinload(CorrectiveActionPlan.notes),
            selectinload(CorrectiveActionPlan.checks),
            selectinload(CorrectiveActionPlan.verifiers),
        )
    )
    return db.session.scalar(stmt) or abort(404)


def overdue_clause(today: date):
    """An open plan past its due date, or with an agreed action past its own."""
    late_action = exists().where(
        CapAction.cap_id == CorrectiveActionPlan.id,
        CapAction.state == "accepted",
        CapAction.status != "done",
        CapAction.due_on < today,
    )
    return and_(
        CorrectiveActionPlan.status.in_(OPEN_STATUSES),
        or_(CorrectiveActionPlan.due_on < today, late_action),
    )


def is_overdue(cap: CorrectiveActionPlan, today: date) -> bool:
    return cap.is_open and (cap.due_on < today or bool(overdue_actions(cap, today)))


def overdue_actions(cap: CorrectiveActionPlan, today: date) -> list[CapAction]:
    if not cap.is_open:
        return []
    return [a for a in cap.actions if a.state == "accepted" and a.status != "done"
            and a.due_on < today]  # fmt: skip


@dataclass
class RegisterFilters:
    supplier: int | None = None
    site: int | None = None
    indicator: str = ""
    status: str = ""  # a status, "open", or "" for all
    overdue: bool = False
    #: Only plans with a proposal or an extension request waiting for compliance.
    pending: bool = False

    def args(self) -> dict:
        values = {"supplier": self.supplier, "site": self.site, "indicator": self.indicator,
                  "status": self.status, "overdue": "1" if self.overdue else None,
                  "pending": "1" if self.pending else None}  # fmt: skip
        return {key: value for key, value in values.items() if value not in ("", None)}


def register(user, filters: RegisterFilters, today: date) -> Select:
    stmt = visible(user).options(
        selectinload(CorrectiveActionPlan.site).selectinload(Site.supplier),
        selectinload(CorrectiveActionPlan.findings),
        selectinload(CorrectiveActionPlan.actions),
    )
    if filters.site:
        stmt = stmt.where(CorrectiveActionPlan.site_id == filters.site)
    if filters.supplier:
        stmt = stmt.where(
            CorrectiveActionPlan.site_id.in_(
                select(Site.id).where(Site.supplier_id == filters.supplier)
            )
        )
    if filters.indicator:
        stmt = stmt.where(
            CorrectiveActionPlan.id.in_(
                select(CapFinding.cap_id).where(CapFinding.indicator == filters.indicator)
            )
        )
    if filters.status == "open":
        stmt = stmt.where(CorrectiveActionPlan.status.in_(OPEN_STATUSES))
    elif filters.status:
        stmt = stmt.where(CorrectiveActionPlan.status == filters.status)
    if filters.overdue:
        stmt = stmt.where(overdue_clause(today))
    if filters.pending:
        stmt = stmt.where(_has_pending_review())
    return stmt.order_by(CorrectiveActionPlan.id.desc())


def counts(user, site_ids, today: date) -> dict[str, int]:
    """Open, overdue and awaiting-verification plans at these sites, for the overview."""
    base = visible(user).where(CorrectiveActionPlan.site_id.in_(site_ids))

    def count(stmt) -> int:
        return db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0

    return {
        "open": count(base.where(CorrectiveActionPlan.status.in_(OPEN_STATUSES))),
        "overdue": count(base.where(overdue_clause(today))),
        "awaiting": count(base.where(CorrectiveActionPlan.status == "awaiting_verification")),
        "pending": count(base.where(_has_pending_review())),
    }


def _has_pending_review():
    """A proposal or an extension request waiting for compliance."""
    return or_(
        CorrectiveActionPlan.root_cause_state == "proposed",
        CorrectiveActionPlan.id.in_(select(CapAction.cap_id).where(CapAction.state == "proposed")),
        CorrectiveActionPlan.id.in_(
            select(CapExtension.cap_id).where(CapExtension.state == "pending")
        ),
    )


#: Which mark a signal shows when several plans answer it: the most urgent.
MARK_ORDER = ("overdue", "open", "verified")


def marks(site_ids, group: str, today: date) -> dict[tuple[int, str], str]:
    """(site, indicator) → ``overdue``, ``open`` or ``verified``: the plans behind signals,
    for the heatmap and the site page (closed-unverified plans leave no mark)."""
    if not site_ids:
        return {}
    overdue = overdue_clause(today)
    stmt = (
        select(CorrectiveActionPlan.site_id, CapFinding.indicator, CorrectiveActionPlan.status,
               overdue.label("late"))
        .join(CapFinding, CapFinding.cap_id == CorrectiveActionPlan.id)
        .where(CorrectiveActionPlan.site_id.in_(site_ids), CapFinding.stakeholder_group == group,
               CorrectiveActionPlan.status != "closed_unverified")
    )  # fmt: skip
    found: dict[tuple[int, str], str] = {}
    for site_id, indicator, status, late in db.session.execute(stmt):
        mark = "overdue" if late else ("verified" if status == "verified" else "open")
        key = (site_id, indicator)
        if key not in found or MARK_ORDER.index(mark) < MARK_ORDER.index(found[key]):
            found[key] = mark
    return found


def case_plan_states(site_ids) -> dict[int, set[str]]:
    """grievance id → statuses of the plans that answer it (for the risk overrides)."""
    stmt = (
        select(CapFinding.grievance_id, CorrectiveActionPlan.status)
        .join(CorrectiveActionPlan, CorrectiveActionPlan.id == CapFinding.cap_id)
        .where(CapFinding.grievance_id.is_not(None), CorrectiveActionPlan.site_id.in_(site_ids))
    )
    states: dict[int, set[str]] = defaultdict(set)
    for grievance_id, status in db.session.execute(stmt):
        states[grievance_id].add(status)
    return states


def unverified_case_ids():
    """Cases answered by a plan that is not verified: their override holds however old."""
    return (
        select(CapFinding.grievance_id)
        .join(CorrectiveActionPlan, CorrectiveActionPlan.id == CapFinding.cap_id)
        .where(CapFinding.grievance_id.is_not(None), CorrectiveActionPlan.status != "verified")
    )


def plans_for_case(grievance_id: int) -> list[CorrectiveActionPlan]:
    stmt = (
        select(CorrectiveActionPlan)
        .where(CorrectiveActionPlan.id.in_(
            select(CapFinding.cap_id).where(CapFinding.grievance_id == grievance_id)))
        .order_by(CorrectiveActionPlan.id)
    )  # fmt: skip
    return list(db.session.scalars(stmt))


def reporter_view(grievance_id: int) -> str | None:
    """What the reporter of a case may learn of its remediation: ``verified`` when every plan
    answering it is verified, ``under_way`` while one is open, else nothing."""
    statuses = {plan.status for plan in plans_for_case(grievance_id)}
    statuses.discard("closed_unverified")
    if not statuses:
        return None
    return "verified" if statuses == {"verified"} else "under_way"


def overdue_plans(today: date) -> list[CorrectiveActionPlan]:
    stmt = (
        select(CorrectiveActionPlan)
        .where(overdue_clause(today))
        .options(
            selectinload(CorrectiveActionPlan.site).selectinload(Site.supplier),
            selectinload(CorrectiveActionPlan.actions),
        )
        .order_by(CorrectiveActionPlan.due_on, CorrectiveActionPlan.id)
    )
    return list(db.session.scalars(stmt))
