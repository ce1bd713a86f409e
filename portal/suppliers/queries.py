"""Reads for suppliers and sites, always through ``portal.security.scoped``."""

from __future__ import annotations

from flask import abort
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import contains_eager

from portal.extensions import db
from portal.listing import Sort, contains
from portal.security import scoped
from portal.suppliers.models import Site, Supplier

_SITE_COUNT = func.count(Site.id)
_HEADCOUNT = func.coalesce(func.sum(Site.headcount), 0)


def visible_sites(user, *, supplier_id: int | None = None, limit: int | None = None) -> list[Site]:
    stmt = select(Site).options(contains_eager(Site.supplier)).join(Site.supplier)
    stmt = scoped(stmt, user, site_id=Site.id, supplier_id=Site.supplier_id)
    if supplier_id is not None:
        stmt = stmt.where(Site.supplier_id == supplier_id)
    return list(db.session.scalars(stmt.order_by(Supplier.name, Site.name).limit(limit)))


def filter_names(user, *, site: int | None, supplier: int | None) -> dict[str, str | None]:
    """The names of a site and a supplier chosen as list filters, None where not visible."""
    names: dict[str, str | None] = {"site": None, "supplier": None}
    if site:
        stmt = scoped(select(Site.name).where(Site.id == site), user, site_id=Site.id)
        names["site"] = db.session.scalar(stmt)
    if supplier:
        stmt = select(Supplier.name).where(Supplier.id == supplier)
        names["supplier"] = db.session.scalar(scoped(stmt, user, supplier_id=Supplier.id))
    return names


def site_for(user, site_id: int) -> Site:
    """The site if ``user`` may see it; 404 otherwise (never reveal that it exists)."""
    stmt = scoped(select(Site).where(Site.id == site_id), user, site_id=Site.id)
    return db.session.scalar(stmt) or abort(404)


#: The columns of the supplier list; counts sort largest first.
SUPPLIER_SORTS = {
    "name": Sort(_l("Supplier"), [Supplier.name]),
    "country": Sort(_l("Country"), [Supplier.country, Supplier.name]),
    "sites": Sort(_l("Sites"), [_SITE_COUNT], descending_first=True),
    "workers": Sort(_l("Workers"), [_HEADCOUNT], descending_first=True),
}

#: The columns of the site list.
SITE_SORTS = {
    "site": Sort(_l("Site"), [Site.name]),
    "supplier": Sort(_l("Supplier"), [Supplier.name, Site.name]),
    "country": Sort(_l("Country"), [Site.country, Site.name]),
    "sector": Sort(_l("Sector"), [Site.sector, Site.name]),
    "workers": Sort(_l("Workers"), [Site.headcount], descending_first=True),
    "code": Sort(_l("Code"), [Site.code]),
}


def _supplier_rows(user) -> Select:
    """(supplier, number of sites, total headcount) for the suppliers the user sees."""
    stmt = (
        select(Supplier, _SITE_COUNT, _HEADCOUNT)
        .outerjoin(Site, Site.supplier_id == Supplier.id)
        .group_by(Supplier.id)
    )
    return scoped(stmt, user, supplier_id=Supplier.id)


def visible_suppliers(user) -> list[tuple[Supplier, int, int]]:
    """Every supplier row, sorted by name (the home page)."""
    rows = db.session.execute(_supplier_rows(user).order_by(Supplier.name))
    return [tuple(row) for row in rows]


def supplier_list(user, listing) -> Select:
    """Supplier rows searched by name, in the listing's order (the supplier list)."""
    stmt = _supplier_rows(user)
    if listing.q:
        stmt = stmt.where(contains(Supplier.name, listing.q))
    return listing.order(stmt, Supplier.id)


def site_list(user, q: str = "", *, supplier=None, country="", sector="") -> Select:
    """Sites the user sees, with their supplier loaded; ``q`` is part of a site or supplier
    name, or a site code."""
    stmt = select(Site).join(Site.supplier).options(contains_eager(Site.supplier))
    stmt = scoped(stmt, user, site_id=Site.id, supplier_id=Site.supplier_id)
    if q:
        stmt = stmt.where(
            or_(contains(Site.name, q), Site.code == q.upper(), contains(Supplier.name, q))
        )
    if country:
        stmt = stmt.where(Site.country == country.upper())
    if sector:
        stmt = stmt.where(Site.sector == sector)
    if supplier:
        stmt = stmt.where(Site.supplier_id == supplier)
    return stmt


def supplier_for(user, supplier_id: int) -> Supplier:
    stmt = scoped(select(Supplier).where(Supplier.id == supplier_id), user, supplier_id=Supplier.id)
    return db.session.scalar(stmt) or abort(404)


def all_suppliers() -> list[Supplier]:
    return list(db.session.scalars(select(Supplier).order_by(Supplier.name)))


def site_by_code(code: str) -> Site | None:
    return db.session.scalar(select(Site).where(Site.code == code))
