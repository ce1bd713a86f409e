"""Rate limits: intake counts filed reports, breaches are logged and alerted, IPv6 by /64."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.grievances import notify
from portal.limits import LimitBreach
from portal.security import rate_limit_address
from tests.factories import login
from tests.grievances.helpers import lookups_from_many_addresses

GOOD = {"who": "worker", "category": "wages", "description": "Wages are paid late again."}
MISSING = {"who": "worker", "category": "wages", "description": ""}
HOME = {"REMOTE_ADDR": "203.0.113.7"}


@pytest.fixture
def site(factory):
    return factory.site()


def _post(client, site, data, environ=HOME):
    return client.post(f"/s/{site.code}/report", data=data, environ_base=environ).status_code


def test_mistakes_do_not_use_up_the_reports_a_worker_may_file(limited_client, site):
    refused = [_post(limited_client, site, MISSING) for _ in range(8)]
    assert refused == [400] * 8  # more mistakes than the limit of 5 filed reports a minute
    filed = [_post(limited_client, site, GOOD) for _ in range(6)]
    assert filed == [302] * 5 + [429]


def test_refused_attempts_have_their_own_higher_cap(app, limited_client, site):
    app.config["GRIEVANCE_INTAKE_REFUSED_RATE_LIMIT"] = "12 per minute"
    try:
        statuses = [_post(limited_client, site, MISSING) for _ in range(13)]
    finally:
        app.config["GRIEVANCE_INTAKE_REFUSED_RATE_LIMIT"] = "30 per minute; 200 per hour"
    assert statuses == [400] * 12 + [429]
    assert _post(limited_client, site, GOOD, {"REMOTE_ADDR": "203.0.113.8"}) == 302


def _breaches(app) -> list[tuple[str, bool, int]]:
    with app.app_context():
        rows = db.session.scalars(select(LimitBreach).order_by(LimitBreach.scope))
        return [(row.scope, row.everyone, row.count) for row in rows]


def test_a_breach_of_one_address_is_logged_without_the_address(app, limited_client, site, caplog):
    caplog.set_level(logging.INFO)
    for _ in range(6):
        _post(limited_client, site, GOOD)
    lines = [r.getMessage() for r in caplog.records if r.name == "portal.limits"]
    assert lines == ["rate limit reached: grievance-intake (5 per 1 minute) for one address"]
    assert all("203.0.113.7" not in r.getMessage() for r in caplog.records)
    assert _breaches(app) == [("grievance-intake", False, 1)]


def test_a_global_breach_is_logged_counted_and_shown_to_staff(app, limited_client, factory, caplog):
    caplog.set_level(logging.INFO)
    statuses = lookups_from_many_addresses(app, limited_client, limit="3 per minute", count=5)
    assert statuses == [404] * 3 + [429] * 2
    errors = [r for r in caplog.records if r.name == "portal.limits"]
    assert [r.levelno for r in errors] == [logging.ERROR] * 2
    assert "grievance-lookup-global" in errors[0].getMessage()
    assert not any("198.51.100" in r.getMessage() for r in caplog.records)
    # Two breaches within seconds: one row, written once (a storm writes rarely).
    assert _breaches(app) == [("grievance-lookup-global", True, 1)]

    lead = factory.user("compliance")
    staff = app.test_client()
    login(staff, lead)
    home = staff.get("/home").data.decode()
    assert "A limit shared by every address was reached" in home
    assert "receipt look-ups, replies and feedback from every address" in home
    assert "(3 per 1 minute) was reached 1 time</li>" in home  # one row: the singular form
    supplier = app.test_client()
    login(supplier, factory.user("supplier"))
    assert "A limit shared by every address" not in supplier.get("/home").data.decode()

    app.config["NOTIFY_EMAILS"] = ["team@test.example"]
    try:
        with app.app_context():
            result = notify.send_digest(dry_run=True)
    finally:
        app.config["NOTIFY_EMAILS"] = []
    assert result.other.get("Rate limits reached by every address") == 1


def test_a_per_address_breach_raises_no_staff_alert(app, limited_client, site, factory):
    for _ in range(6):
        _post(limited_client, site, GOOD)
    staff = app.test_client()
    login(staff, factory.user("compliance"))
    assert "A limit shared by every address" not in staff.get("/home").data.decode()


@pytest.mark.parametrize(
    ("address", "counted_as"),
    [
        ("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"),
        ("2001:db8:1:2::1", "2001:db8:1:2::/64"),
        ("::ffff:192.0.2.1", "192.0.2.1"),
        ("192.0.2.1", "192.0.2.1"),
        ("not an address", "not an address"),
    ],
)
def test_ipv6_visitors_are_counted_by_their_64_network(address, counted_as):
    assert rate_limit_address(address) == counted_as


def test_a_new_address_in_the_same_64_gets_no_fresh_budget(limited_client, site):
    def visitor(index: int) -> dict:
        return {"REMOTE_ADDR": f"2001:db8:1:2::{index:x}"}

    statuses = [_post(limited_client, site, GOOD, visitor(index)) for index in range(6)]
    assert statuses == [302] * 5 + [429]
    assert _post(limited_client, site, GOOD, {"REMOTE_ADDR": "2001:db8:1:3::1"}) == 302
