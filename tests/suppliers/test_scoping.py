"""Supplier A can never read supplier B's data; monitors see only their assigned sites."""

from __future__ import annotations

import pytest

from portal.extensions import db
from portal.security import scoped
from portal.suppliers.models import Site
from tests.factories import login


@pytest.fixture
def two_suppliers(factory):
    a, b = factory.supplier("Alpha Garments"), factory.supplier("Beta Electronics", "MY")
    sites = {
        "a1": factory.site(a, "Alpha One"),
        "a2": factory.site(a, "Alpha Two"),
        "b1": factory.site(b, "Beta One", languages=["ne", "my"]),
    }
    return a, b, sites


def test_supplier_account_sees_only_its_own_supplier(client, factory, two_suppliers):
    a, b, sites = two_suppliers
    login(client, factory.user("supplier", supplier=a))
    listing = client.get("/sites").data
    assert b"Alpha One" in listing and b"Alpha Two" in listing
    assert b"Beta One" not in listing
    assert client.get(f"/sites/{sites['a1'].id}").status_code == 200
    assert client.get(f"/suppliers/{a.id}").status_code == 200
    # B's records do not exist as far as A is concerned (404, not 403: no existence leak).
    assert client.get(f"/sites/{sites['b1'].id}").status_code == 404
    assert client.get(f"/sites/{sites['b1'].id}/poster").status_code == 404
    assert client.get(f"/suppliers/{b.id}").status_code == 404
    assert client.get(f"/sites?supplier={b.id}").data.count(b"Beta") == 0
    home = client.get("/home").data
    assert b"Alpha One" in home and b"Beta One" not in home


def test_monitor_sees_only_assigned_sites(client, factory, two_suppliers):
    _a, _b, sites = two_suppliers
    login(client, factory.user("monitor", sites=[sites["b1"]]))
    listing = client.get("/sites").data
    assert b"Beta One" in listing and b"Alpha" not in listing
    assert client.get(f"/sites/{sites['b1'].id}").status_code == 200
    assert client.get(f"/sites/{sites['a1'].id}").status_code == 404


def test_compliance_sees_everything(client, factory, two_suppliers):
    login(client, factory.user("compliance"))
    listing = client.get("/sites").data
    for name in (b"Alpha One", b"Alpha Two", b"Beta One"):
        assert name in listing


def test_scoped_helper_for_every_role(app, factory, two_suppliers):
    a, _b, sites = two_suppliers
    users = {
        "compliance": factory.user("compliance"),
        "supplier": factory.user("supplier", supplier=a),
        "monitor": factory.user("monitor", sites=[sites["b1"]]),
        "admin": factory.user("admin"),
    }
    expected = {
        "compliance": {"Alpha One", "Alpha Two", "Beta One"},
        "supplier": {"Alpha One", "Alpha Two"},
        "monitor": {"Beta One"},
        "admin": set(),  # operators manage accounts, not supplier data
    }
    with app.app_context():
        for role, user in users.items():
            user = db.session.merge(user)
            by_site = scoped(db.select(Site.name), user, site_id=Site.id)
            by_supplier = scoped(db.select(Site.name), user, supplier_id=Site.supplier_id)
            assert set(db.session.scalars(by_site)) == expected[role], role
            if role != "monitor":
                assert set(db.session.scalars(by_supplier)) == expected[role], role
        assert list(db.session.scalars(scoped(db.select(Site.name), None, site_id=Site.id))) == []
