"""Suppliers and their sites (facilities)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Date, DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy import CheckConstraint as Check
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import utcnow
from portal.extensions import db

if TYPE_CHECKING:
    from portal.accounts.models import User


class Supplier(db.Model):
    """A company that runs one or more sites for the buying company."""

    __tablename__ = "suppliers"
    __table_args__ = (Check("length(country) = 2", name="country_iso2"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    #: Country of registration, ISO 3166-1 alpha-2.
    country: Mapped[str] = mapped_column(String(2))
    #: Who the compliance team talks to at the supplier (staff-only information).
    contact_name: Mapped[str | None] = mapped_column(String(120))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    sites: Mapped[list[Site]] = relationship(
        back_populates="supplier", order_by="Site.name", passive_deletes=True
    )
    users: Mapped[list[User]] = relationship(back_populates="supplier")

    def __repr__(self) -> str:
        return f"<Supplier {self.name}>"


class Site(db.Model):
    """One facility of a supplier: factory, farm, dormitory."""

    __tablename__ = "sites"
    __table_args__ = (
        UniqueConstraint("supplier_id", "name", name="uq_sites_supplier_name"),
        Check("length(code) = 5", name="code_length"),
        Check("length(country) = 2", name="country_iso2"),
        Check("headcount >= 0", name="headcount_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(
        ForeignKey("suppliers.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    #: Public short code printed on posters (``/s/<code>``); see ``services.SITE_CODE_ALPHABET``.
    code: Mapped[str] = mapped_column(String(5), unique=True)
    #: ISO 3166-1 alpha-2.
    country: Mapped[str] = mapped_column(String(2), index=True)
    #: Town or region, free text, for staff.
    locality: Mapped[str | None] = mapped_column(String(200))
    #: A key of ``services.SECTORS``.
    sector: Mapped[str] = mapped_column(String(30), index=True)
    headcount: Mapped[int] = mapped_column(default=0)
    #: Languages the workers speak, most common first (keys of ``portal.i18n.LANGUAGES``).
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: The last day staff opened the site's poster for printing (UNGP 31 accessibility).
    poster_opened_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow
    )

    supplier: Mapped[Supplier] = relationship(back_populates="sites")

    def __repr__(self) -> str:
        return f"<Site {self.code} {self.name}>"
