"""Backup and restore (SQLite), and the honest refusal on PostgreSQL."""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.grievances.models import Grievance
from portal.maintenance import services
from portal.suppliers.models import Supplier
from portal.surveys.models import Evidence
from tests.conftest import make_app, postgres_url
from tests.maintenance.helpers import build
from tests.surveys.test_saq import PDF

sqlite_only = pytest.mark.skipif(
    postgres_url() is not None,
    reason="backup/restore copy SQLite files; PostgreSQL uses pg_dump (tested below)",
)


def _backup(app, target: Path):
    result = app.test_cli_runner().invoke(args=["backup", "--output", str(target)])
    assert result.exit_code == 0, result.output
    return result


@sqlite_only
def test_backup_is_consistent_while_another_connection_writes(app, factory, deploy, tmp_path):
    built = build(app, factory, deploy)
    written = threading.Event()
    stop = threading.Event()
    errors: list[BaseException] = []
    pairs = [0]

    def writer() -> None:
        # Its own app context, so its own connection; each transaction writes two rows.
        try:
            with app.app_context():
                while not stop.is_set():
                    number = pairs[0]
                    db.session.add_all(
                        Supplier(name=f"Writer {number} {half}", country="BD") for half in "ab"
                    )
                    db.session.commit()
                    pairs[0] += 1
                    if number == 20:
                        written.set()
        except BaseException as error:  # reported by the test
            errors.append(error)
            written.set()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert written.wait(10)
        before = pairs[0]
        result = _backup(app, tmp_path / "backup")
        after = pairs[0]
    finally:
        stop.set()
        thread.join(10)
    assert not errors, errors
    assert after > before, "the writer was blocked while the backup ran"
    assert f"Backup written to {tmp_path / 'backup'}" in result.output
    # The session's uploads folder also holds files of earlier tests: all of them are copied.
    uploaded = len(list((Path(app.instance_path) / "uploads").iterdir()))
    assert f"uploads/  {uploaded} files" in result.output
    copy = tmp_path / "backup" / "portal.sqlite3"
    assert sorted(path.name for path in (tmp_path / "backup").iterdir()) == [
        "portal.sqlite3", "uploads",
    ]  # fmt: skip
    connection = sqlite3.connect(copy)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        # One instant: every writer transaction is in the copy whole or not at all.
        query = "SELECT count(*) FROM suppliers WHERE name LIKE ?"
        a, b = (connection.execute(query, (f"Writer % {half}",)).fetchone()[0] for half in "ab")
        assert before <= a == b <= pairs[0]
        assert connection.execute("SELECT description FROM grievances").fetchall() == [
            ("Backup me.",)
        ]
        assert connection.execute("SELECT journal_mode FROM pragma_journal_mode").fetchone() == (
            "delete",
        )
    finally:
        connection.close()
    assert (tmp_path / "backup" / "uploads" / built.evidence_name).read_bytes() == PDF


@sqlite_only
def test_restore_into_a_fresh_instance(app, factory, deploy, database_uri, ratelimit_prefix,
                                       tmp_path):  # fmt: skip
    built = build(app, factory, deploy)
    _backup(app, tmp_path / "backup")
    uploaded = len(list((tmp_path / "backup" / "uploads").iterdir()))
    # A new machine: empty instance folder, no database file yet, the same secret key.
    fresh = tmp_path / "fresh"
    other = make_app("sqlite:///" + str(fresh / "portal.sqlite3"), ratelimit_prefix, fresh,
                     RATELIMIT_ENABLED=False)  # fmt: skip
    result = other.test_cli_runner().invoke(args=["restore", str(tmp_path / "backup"), "--yes"])
    assert result.exit_code == 0, result.output
    assert f"Restored the database {fresh / 'portal.sqlite3'}" in result.output
    assert f"({uploaded} files)" in result.output and "db upgrade" not in result.output
    with other.app_context():
        case = db.session.get(Grievance, built.case_id)
        assert case.description == "Backup me." and case.contact_encrypted
        evidence = db.session.scalar(select(Evidence))
        assert evidence.response_id == built.saq_response_id
        db.engine.dispose()
    restored = fresh / "uploads" / built.evidence_name
    assert hashlib.sha256(restored.read_bytes()).hexdigest() == evidence.sha256
    # The restored instance serves its pages.
    assert other.test_client().get(f"/s/{built.site_code}").status_code == 200


@sqlite_only
def test_restore_refuses_what_is_not_a_portal_backup(app, factory, tmp_path):
    factory.site()
    runner = app.test_cli_runner()
    text_file = tmp_path / "notes.txt"
    text_file.write_text("not a database\n" * 100)
    refused = runner.invoke(args=["restore", str(text_file), "--yes"])
    assert refused.exit_code == 1 and "is not a SQLite database" in refused.output
    other_db = tmp_path / "other" / "portal.sqlite3"
    other_db.parent.mkdir()
    with sqlite3.connect(other_db) as connection:
        connection.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    refused = runner.invoke(args=["restore", str(other_db.parent), "--yes"])
    assert refused.exit_code == 1 and "not one of this portal" in refused.output
    with sqlite3.connect(other_db) as connection:
        connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32))")
        connection.execute("INSERT INTO alembic_version VALUES ('ffffffffffff')")
    refused = runner.invoke(args=["restore", str(other_db), "--yes"])
    assert refused.exit_code == 1 and "does not know" in refused.output
    # A real backup, but the operator answers no: nothing changes.
    _backup(app, tmp_path / "backup")
    factory.site()
    declined = runner.invoke(args=["restore", str(tmp_path / "backup")], input="n\n")
    assert declined.exit_code == 1 and "Aborted" in declined.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Supplier)) == 2


def test_pg_dump_command_never_shows_the_password():
    command = services.pg_dump_command(
        "postgresql+psycopg://portal:s3cret@db.internal:5433/portal?password=s3cret", "x.dump"
    )
    assert (
        command
        == "pg_dump --format=custom --file=x.dump postgresql://portal@db.internal:5433/portal"
    )


@pytest.mark.skipif(postgres_url() is None, reason="needs DATABASE_URL=postgresql://...")
def test_backup_on_postgresql_prints_pg_dump_and_fails(app):
    result = app.test_cli_runner().invoke(args=["backup"])
    assert result.exit_code == 1
    assert result.output.startswith("pg_dump --format=custom --file=portal-")
    assert "'backup' only copies SQLite" in result.output and "docs/deploy.md" in result.output
    with app.app_context():
        secret = db.engine.url.password
    if secret:
        assert secret not in result.output
    restore = app.test_cli_runner().invoke(args=["restore", "/", "--yes"])
    assert restore.exit_code == 1 and "pg_restore" in restore.output
