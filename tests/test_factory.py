"""The application factory and configuration layering."""

from __future__ import annotations

import os
import stat

import pytest

from portal import create_app
from portal.config import normalise_database_url

# Apps built here must not re-initialise the shared rate limiter (and its storage) that the
# session app uses.
NO_LIMITER = {"RATELIMIT_ENABLED": False}


@pytest.fixture
def instance(tmp_path, monkeypatch):
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    return tmp_path


def test_defaults_use_sqlite_in_the_instance_folder_without_creating_it(instance):
    app = create_app(NO_LIMITER)
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{instance / 'portal.sqlite3'}"
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"
    # No side effects: building the app neither creates nor touches the database.
    assert not (instance / "portal.sqlite3").exists()


def test_secret_key_is_generated_once_into_the_instance_folder(instance):
    first = create_app(NO_LIMITER)
    key_file = instance / "secret_key"
    assert key_file.exists()
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert len(first.config["SECRET_KEY"]) == 64
    assert create_app(NO_LIMITER).config["SECRET_KEY"] == first.config["SECRET_KEY"]


def test_instance_config_then_environment_then_test_config(instance, monkeypatch):
    (instance / "config.py").write_text(
        "ORGANISATION_NAME = 'From instance'\n"
        "STAFF_IDLE_MINUTES = 30\n"
        "SECRET_KEY = 'instance-key'\n"
    )
    monkeypatch.setenv("PORTAL_STAFF_IDLE_MINUTES", "45")
    app = create_app(NO_LIMITER)
    assert app.config["ORGANISATION_NAME"] == "From instance"
    assert app.config["STAFF_IDLE_MINUTES"] == 45  # environment wins over instance/config.py
    assert app.config["SECRET_KEY"] == "instance-key"
    assert not (instance / "secret_key").exists()  # a configured key is never replaced
    assert create_app({**NO_LIMITER, "STAFF_IDLE_MINUTES": 5}).config["STAFF_IDLE_MINUTES"] == 5


def test_database_url_and_rate_limit_storage_from_environment(instance, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://portal@db.internal:5432/portal")
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://cache.internal:6379/1")
    app = create_app(NO_LIMITER)
    assert app.config["SQLALCHEMY_DATABASE_URI"] == (
        "postgresql+psycopg://portal@db.internal:5432/portal"
    )
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://cache.internal:6379/1"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql://u@h/db", "postgresql+psycopg://u@h/db"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg://u@h/db"),
        ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
    ],
)
def test_normalise_database_url(given, expected):
    assert normalise_database_url(given) == expected


def test_sqlite_runs_with_wal_and_foreign_keys(app):
    from portal.extensions import db

    with app.app_context():
        engine = db.engine
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite pragmas only")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_every_view_declares_who_may_see_it(app):
    from portal.security import access_of

    undeclared = [
        rule.endpoint for rule in app.url_map.iter_rules() if access_of(app, rule.endpoint) is None
    ]
    assert undeclared == []


def test_an_undeclared_view_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(tmp_path))
    app = create_app({**NO_LIMITER, "SECRET_KEY": "x", "TESTING": True})

    @app.get("/forgotten")
    def forgotten():
        return "secret"

    assert app.test_client().get("/forgotten").status_code == 403
