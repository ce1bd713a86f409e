"""Route × role matrix: every URL rule the app has, every role, the expected outcome.

An endpoint missing from EXPECTED fails the test, so each new route must be listed with the
roles that may use it: core routes here, a capability's routes in ``tests/<capability>/access.py``
(a dict ``EXPECTED`` and, when its routes take arguments, ``extend_world(factory, world)``
returning the argument values, plus ``ARGUMENTS`` when a route's argument must take another
world value than its own name), which this module discovers.
"""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from tests.factories import login
from tests.test_http import assert_secure_headers

STAFF = {"admin", "compliance", "supplier", "monitor"}
EVERYONE = {"anonymous"} | STAFF
SITE_READERS = {"compliance", "supplier", "monitor"}

EXPECTED: dict[str, set[str]] = {
    "static": EVERYONE,
    "public.index": EVERYONE,
    "public.find_site": EVERYONE,
    "public.site": EVERYONE,
    "public.healthz": EVERYONE,
    "accounts.login": EVERYONE,
    "accounts.logout": STAFF,
    "accounts.home": STAFF,
    "accounts.account": STAFF,
    "accounts.users": {"admin"},
    "accounts.user_new": {"admin"},
    "accounts.user_edit": {"admin"},
    "accounts.settings": {"admin"},
    "suppliers.suppliers": {"compliance"},
    "suppliers.supplier_new": {"compliance"},
    "suppliers.supplier_detail": {"compliance", "supplier"},
    "suppliers.supplier_edit": {"compliance"},
    "suppliers.sites": SITE_READERS,
    "suppliers.site_new": {"compliance"},
    "suppliers.site_detail": SITE_READERS,
    "suppliers.site_edit": {"compliance"},
    "suppliers.site_poster": SITE_READERS,
}


CAPABILITY_MODULES = [
    importlib.import_module(f"tests.{path.parent.name}.access")
    for path in sorted(Path(__file__).parent.glob("*/access.py"))
]
#: endpoint → {URL argument: world key}, for an argument whose name alone picks the wrong value.
ARGUMENTS: dict[str, dict[str, str]] = {}
for _module in CAPABILITY_MODULES:
    EXPECTED.update(_module.EXPECTED)
    ARGUMENTS.update(getattr(_module, "ARGUMENTS", {}))


@pytest.fixture
def world(factory):
    return build_world(factory)


def build_world(factory) -> dict:
    """One site that every scoped role may see, one account per role, and a value for every
    URL argument any route takes (capabilities add theirs through ``extend_world``)."""
    supplier = factory.supplier("Matrix Supplier")
    site = factory.site(supplier, "Matrix Site")
    users = {
        "admin": factory.user("admin"),
        "compliance": factory.user("compliance"),
        "supplier": factory.user("supplier", supplier=supplier),
        "monitor": factory.user("monitor", sites=[site]),
    }
    world = {
        "site": site,
        "site_id": site.id,
        "supplier_id": supplier.id,
        "code": site.code,
        "user_id": users["compliance"].id,
        "filename": "portal.css",
        "users": users,
    }
    for module in CAPABILITY_MODULES:
        if hasattr(module, "extend_world"):
            world.update(module.extend_world(factory, world))
    return world


def rule_url(app, rule, world) -> str:
    """This rule's own address in the world (``/report`` and ``/s/<code>/report`` share an
    endpoint)."""
    names = ARGUMENTS.get(rule.endpoint, {})
    args = {name: world[names.get(name, name)] for name in rule.arguments}
    with app.test_request_context():
        _domain, path = rule.build(args, append_unknown=False)
    return path


def requests_of(app, world):
    """(endpoint, method, url) of every rule of the app."""
    for rule in app.url_map.iter_rules():
        url = rule_url(app, rule, world)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, url


def test_every_route_is_listed(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - EXPECTED.keys() == set(), "add new routes to EXPECTED"
    assert EXPECTED.keys() - endpoints == set(), "remove routes that no longer exist"


@pytest.mark.parametrize("role", sorted(EVERYONE))
def test_route_role_matrix(app, world, role):
    client = app.test_client()
    if role != "anonymous":
        assert login(client, world["users"][role]).status_code == 302
    wrong = []
    for endpoint, method, url in requests_of(app, world):
        if endpoint == "accounts.logout":
            continue  # checked last: it ends the session the other requests need
        wrong.extend(_check(client, role, endpoint, method, url))
    for endpoint, method, url in requests_of(app, world):
        if endpoint == "accounts.logout":
            wrong.extend(_check(client, role, endpoint, method, url))
    assert wrong == []


def _check(client, role, endpoint, method, url):
    response = client.open(url, method=method, data={})
    # DESIGN §8 headers on every answer, whatever it is (page, redirect, 4xx, download).
    assert_secure_headers(response, f"{role} {method} {url}")
    allowed = role in EXPECTED[endpoint]
    location = response.headers.get("Location", "")
    sent_to_login = response.status_code == 302 and "/login?next=" in location
    if role == "anonymous":
        refused = sent_to_login
    else:
        refused = response.status_code == 403
    problems = []
    if allowed and refused:
        problems.append(f"{role} refused {method} {url} ({response.status_code})")
    if not allowed and not refused:
        problems.append(f"{role} reached {method} {url} ({response.status_code})")
    if response.status_code >= 500:
        problems.append(f"{role} {method} {url} crashed")
    return problems
