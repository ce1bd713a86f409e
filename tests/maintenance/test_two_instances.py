"""Two real gunicorn instances over one PostgreSQL schema and one Redis: what a load balancer
in front of several instances relies on (docs/deploy.md, "Several instances").

Each instance has its own instance folder; they share only the database, Redis (with the
same RATELIMIT_KEY_PREFIX) and the secret key, as a deployment on two machines would.
"""

from __future__ import annotations

import html
import os
import re
import signal
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from portal import ROOT
from tests.conftest import TEST_SECRET, postgres_url
from tests.factories import PASSWORD
from tests.servers import free_port

REDIS = os.environ.get("RATELIMIT_STORAGE_URI", "")
pytestmark = pytest.mark.skipif(
    postgres_url() is None or not REDIS.startswith("redis"),
    reason="needs DATABASE_URL=postgresql://... and RATELIMIT_STORAGE_URI=redis://... "
    "(two instances share nothing else; SQLite and memory:// are single-machine)",
)

LOGIN_LIMIT = 5
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
RECEIPT = re.compile(r'class="receipt-number"[^>]*>([\d ]+)<')


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


_opener = urllib.request.build_opener(_NoRedirect)


class Browser:
    """A visitor holding one session cookie, which it may present to either instance."""

    def __init__(self) -> None:
        self.cookie = ""

    def request(self, base: str, path: str, data: dict | None = None) -> tuple[int, str, dict]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(base + path, data=body)  # noqa: S310 (http://127.0.0.1)
        if self.cookie:
            request.add_header("Cookie", self.cookie)
        try:
            with _opener.open(request, timeout=10) as response:
                status, headers, text = response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:  # 3xx (not followed), 4xx
            status, headers, text = error.code, error.headers, error.read()
        for value in headers.get_all("Set-Cookie") or []:
            if value.startswith("portal_session="):
                self.cookie = value.split(";", 1)[0]
        return status, text.decode(), dict(headers)

    def csrf(self, base: str, path: str) -> str:
        status, page, _ = self.request(base, path)
        assert status == 200, (path, status)
        return html.unescape(CSRF.search(page).group(1))


def _start(port: int, instance, database_uri: str, prefix: str, log) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_uri,
        "RATELIMIT_STORAGE_URI": REDIS,
        "PORTAL_INSTANCE_PATH": str(instance),
        # The one secret every instance must share (cookies, CSRF, receipt HMACs, limiter keys).
        "PORTAL_SECRET_KEY": TEST_SECRET,
        "PORTAL_RATELIMIT_KEY_PREFIX": prefix,
        "PORTAL_LOGIN_RATE_LIMIT": f"{LOGIN_LIMIT} per minute",
        "PORTAL_BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "1",
        "PORTAL_THREADS": "2",
        "PORTAL_LOG_LEVEL": "warning",
    }
    return subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "--config", "gunicorn.conf.py",
         "portal:create_app()"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: the master and its worker die together
    )  # fmt: skip


def _wait_ready(base: str, process: subprocess.Popen, deadline: float) -> None:
    while time.monotonic() < deadline:
        assert process.poll() is None, "gunicorn exited; see its log in the test's tmp_path"
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=1) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"{base} did not answer /healthz in time")


def _stop(processes: list[subprocess.Popen]) -> None:
    """Quick shutdown of every process group at once, then wait (SIGKILL if one hangs)."""
    running = [process for process in processes if process.poll() is None]
    for process in running:
        os.killpg(process.pid, signal.SIGINT)  # gunicorn's quick shutdown; TERM waits longer
    for process in running:
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)


@pytest.fixture
def two_instances(app, database_uri, ratelimit_prefix, tmp_path):
    """(base URL of A, base URL of B); both killed, and their Redis keys deleted, afterwards."""
    import redis

    prefix = f"{ratelimit_prefix}-two"
    processes = []
    bases = []
    try:
        for name in ("a", "b"):
            port = free_port()
            log = open(tmp_path / f"gunicorn-{name}.log", "wb")  # noqa: SIM115 (closed below)
            processes.append((_start(port, tmp_path / name, database_uri, prefix, log), log))
            bases.append(f"http://127.0.0.1:{port}")
        deadline = time.monotonic() + 20
        for base, (process, _log) in zip(bases, processes, strict=True):
            _wait_ready(base, process, deadline)
        yield tuple(bases)
    finally:
        _stop([process for process, _log in processes])
        for _process, log in processes:
            log.close()
        client = redis.Redis.from_url(REDIS)
        keys = list(client.scan_iter(match=f"*{prefix}*"))
        if keys:
            client.delete(*keys)
        client.close()


def test_login_cases_and_rate_limits_span_both_instances(two_instances, factory):
    a, b = two_instances
    site = factory.site(languages=["en"])
    staff = factory.user("compliance", name="Ayesha Two-Instances")

    # A staff login made on A is a valid session on B.
    browser = Browser()
    token = browser.csrf(a, "/login")
    status, _, headers = browser.request(
        a, "/login", {"email": staff.email, "password": PASSWORD, "csrf_token": token}
    )
    assert status == 302 and headers["Location"].endswith("/home")
    status, page, _ = browser.request(b, "/home")
    assert status == 200 and "Welcome, Ayesha Two-Instances" in page
    assert Browser().request(b, "/home")[0] == 302  # without the cookie: to the login page

    # A grievance filed through A: its receipt works on B, and B's case list shows it.
    worker = Browser()
    token = worker.csrf(a, f"/s/{site.code}/report?who=worker")
    description = "Our passports were taken on arrival and not given back."
    status, _, headers = worker.request(a, f"/s/{site.code}/report", {
        "who": "worker", "category": "documents", "description": description,
        "csrf_token": token,
    })  # fmt: skip
    assert status == 302, headers
    status, page, _ = worker.request(a, urllib.parse.urlsplit(headers["Location"]).path)
    receipt = RECEIPT.search(page).group(1)
    reader = Browser()
    token = reader.csrf(b, f"/s/{site.code}/follow-up")
    status, page, _ = reader.request(
        b, f"/s/{site.code}/follow-up", {"receipt": receipt, "csrf_token": token}
    )
    assert status == 200 and description in page
    status, page, _ = browser.request(b, "/cases")
    case_id = re.search(r'href="/cases/(\d+)"', page).group(1)
    status, page, _ = browser.request(b, f"/cases/{case_id}")
    assert status == 200 and description in page

    # The login limit counts attempts on both instances together (one Redis, one key).
    # One attempt so far (the successful login on A); the next ones alternate.
    stranger = Browser()
    token = stranger.csrf(b, "/login")
    wrong = {"email": "nobody@test.example", "password": "wrong password", "csrf_token": token}
    for attempt in range(2, LOGIN_LIMIT + 1):
        status, _, _ = stranger.request(a if attempt % 2 else b, "/login", wrong)
        assert status == 401, attempt
    status, page, _ = stranger.request(b, "/login", wrong)
    assert status == 429
    status, _, _ = stranger.request(a, "/login", wrong)
    assert status == 429
