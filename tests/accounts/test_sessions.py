"""Server-side sign-in records: a copied cookie dies with sign-out; one hash on both login paths."""

from __future__ import annotations

import statistics
import time

import pytest
from sqlalchemy import func, select

from portal.accounts import services
from portal.accounts.models import StaffSession
from portal.extensions import db
from tests.factories import PASSWORD, login


@pytest.fixture
def compliance(factory):
    return factory.user("compliance", email="lead@test.example")


def _cookie(client) -> str:
    return client.get_cookie("portal_session").value


def _replay(app, cookie: str):
    """A second browser that only holds a copy of the cookie."""
    other = app.test_client()
    other.set_cookie("portal_session", cookie)
    return other


def _sessions(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(StaffSession))


def test_a_cookie_saved_before_sign_out_opens_nothing_afterwards(app, client, compliance):
    login(client, compliance)
    saved = _cookie(client)
    assert _replay(app, saved).get("/cases").status_code == 200  # the copy works while signed in
    assert client.post("/logout").status_code == 302
    replayed = _replay(app, saved).get("/cases")
    assert replayed.status_code == 302
    assert replayed.headers["Location"].startswith("/login")
    assert _sessions(app) == 0


def test_signing_out_one_browser_keeps_the_others(app, compliance):
    laptop, phone = app.test_client(), app.test_client()
    login(laptop, compliance)
    login(phone, compliance)
    assert _sessions(app) == 2
    phone.post("/logout")
    assert laptop.get("/cases").status_code == 200
    assert phone.get("/cases").status_code == 302


def test_the_cookie_holds_a_key_the_database_only_knows_hashed(app, client, compliance):
    login(client, compliance)
    with app.app_context():
        stored = db.session.scalars(select(StaffSession.key_hash)).all()
    assert len(stored) == 1 and len(stored[0]) == 64
    assert stored[0] not in _cookie(client)


def test_an_idle_session_expires_and_its_record_goes(app, client, compliance):
    login(client, compliance)
    saved = _cookie(client)
    with client.session_transaction() as session:
        session["seen"] = int(time.time()) - app.config["STAFF_IDLE_MINUTES"] * 60 - 5
    assert client.get("/cases").status_code == 302
    assert _sessions(app) == 0
    assert _replay(app, saved).get("/cases").status_code == 302


def test_a_deactivated_account_loses_its_sessions(app, client, factory, compliance):
    login(client, compliance)
    with app.app_context():
        user = db.session.get(type(compliance), compliance.id)
        data = services.UserData(email=user.email, name=user.name, role=user.role, active=False)
        services.update_user(user, data)
    assert client.get("/cases").status_code == 302
    assert _sessions(app) == 0


def _median_seconds(app, email: str, rounds: int = 15) -> float:
    with app.test_request_context():
        services.authenticate(email, "not the password")  # warm caches once
        times = []
        for _ in range(rounds):
            start = time.perf_counter()
            services.authenticate(email, "not the password")
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def test_unknown_and_known_emails_cost_the_same_one_hash(app, compliance):
    # With the production cost the KDF dominates both paths; an extra hash doubles one of them.
    cheap = app.config["PASSWORD_HASH_METHOD"]
    app.config["PASSWORD_HASH_METHOD"] = "scrypt:16384:8:1"
    try:
        with app.app_context():
            user = db.session.get(type(compliance), compliance.id)
            user.password_hash = services.hash_password(PASSWORD)
            db.session.commit()
        known = _median_seconds(app, compliance.email)
        unknown = _median_seconds(app, "nobody@test.example")
    finally:
        app.config["PASSWORD_HASH_METHOD"] = cheap
    assert 0.6 < unknown / known < 1.6, (known, unknown)
