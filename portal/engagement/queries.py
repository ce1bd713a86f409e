"""Reads of the engagement log. Compliance sees everything; a monitor the activities at its
assigned sites or with its own organisation, and the consultations put to its group at its
sites; a supplier the consultations put to suppliers at its sites. Admins see none of it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import abort
from sqlalchemy import Select, exists, false, or_, select
from sqlalchemy.orm import selectinload

from portal.engagement.models import (
    Activity,
    Consultation,
    EngagementTarget,
    Partner,
    activity_partners,
    activity_sites,
    consultation_sites,
)
from portal.extensions import db
from portal.suppliers.models import Site


def _monitor_site_ids(user) -> list[int]:
    return [site.id for site in user.sites]


def visible_activities(user) -> Select:
    stmt = select(Activity)
    role = getattr(user, "role", None)
    if role == "compliance":
        return stmt
    if role != "monitor":
        return stmt.where(false())
    at_site = exists().where(activity_sites.c.activity_id == Activity.id,
                             activity_sites.c.site_id.in_(_monitor_site_ids(user)))  # fmt: skip
    clauses = [at_site]
    if user.partner_id is not None:
        clauses.append(_with_partner(user.partner_id))
    return stmt.where(or_(*clauses))


def _with_partner(partner_id: int):
    return exists().where(
        activity_partners.c.activity_id == Activity.id,
        activity_partners.c.partner_id == partner_id,
    )


def activity_for(user, activity_id: int) -> Activity:
    stmt = (
        visible_activities(user)
        .where(Activity.id == activity_id)
        .options(selectinload(Activity.sites).selectinload(Site.supplier),
                 selectinload(Activity.partners), selectinload(Activity.participants),
                 selectinload(Activity.files))
    )  # fmt: skip
    return db.session.scalar(stmt) or abort(404)


@dataclass
class ActivityFilters:
    kind: str = ""
    group: str = ""
    area: str = ""
    site: int | None = None
    supplier: int | None = None
    country: str = ""
    partner: int | None = None
    start: date | None = None
    end: date | None = None

    def args(self) -> dict:
        values = {"kind": self.kind, "group": self.group, "area": self.area, "site": self.site,
                  "supplier": self.supplier, "country": self.country, "partner": self.partner,
                  "from": self.start.isoformat() if self.start else None,
                  "to": self.end.isoformat() if self.end else None}  # fmt: skip
        return {key: value for key, value in values.items() if value}


def _site_filters(site, supplier, country) -> list:
    filters = []
    if site:
        filters.append(Site.id == site)
    if supplier:
        filters.append(Site.supplier_id == supplier)
    if country:
        filters.append(Site.country == country)
    return filters


def activities(user, filters: ActivityFilters) -> Select:
    stmt = visible_activities(user)
    if filters.kind:
        stmt = stmt.where(Activity.kind == filters.kind)
    if filters.start:
        stmt = stmt.where(Activity.held_on >= filters.start)
    if filters.end:
        stmt = stmt.where(Activity.held_on <= filters.end)
    if filters.site or filters.supplier or filters.country:
        at_site = exists().where(
            activity_sites.c.activity_id == Activity.id,
            activity_sites.c.site_id.in_(
                select(Site.id).where(*_site_filters(filters.site, filters.supplier,
                                                     filters.country))),
        )  # fmt: skip
        if filters.country and not (filters.site or filters.supplier):
            # An activity with no site (a government review, say) counts in its countries
            # (checked in ``filter_json``: the countries are a JSON list).
            no_site = ~exists().where(activity_sites.c.activity_id == Activity.id)
            stmt = stmt.where(or_(at_site, no_site))
        else:
            stmt = stmt.where(at_site)
    if filters.partner:
        stmt = stmt.where(_with_partner(filters.partner))
    stmt = stmt.order_by(Activity.held_on.desc(), Activity.id.desc())
    return stmt


def filter_json(rows, filters: ActivityFilters):
    """Groups, areas and the countries of activities with no site live in JSON lists, so they
    are filtered here (the same on SQLite and PostgreSQL)."""
    return [
        row for row in rows
        if (not filters.group or filters.group in row.groups)
        and (not filters.area or filters.area in row.areas)
        and (not filters.country or row.sites or filters.country in row.countries)
    ]  # fmt: skip


def partners() -> list[Partner]:
    stmt = select(Partner).options(selectinload(Partner.sites), selectinload(Partner.members))
    return list(db.session.scalars(stmt.order_by(Partner.active.desc(), Partner.name)))


def partner_or_404(partner_id: int) -> Partner:
    return db.session.get(Partner, partner_id) or abort(404)


# --- consultations ----------------------------------------------------------------------------


def visible_consultations(user) -> Select:
    """Compliance: all. Suppliers and monitors: consultations past the draft stage, put to
    their group, at one of their sites."""
    from portal.engagement.consult import signed_in_group

    stmt = select(Consultation)
    role = getattr(user, "role", None)
    if role == "compliance":
        return stmt
    group = signed_in_group(user)
    if group is None:
        return stmt.where(false())
    if role == "supplier":
        site_ids = select(Site.id).where(Site.supplier_id == user.supplier_id)
    else:
        site_ids = _monitor_site_ids(user)
    at_site = exists().where(consultation_sites.c.consultation_id == Consultation.id,
                             consultation_sites.c.site_id.in_(site_ids))  # fmt: skip
    stmt = stmt.where(Consultation.status != "draft", at_site)
    return stmt


def consultations_for(user) -> list[Consultation]:
    from portal.engagement.consult import signed_in_group

    rows = db.session.scalars(visible_consultations(user).order_by(Consultation.id.desc()))
    group = signed_in_group(user)
    if getattr(user, "role", None) == "compliance":
        return list(rows)
    return [row for row in rows if group in row.groups]


def consultation_for(user, consultation_id: int) -> Consultation:
    for consultation in db.session.scalars(
        visible_consultations(user).where(Consultation.id == consultation_id)
    ):
        if user.role == "compliance" or _put_to(consultation, user):
            return consultation
    abort(404)


def _put_to(consultation, user) -> bool:
    from portal.engagement.consult import signed_in_group

    return signed_in_group(user) in consultation.groups


def my_sites_in(consultation: Consultation, user) -> list[Site]:
    """The consultation's sites the signed-in supplier or monitor speaks for."""
    if user.role == "supplier":
        return [site for site in consultation.sites if site.supplier_id == user.supplier_id]
    if user.role == "monitor":
        mine = set(_monitor_site_ids(user))
        return [site for site in consultation.sites if site.id in mine]
    return list(consultation.sites)


def published(consultation_id: int) -> Consultation:
    consultation = db.session.get(Consultation, consultation_id)
    if consultation is None or consultation.status != "published":
        abort(404)
    return consultation


def targets(year: int) -> list[EngagementTarget]:
    stmt = select(EngagementTarget).where(EngagementTarget.year == year)
    return list(db.session.scalars(stmt.order_by(EngagementTarget.due_on, EngagementTarget.id)))


def site_history(site, user, limit: int = 20) -> tuple[list[Activity], list[Consultation]]:
    """What happened at one site, newest first, as ``user`` may see it."""
    at_site = activity_sites.c.site_id == site.id
    stmt = visible_activities(user).where(
        exists().where(activity_sites.c.activity_id == Activity.id, at_site)
    )
    found = list(db.session.scalars(stmt.order_by(Activity.held_on.desc()).limit(limit)))
    consultations = [
        c for c in consultations_for(user)
        if any(s.id == site.id for s in c.sites) and c.status != "draft"
    ]  # fmt: skip
    return found, consultations
