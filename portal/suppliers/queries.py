"""Reads for suppliers and sites, always through ``portal.security.scoped``."""

from __future__ import annotations

from flask import abort
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.security import scoped
from portal.suppliers.models import Site, Supplier


def visible_sites(user, *, supplier_id: int | None = None) -> list[Site]:
    stmt = select(Site).options(selectinload(Site.supplier)).join(Site.supplier)
    stmt = scoped(stmt, user, site_id=Site.id, supplier_id=Site.supplier_id)
    if supplier_id is not None:
        stmt = stmt.where(Site.supplier_id == supplier_id)
    return list(db.session.scalars(stmt.order_by(Supplier.name, Site.name)))


def site_for(user, site_id: int) -> Site:
    """The site if ``user`` may see it; 404 otherwise (never reveal that it exists)."""
    stmt = scoped(select(Site).where(Site.id == site_id), user, site_id=Site.id)
    return db.session.scalar(stmt) or abort(404)


def visible_suppliers(user) -> list[tuple[Supplier, int, int]]:
    """(supplier, number of sites, total headcount), sorted by name."""
    stmt = (
        select(Supplier, func.count(Site.id), func.coalesce(func.sum(Site.headcount), 0))
        .outerjoin(Site, Site.supplier_id == Supplier.id)
        .group_by(Supplier.id)
        .order_by(Supplier.name)
    )
    stmt = scoped(stmt, user, supplier_id=Supplier.id)
    return [tuple(row) for row in db.session.execute(stmt)]


def supplier_for(user, supplier_id: int) -> Supplier:
    stmt = scoped(select(Supplier).where(Supplier.id == supplier_id), user, supplier_id=Supplier.id)
    return db.session.scalar(stmt) or abort(404)


def all_suppliers() -> list[Supplier]:
    return list(db.session.scalars(select(Supplier).order_by(Supplier.name)))


def site_by_code(code: str) -> Site | None:
    return db.session.scalar(select(Site).where(Site.code == code))
