"""Security headers on every response, translated error pages, capped request bodies."""

from __future__ import annotations

import pytest
from flask import abort
from flask_babel import force_locale, gettext

from portal.errors import MESSAGES
from tests.conftest import make_app
from tests.factories import login

REQUIRED_HEADERS = {
    "Content-Security-Policy": "default-src 'self'",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}


def assert_secure_headers(response, where):
    """DESIGN §8 on one response (the route × role matrix calls this on every response)."""
    for name, value in REQUIRED_HEADERS.items():
        assert value in response.headers.get(name, ""), f"{name} missing on {where}"
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "'unsafe-inline'" not in csp, where
    assert "'unsafe-eval'" not in csp, where
    if "text/html" in response.headers.get("Content-Type", ""):
        assert response.headers["Cache-Control"] == "no-store", where


def test_headers_on_error_pages(client, limited_client, factory):
    """Every route × role is checked by tests/test_access_matrix.py; these are the error
    pages the matrix does not reach (the 500 page is checked below)."""
    user = factory.user("supplier")
    responses = {
        400: client.get("/s"),
        404: client.get("/does-not-exist"),
        405: client.get("/logout"),
        413: client.post("/login", data={"email": "x" * (2 * 1024 * 1024)}),
    }
    staff = limited_client.application.test_client()
    login(staff, user)
    responses[403] = staff.get("/suppliers")
    for _ in range(11):
        last = limited_client.post("/login", data={"email": user.email, "password": "wrong!"})
    responses[429] = last
    for status, response in responses.items():
        assert response.status_code == status
        assert "text/html" in response.headers["Content-Type"]
        assert_secure_headers(response, status)


def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/").headers
    secure = client.get("/", base_url="https://voice.example.org")
    assert "max-age=" in secure.headers["Strict-Transport-Security"]


def test_static_files_are_cacheable_and_compressed(client):
    response = client.get("/static/portal.css", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"].startswith("public")
    assert response.headers.get("Content-Encoding") == "br"


def test_html_is_compressed(client):
    response = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert response.headers.get("Content-Encoding") == "gzip"


@pytest.fixture(scope="module")
def crashing_app(database_uri, ratelimit_prefix, tmp_path_factory):
    """The same app plus a route that raises, to see the 500 page."""
    app = make_app(
        database_uri, ratelimit_prefix, tmp_path_factory.mktemp("crash"), RATELIMIT_ENABLED=False
    )
    app.config["PROPAGATE_EXCEPTIONS"] = False

    from portal.security import public

    @app.get("/boom")
    @public
    def boom():
        raise RuntimeError("kaboom")

    @app.get("/conflict/<int:status>")
    @public
    def conflict(status):
        abort(status)

    return app


@pytest.mark.parametrize("lang", ["en", "ar", "bn"])
def test_error_pages_are_translated(app, client, crashing_app, lang):
    crashing = crashing_app.test_client()
    cases = {
        400: client.get(f"/s?code=&lang={lang}"),
        403: None,
        404: client.get(f"/nowhere?lang={lang}"),
        405: client.get(f"/logout?lang={lang}"),
        409: crashing.get(f"/conflict/409?lang={lang}"),
        413: client.post(f"/login?lang={lang}", data={"email": "x" * (2 * 1024 * 1024)}),
        500: crashing.get(f"/boom?lang={lang}"),
    }
    with app.test_request_context():
        for status, response in cases.items():
            if response is None:
                continue
            assert response.status_code == status
            with force_locale(lang):
                title = gettext(str(MESSAGES[status][0]._args[0]))
            if status == 400:
                continue  # the site-code form explains itself instead of a generic page
            assert title in response.data.decode(), (status, lang)
            assert f'lang="{lang}"'.encode() in response.data
        # A status without its own text gets the general one of its class, translated.
        teapot = crashing.get(f"/conflict/418?lang={lang}")
        assert teapot.status_code == 418
        with force_locale(lang):
            assert gettext(str(MESSAGES[400][0]._args[0])) in teapot.data.decode()


def test_403_page_for_staff_without_the_role(client, factory):
    login(client, factory.user("supplier"))
    response = client.get("/suppliers?lang=ar")
    assert response.status_code == 403
    assert b'dir="rtl"' in response.data


def test_429_page_is_translated(limited_client, factory):
    user = factory.user("compliance")
    for _ in range(11):
        response = limited_client.post(
            "/login?lang=ar", data={"email": user.email, "password": "wrong password!"}
        )
    assert response.status_code == 429
    with limited_client.application.test_request_context(), force_locale("ar"):
        assert gettext("Too many attempts") in response.data.decode()


def test_500_page_does_not_leak_details(crashing_app):
    response = crashing_app.test_client().get("/boom")
    assert response.status_code == 500
    assert b"kaboom" not in response.data and b"Traceback" not in response.data
    assert_secure_headers(response, "/boom")


def test_development_server_logs_carry_no_client_address(app, caplog):
    import logging

    caplog.set_level(logging.INFO, logger="werkzeug")
    logging.getLogger("werkzeug").info(
        '203.0.113.77 - - [22/Nov/2026 10:00:00] "%s" %s %s', "GET /s/K7Q2M HTTP/1.1", 200, "-"
    )
    assert "GET /s/K7Q2M" in caplog.text
    assert "203.0.113.77" not in caplog.text


def test_pages_with_errors_are_compressed_too(client):
    response = client.get("/s?code=", headers={"Accept-Encoding": "br, gzip"})
    assert response.status_code == 400
    assert response.headers.get("Content-Encoding") == "br"
    response = client.get("/nowhere", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 404 and response.headers.get("Content-Encoding") == "gzip"


def test_the_server_header_names_no_versions(client):
    # The development server (make run) would send "Werkzeug/3.1.3 Python/3.11.7".
    development = {"SERVER_SOFTWARE": "Werkzeug/3.1.3"}
    for path in ("/", "/healthz", "/no-such-page"):
        response = client.get(path, environ_base=development)
        assert response.headers.get("Server") == "Worker Voice Portal", path
    # Under gunicorn the app adds none: gunicorn's own says "gunicorn", without a version.
    assert (
        "Server" not in client.get("/", environ_base={"SERVER_SOFTWARE": "gunicorn/23.0.0"}).headers
    )
