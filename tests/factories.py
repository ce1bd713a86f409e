"""Test data built through the same service functions the views use."""

from __future__ import annotations

import itertools

from portal.accounts import services as accounts
from portal.extensions import db
from portal.suppliers import services as suppliers

PASSWORD = "correct horse battery staple"
_counter = itertools.count(1)


class Factory:
    """Each method commits through the services and returns a detached, fully loaded row."""

    def __init__(self, app):
        self.app = app

    def _detached(self, build):
        with self.app.app_context():
            row = build()
            db.session.refresh(row)
            db.session.expunge(row)
            return row

    def supplier(self, name: str | None = None, country: str = "BD"):
        name = name or f"Supplier {next(_counter)}"
        return self._detached(
            lambda: suppliers.create_supplier(suppliers.SupplierData(name=name, country=country))
        )

    def site(self, supplier=None, name: str | None = None, **fields):
        supplier = supplier or self.supplier()
        data = {
            "country": supplier.country,
            "sector": "apparel",
            "headcount": 500,
            "languages": ["bn", "en"],
            "locality": None,
        }
        data.update(fields)
        name = name or f"Site {next(_counter)}"
        return self._detached(
            lambda: suppliers.create_site(
                suppliers.SiteData(supplier_id=supplier.id, name=name, **data)
            )
        )

    def user(self, role: str, *, supplier=None, sites=(), email=None, password=PASSWORD, **kw):
        if role == "supplier" and supplier is None:
            supplier = self.supplier()
        data = accounts.UserData(
            email=email or f"{role}{next(_counter)}@test.example",
            name=kw.pop("name", f"Test {role}"),
            role=role,
            supplier_id=supplier.id if supplier is not None else None,
            site_ids=[site.id for site in sites],
            **kw,
        )
        return self._detached(lambda: accounts.create_user(data, password))


def login(client, user_or_email, password: str = PASSWORD):
    email = getattr(user_or_email, "email", user_or_email)
    return client.post("/login", data={"email": email, "password": password})
