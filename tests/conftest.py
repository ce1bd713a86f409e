"""Fixtures: one migrated database per test session (SQLite, or PostgreSQL when DATABASE_URL
is set), emptied after every test; Flask test clients; factories for staff and sites."""

from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from hypothesis import settings
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from portal import ROOT, create_app
from portal.extensions import db as _db
from portal.extensions import limiter

# live_server, browser, phone, axe, artifact: usable from every test folder.
pytest_plugins = ["tests.browser.fixtures"]

# CI is a landing gate: it replays the same generated examples every run (.ci/run sets the
# profile), so a red build is reproducible. Local runs draw fresh examples and find new
# bugs; each one found gets a plain regression test (tests/security/test_fuzz.py).
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

TEST_SECRET = "test-secret-key-not-for-production"
FAST_SCRYPT = "scrypt:1024:8:1"  # still scrypt, just cheap enough for hundreds of logins


def _compile_catalogs() -> None:
    """Build .mo files the way `make catalogs` does, so a bare `pytest` works too."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po in (ROOT / "translations").glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with open(po, "rb") as handle:
            catalog = read_po(handle, locale=po.parent.parent.name)
        with open(mo, "wb") as handle:
            write_mo(handle, catalog)


def postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith("postgres") else None


@contextmanager
def throwaway_database(directory: Path, name: str = "portal"):
    """A private database: a SQLite file in ``directory``, or a PostgreSQL schema (selected
    through ``search_path`` in the URL) that is dropped afterwards."""
    url = postgres_url()
    if url is None:
        yield "sqlite:///" + str(directory / f"{name}.sqlite3")
        return
    from portal.config import normalise_database_url

    url = normalise_database_url(url)
    schema = f"{name}_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    scoped_url = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield scoped_url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session")
def database_uri(tmp_path_factory):
    """The session's database: every test uses it and it is emptied after each."""
    with throwaway_database(tmp_path_factory.mktemp("db")) as url:
        yield url


@pytest.fixture(scope="session")
def ratelimit_prefix():
    """Redis keys of this run, removed at the end so Redis is left as it was found."""
    prefix = f"portal-test-{uuid.uuid4().hex[:10]}"
    yield prefix
    storage = os.environ.get("RATELIMIT_STORAGE_URI", "")
    if storage.startswith("redis"):
        import redis

        client = redis.Redis.from_url(storage)
        keys = list(client.scan_iter(match=f"*{prefix}*"))
        if keys:
            client.delete(*keys)
        client.close()


def make_app(database_uri: str, ratelimit_prefix: str, instance_path: Path, **overrides):
    config = {
        "TESTING": True,
        "SECRET_KEY": TEST_SECRET,
        "SQLALCHEMY_DATABASE_URI": database_uri,
        "WTF_CSRF_ENABLED": False,
        "PASSWORD_HASH_METHOD": FAST_SCRYPT,
        "RATELIMIT_KEY_PREFIX": ratelimit_prefix,
        "SERVER_NAME": None,
        # Evidence packs are built within the request (tests/reports starts the thread itself).
        "REPORTS_PACK_IN_BACKGROUND": False,
    }
    config.update(overrides)
    previous = os.environ.get("PORTAL_INSTANCE_PATH")
    os.environ["PORTAL_INSTANCE_PATH"] = str(instance_path)
    try:
        return create_app(config)
    finally:
        if previous is None:
            os.environ.pop("PORTAL_INSTANCE_PATH", None)
        else:
            os.environ["PORTAL_INSTANCE_PATH"] = previous


@pytest.fixture(scope="session")
def app(database_uri, ratelimit_prefix, tmp_path_factory):
    _compile_catalogs()
    # Flask-Limiter skips creating its storage when it is disabled at init_app time, and the
    # autouse fixture below disables it between tests: enable it for the session app's init.
    limiter.enabled = True
    app = make_app(database_uri, ratelimit_prefix, tmp_path_factory.mktemp("instance"))
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        _db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean(request):
    """Every test starts with empty tables, default settings and fresh rate limits."""
    yield
    if "app" not in request.fixturenames:
        return
    app = request.getfixturevalue("app")
    app.config["WTF_CSRF_ENABLED"] = False
    with app.app_context():
        _db.session.remove()
        with _db.engine.begin() as conn:
            for table in reversed(_db.metadata.sorted_tables):
                conn.execute(table.delete())
        limiter.reset()
    from portal.accounts.services import forget_settings
    from portal.limits import forget_pending
    from portal.surveys.queries import forget_responding

    forget_settings(app)
    forget_responding()
    forget_pending()
    limiter.enabled = False


@pytest.fixture(autouse=True)
def _limiter_off_by_default():
    from portal.extensions import limiter

    limiter.enabled = False


@pytest.fixture
def client(app):
    limiter.enabled = False
    return app.test_client()


@pytest.fixture
def limited_client(app):
    """A client with rate limiting switched on (it is off for other tests)."""
    limiter.enabled = True
    with app.app_context():
        limiter.reset()
    return app.test_client()


@pytest.fixture
def factory(app):
    """Builds records in their own app context: a test must not hold one open around client
    requests, or Flask would reuse it and leak ``g`` (the signed-in user) between requests."""
    from tests.factories import Factory

    return Factory(app)
