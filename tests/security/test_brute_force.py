"""Brute force, beyond tests/grievances/test_follow_up.py and tests/accounts/test_login.py:
once a limit is reached even the right receipt or the right password is refused (translated
429) and nothing is revealed or signed in."""

from __future__ import annotations

from flask_babel import force_locale, gettext

from portal.grievances import receipts, services
from tests.factories import PASSWORD


def _too_many(app, lang: str) -> str:
    with app.test_request_context(), force_locale(lang):
        return gettext("Too many attempts")


def _case(app, site_id=None) -> str:
    with app.app_context():
        _grievance, receipt = services.create_grievance(services.IntakeData(
            reporter="worker", category="wages", language="en", reported_place="Dhaka",
            description="Secret words about unpaid wages.", site_id=site_id,
        ))  # fmt: skip
    return receipt


def test_a_valid_receipt_is_refused_once_the_address_is_over_its_limit(app, limited_client):
    receipt = _case(app)
    address = {"REMOTE_ADDR": "198.51.100.20"}
    for _ in range(10):
        guess = limited_client.post(
            "/follow-up", data={"receipt": receipts.new_receipt()}, environ_base=address
        )
        assert guess.status_code == 404
    right = limited_client.post(
        "/follow-up?lang=bn", data={"receipt": receipt}, environ_base=address
    )
    assert right.status_code == 429
    assert _too_many(app, "bn") in right.data.decode()
    assert "Secret words" not in right.data.decode()
    # Another address still reads its report.
    other = limited_client.post(
        "/follow-up", data={"receipt": receipt}, environ_base={"REMOTE_ADDR": "198.51.100.21"}
    )
    assert other.status_code == 200 and "Secret words" in other.data.decode()


def test_the_global_limit_refuses_a_valid_receipt_from_a_fresh_address(app, limited_client):
    receipt = _case(app)
    app.config["GRIEVANCE_LOOKUP_GLOBAL_RATE_LIMIT"] = "5 per minute"
    try:
        for index in range(5):
            limited_client.post(
                "/follow-up", data={"receipt": receipts.new_receipt()},
                environ_base={"REMOTE_ADDR": f"203.0.113.{index}"},
            )  # fmt: skip
        fresh = limited_client.post(
            "/follow-up?lang=ur", data={"receipt": receipt},
            environ_base={"REMOTE_ADDR": "192.0.2.200"},
        )  # fmt: skip
    finally:
        app.config["GRIEVANCE_LOOKUP_GLOBAL_RATE_LIMIT"] = "300 per minute; 5000 per hour"
    assert fresh.status_code == 429
    assert _too_many(app, "ur") in fresh.data.decode()
    assert 'dir="rtl"' in fresh.data.decode()
    assert "Secret words" not in fresh.data.decode()


def test_the_right_password_after_the_limit_signs_nobody_in(app, limited_client, factory):
    user = factory.user("compliance")
    for _ in range(10):
        limited_client.post("/login", data={"email": user.email, "password": "wrong pass!"})
    right = limited_client.post("/login?lang=km", data={"email": user.email, "password": PASSWORD})
    assert right.status_code == 429
    assert _too_many(app, "km") in right.data.decode()
    assert limited_client.get("/home").status_code == 302  # not signed in
    # Changing the account's case or adding spaces does not reset the per-address budget.
    again = limited_client.post(
        "/login", data={"email": f"  {user.email.upper()} ", "password": PASSWORD}
    )
    assert again.status_code == 429
