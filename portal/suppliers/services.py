"""Writes for suppliers and sites; the reference lists they are validated against."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from babel import Locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.i18n import LANGUAGES
from portal.suppliers.models import Site, Supplier

#: No 0/O, 1/I/L or U/V pairs to misread on a printed poster or type wrongly on a phone.
SITE_CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"
SITE_CODE_LENGTH = 5

SECTORS = {
    "apparel": _l("Apparel and textiles"),
    "footwear": _l("Footwear and leather"),
    "electronics": _l("Electronics"),
    "agriculture": _l("Agriculture"),
    "seafood": _l("Fishing and seafood"),
    "food": _l("Food processing"),
    "toys": _l("Toys and consumer goods"),
    "mining": _l("Mining and minerals"),
    "construction": _l("Construction"),
    "logistics": _l("Logistics and warehousing"),
    "other": _l("Other"),
}

# Babel's territory list mixes ISO 3166-1 codes with regions and private-use codes.
_NOT_COUNTRIES = {"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ"}
COUNTRY_CODES = frozenset(
    code
    for code in Locale("en").territories
    if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES
)


def country_name(code: str, locale: Locale | str | None = None) -> str:
    locale = Locale.parse(locale or "en")
    return locale.territories.get(code, code)


def countries(locale: Locale | str | None = None) -> list[tuple[str, str]]:
    """(code, name) pairs sorted by name in ``locale``."""
    locale = Locale.parse(locale or "en")
    pairs = [(code, locale.territories.get(code, code)) for code in COUNTRY_CODES]
    return sorted(pairs, key=lambda pair: pair[1].casefold())


def normalise_site_code(raw: str | None) -> str:
    """What a person typed (``k7q2m``, ``K7Q-2M``) → the stored form, or '' if impossible."""
    code = "".join((raw or "").split()).replace("-", "").upper()
    if len(code) != SITE_CODE_LENGTH or any(ch not in SITE_CODE_ALPHABET for ch in code):
        return ""
    return code


def new_site_code() -> str:
    return "".join(secrets.choice(SITE_CODE_ALPHABET) for _ in range(SITE_CODE_LENGTH))


@dataclass
class SupplierData:
    name: str
    country: str
    contact_name: str | None = None
    contact_email: str | None = None


@dataclass
class SiteData:
    supplier_id: int
    name: str
    country: str
    sector: str
    headcount: int
    languages: list[str]
    locality: str | None = None


class DuplicateName(ValueError):
    """A supplier, or a site within one supplier, with that name already exists."""


def _validate_site(data: SiteData) -> None:
    if data.country not in COUNTRY_CODES:
        raise ValueError(f"unknown country {data.country!r}")
    if data.sector not in SECTORS:
        raise ValueError(f"unknown sector {data.sector!r}")
    unknown = [code for code in data.languages if code not in LANGUAGES]
    if unknown or not data.languages:
        raise ValueError(f"unknown or missing languages {unknown!r}")
    if data.headcount < 0:
        raise ValueError("headcount must not be negative")


def create_supplier(data: SupplierData) -> Supplier:
    if data.country not in COUNTRY_CODES:
        raise ValueError(f"unknown country {data.country!r}")
    if db.session.scalar(select(Supplier.id).where(Supplier.name == data.name)):
        raise DuplicateName(data.name)
    supplier = Supplier(**data.__dict__)
    db.session.add(supplier)
    db.session.commit()
    return supplier


def update_supplier(supplier: Supplier, data: SupplierData) -> Supplier:
    if data.country not in COUNTRY_CODES:
        raise ValueError(f"unknown country {data.country!r}")
    clash = db.session.scalar(
        select(Supplier.id).where(Supplier.name == data.name, Supplier.id != supplier.id)
    )
    if clash:
        raise DuplicateName(data.name)
    for key, value in data.__dict__.items():
        setattr(supplier, key, value)
    db.session.commit()
    return supplier


def _site_name_taken(supplier_id: int, name: str, exclude_id: int | None = None) -> bool:
    stmt = select(Site.id).where(Site.supplier_id == supplier_id, Site.name == name)
    if exclude_id is not None:
        stmt = stmt.where(Site.id != exclude_id)
    return db.session.scalar(stmt) is not None


def create_site(data: SiteData, *, attempts: int = 20) -> Site:
    """Create a site with a fresh unique code (retrying the rare collision)."""
    _validate_site(data)
    if _site_name_taken(data.supplier_id, data.name):
        raise DuplicateName(data.name)
    for _ in range(attempts):
        site = Site(code=new_site_code(), **data.__dict__)
        try:
            with db.session.begin_nested():
                db.session.add(site)
        except IntegrityError:
            if _site_name_taken(data.supplier_id, data.name):
                raise DuplicateName(data.name) from None
            continue  # code collision: draw again
        db.session.commit()
        return site
    raise RuntimeError("could not find a free site code")


def update_site(site: Site, data: SiteData) -> Site:
    _validate_site(data)
    if _site_name_taken(data.supplier_id, data.name, exclude_id=site.id):
        raise DuplicateName(data.name)
    for key, value in data.__dict__.items():
        setattr(site, key, value)
    db.session.commit()
    return site
