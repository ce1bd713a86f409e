"""Migrations build the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from portal.extensions import db
from tests.conftest import make_app, postgres_url


def _fresh_database(tmp_path):
    """An empty database: a new SQLite file, or a new schema next to the test one."""
    url = postgres_url()
    if url is None:
        return f"sqlite:///{tmp_path / 'fresh.sqlite3'}", None
    from portal.config import normalise_database_url

    url = normalise_database_url(url)
    schema = f"portal_mig_{uuid.uuid4().hex[:8]}"
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))

    def drop():
        with engine.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()

    scoped = make_url(url).update_query_dict({"options": f"-csearch_path={schema}"})
    return scoped.render_as_string(hide_password=False), drop


def test_upgrade_from_empty_matches_models_and_downgrades_cleanly(tmp_path, ratelimit_prefix):
    uri, drop = _fresh_database(tmp_path)
    try:
        app = make_app(uri, ratelimit_prefix, tmp_path, RATELIMIT_ENABLED=False)
        with app.app_context():
            upgrade()
            with db.engine.connect() as conn:
                diff = compare_metadata(
                    MigrationContext.configure(conn, opts={"compare_type": True}),
                    db.metadata,
                )
                tables = set(inspect(conn).get_table_names())
            assert diff == [], diff
            assert {"users", "suppliers", "sites", "monitor_sites", "settings"} <= tables
            downgrade(revision="base")
            with db.engine.connect() as conn:
                assert set(inspect(conn).get_table_names()) <= {"alembic_version"}
            upgrade()
            db.engine.dispose()
    finally:
        if drop:
            drop()


def test_case_audit_entries_move_into_the_shared_audit_log(tmp_path, ratelimit_prefix):
    """The audit-log migration carries every grievance event over, in order, and back."""
    uri, drop = _fresh_database(tmp_path)
    try:
        app = make_app(uri, ratelimit_prefix, tmp_path, RATELIMIT_ENABLED=False)
        with app.app_context():
            upgrade(revision="b4e8d2a6c1f3")
            now = "2026-11-30 10:00:00"
            with db.engine.begin() as conn:
                conn.execute(
                    text(
                        "INSERT INTO users (id, email, name, password_hash, role, active, "
                        "session_token, created_at) VALUES (1, 'c@x.example', 'C', 'h', "
                        "'compliance', true, 't', :now)"
                    ),
                    {"now": now},
                )
                conn.execute(text(
                    "INSERT INTO grievances (id, reporter, stakeholder_group, category, "
                    "description, language, receipt_hmac, received_on, clock_started_at, "
                    "acknowledge_due_at, resolve_due_at, status, status_changed_on, indicators, "
                    "reported_place) VALUES (7, 'worker', 'workers', 'wages', 'd', 'en', :hmac, "
                    "'2026-11-30', :now, :now, :now, 'acknowledged', '2026-11-30', '[]', 'p')"),
                    {"hmac": "a" * 64, "now": now})  # fmt: skip
                for action in ("status", "note"):
                    conn.execute(text(
                        "INSERT INTO grievance_events (grievance_id, user_id, action, detail, "
                        "created_at) VALUES (7, 1, :action, '{\"to\": \"x\"}', :now)"),
                        {"action": action, "now": now})  # fmt: skip
            upgrade()
            with db.engine.connect() as conn:
                rows = conn.execute(text(
                    "SELECT subject, subject_id, user_id, action FROM audit_events ORDER BY id"
                )).all()  # fmt: skip
            assert [tuple(row) for row in rows] == [
                ("grievance", 7, 1, "status"),
                ("grievance", 7, 1, "note"),
            ]
            downgrade(revision="b4e8d2a6c1f3")
            with db.engine.connect() as conn:
                back = conn.execute(
                    text("SELECT grievance_id, action FROM grievance_events ORDER BY id")
                ).all()
            assert [tuple(row) for row in back] == [(7, "status"), (7, "note")]
            db.engine.dispose()
    finally:
        if drop:
            drop()
