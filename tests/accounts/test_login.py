"""Signing in and out, wrong passwords, rate limits, session expiry."""

from __future__ import annotations

import time

import pytest

from tests.factories import PASSWORD, login


@pytest.fixture
def compliance(factory):
    return factory.user("compliance", email="lead@test.example")


def test_sign_in_lands_on_home_and_sign_out_ends_the_session(client, compliance):
    response = login(client, "Lead@Test.Example ")  # case and spaces do not matter
    assert response.status_code == 302
    assert response.headers["Location"] == "/home"
    assert client.get("/home").status_code == 200
    response = client.post("/logout")
    assert response.status_code == 302
    assert client.get("/home").status_code == 302  # back to the login page


def test_logout_is_not_possible_by_get(client, compliance):
    login(client, compliance)
    assert client.get("/logout").status_code == 405
    assert client.get("/home").status_code == 200


@pytest.mark.parametrize(
    ("email", "password"),
    [("lead@test.example", "wrong password!"), ("nobody@test.example", PASSWORD)],
)
def test_wrong_password_or_unknown_email_get_the_same_answer(client, compliance, email, password):
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 401
    assert b"The email or password is not correct." in response.data
    assert email.encode() in response.data  # what was typed is kept (but not the password)
    assert password.encode() not in response.data
    assert client.get("/home").status_code == 302


def test_empty_form_is_a_clear_400(client):
    response = client.post("/login", data={})
    assert response.status_code == 400
    assert b"Enter your email address." in response.data
    assert b"Enter your password." in response.data


def test_inactive_accounts_cannot_sign_in(client, factory):
    user = factory.user("compliance", active=False)
    assert login(client, user).status_code == 401


def test_next_only_goes_to_local_paths(client, compliance):
    response = client.post(
        "/login?next=/sites", data={"email": compliance.email, "password": PASSWORD}
    )
    assert response.headers["Location"] == "/sites"
    client.post("/logout")
    for target in ("//evil.example/x", "https://evil.example/", "javascript:alert(1)"):
        response = client.post(
            "/login", query_string={"next": target},
            data={"email": compliance.email, "password": PASSWORD},
        )  # fmt: skip
        assert response.headers["Location"] == "/home"
        client.post("/logout")


def test_rate_limits_use_the_configured_storage(app):
    from portal.extensions import limiter

    expected = "Redis" if app.config["RATELIMIT_STORAGE_URI"].startswith("redis") else "Memory"
    assert type(limiter.storage).__name__.startswith(expected)


def test_login_is_rate_limited_per_address(limited_client, compliance):
    for _ in range(10):
        response = limited_client.post(
            "/login", data={"email": compliance.email, "password": "wrong password!"}
        )
        assert response.status_code == 401
    response = limited_client.post("/login", data={"email": compliance.email, "password": PASSWORD})
    assert response.status_code == 429
    assert b"Too many attempts" in response.data
    # Another address is not affected.
    other = limited_client.post(
        "/login",
        data={"email": compliance.email, "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "192.0.2.77"},
    )
    assert other.status_code == 302


def test_login_is_rate_limited_per_account_across_addresses(limited_client, compliance):
    for attempt in range(30):
        limited_client.post(
            "/login",
            data={"email": compliance.email, "password": "wrong password!"},
            environ_base={"REMOTE_ADDR": f"198.51.100.{attempt}"},
        )
    response = limited_client.post(
        "/login",
        data={"email": compliance.email, "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "203.0.113.9"},
    )
    assert response.status_code == 429


def test_idle_staff_sessions_expire(app, client, compliance):
    login(client, compliance)
    assert client.get("/home").status_code == 200
    with client.session_transaction() as session:
        session["seen"] = int(time.time()) - app.config["STAFF_IDLE_MINUTES"] * 60 - 5
    response = client.get("/home")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert client.get("/home").status_code == 302


def test_staff_sessions_have_an_absolute_lifetime(app, client, compliance):
    response = login(client, compliance)
    cookie = response.headers["Set-Cookie"]
    assert "Expires=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert app.config["PERMANENT_SESSION_LIFETIME"].total_seconds() <= 24 * 3600


def test_deactivating_an_account_ends_its_sessions(app, client, compliance):
    from portal.accounts import services
    from portal.extensions import db

    login(client, compliance)
    assert client.get("/home").status_code == 200
    with app.app_context():
        user = db.session.merge(compliance)
        services.update_user(
            user,
            services.UserData(email=user.email, name=user.name, role="compliance", active=False),
        )
    assert client.get("/home").status_code == 302


def test_csrf_is_required_to_sign_in_when_enabled(app, client, compliance):
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post("/login", data={"email": compliance.email, "password": PASSWORD})
    assert response.status_code == 400
    assert b"This form expired" in response.data
