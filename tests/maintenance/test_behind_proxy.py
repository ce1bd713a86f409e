"""Behind a reverse proxy every connection comes from the proxy: without TRUSTED_PROXIES all
visitors would share one rate-limit budget (20 grievances an hour for the whole portal)."""

from __future__ import annotations

from flask import request, request_started

from portal.security import rate_limit_key
from tests.conftest import make_app

PROXY = {"REMOTE_ADDR": "127.0.0.1"}


def _as_seen_by(app, forwarded_for: str) -> tuple[str, str, str]:
    """(client address, scheme, rate-limit key) the app sees for a request through nginx."""
    seen = []

    def record(_sender, **_extra):
        seen.append((request.remote_addr, request.scheme, rate_limit_key()))

    with request_started.connected_to(record, app):
        response = app.test_client().get(
            "/healthz",
            environ_base=PROXY,
            headers={"X-Forwarded-For": forwarded_for, "X-Forwarded-Proto": "https"},
        )
    assert response.status_code == 200
    return seen[0]


def test_trusted_proxy_gives_each_client_its_own_limits(database_uri, ratelimit_prefix, tmp_path):
    proxied = make_app(database_uri, ratelimit_prefix, tmp_path, TRUSTED_PROXIES=1,
                       RATELIMIT_ENABLED=False)  # fmt: skip
    first = _as_seen_by(proxied, "198.51.100.7")
    second = _as_seen_by(proxied, "203.0.113.9")
    assert first[:2] == ("198.51.100.7", "https") and second[0] == "203.0.113.9"
    assert first[2] != second[2]
    # Only the hop nearest the app counts: an address the client writes itself is ignored.
    assert _as_seen_by(proxied, "10.9.9.9, 198.51.100.7")[0] == "198.51.100.7"


def test_without_trusted_proxies_forwarded_headers_are_ignored(app):
    # The default, for a directly reachable app: a client cannot choose its address.
    address, scheme, key = _as_seen_by(app, "198.51.100.7")
    assert (address, scheme) == ("127.0.0.1", "http")
    assert key == _as_seen_by(app, "203.0.113.9")[2]
