"""Backup, restore and retention purge as plain functions (the CLI and the tests call them).

Backups are for SQLite only: PostgreSQL has ``pg_dump``/``pg_restore``, which do the job
better than anything we could write, so for it we print the command instead of pretending.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sqlite3
from dataclasses import dataclass, fields
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import and_, delete, func, not_, select
from sqlalchemy.engine import URL, make_url

from portal.db import utcnow
from portal.extensions import db

#: File names inside a backup folder.
DATABASE_FILE = "portal.sqlite3"
UPLOADS_FOLDER = "uploads"
MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"

#: Grievance statuses that end a case without a way back except reopening by staff.
ENDED_STATUSES = ("closed", "rejected", "duplicate")


class MaintenanceError(Exception):
    """A refusal with a message for the operator (the CLI prints it and exits non-zero)."""


# --- where things are ----------------------------------------------------------------------


def sqlite_path(database_uri: str) -> Path | None:
    """The database file of a SQLite URI, or None for any other database."""
    url = make_url(database_uri)
    if url.get_backend_name() != "sqlite":
        return None
    if not url.database or url.database == ":memory:":
        raise MaintenanceError("an in-memory SQLite database cannot be backed up")
    return Path(url.database)


def uploads_path(instance_path: str) -> Path:
    """Where survey evidence is stored (see ``portal.uploads.uploads_folder``)."""
    return Path(instance_path) / UPLOADS_FOLDER


def pg_dump_command(database_uri: str, target: str) -> str:
    """The documented PostgreSQL backup command for this database, without any password
    (pg_dump reads it from ~/.pgpass or PGPASSWORD; a password on a command line would end up
    in shell histories and process listings)."""
    url = make_url(database_uri)
    # Rebuilt rather than .set(password=None), which would mean "leave the password as is".
    bare = URL.create(
        "postgresql", url.username, None, url.host, url.port, url.database, url.query
    ).difference_update_query(["password"])
    rendered = bare.render_as_string(hide_password=False)
    return f"pg_dump --format=custom --file={shlex.quote(target)} {shlex.quote(rendered)}"


def timestamp() -> str:
    return utcnow().strftime("%Y%m%d-%H%M%S")


# --- backup --------------------------------------------------------------------------------


@dataclass
class BackupResult:
    folder: Path
    database: Path
    database_bytes: int
    upload_files: int


def _connect_read_only(path: Path) -> sqlite3.Connection:
    # mode=ro: checking or copying a file must never create or change it.
    return sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True)


def backup_sqlite(database: Path, uploads: Path, target: Path) -> BackupResult:
    """Copy the live database and the uploads into the new folder ``target``.

    ``sqlite3.Connection.backup`` copies every page in one step under a read transaction: in
    WAL mode writers carry on meanwhile, and the copy is the database as of one instant. The
    database is copied before the uploads, so every evidence file the copy refers to exists
    already (a file is written before its row is committed)."""
    if not database.is_file():
        raise MaintenanceError(f"no database at {database}")
    target.mkdir(parents=True, exist_ok=False)  # never write into an earlier backup
    os.chmod(target, 0o700)  # cases and answers: readable by the operator only
    copy = target / DATABASE_FILE
    source = _connect_read_only(database)
    destination = sqlite3.connect(copy)
    try:
        source.backup(destination)
        # One self-contained file: no -wal/-shm companions to forget when moving the backup.
        destination.execute("PRAGMA journal_mode=DELETE")
        (check,) = destination.execute("PRAGMA quick_check").fetchone()
    finally:
        destination.close()
        source.close()
    if check != "ok":
        raise MaintenanceError(f"the copy failed its integrity check: {check}")
    os.chmod(copy, 0o600)
    if uploads.is_dir():
        shutil.copytree(uploads, target / UPLOADS_FOLDER)
    else:
        (target / UPLOADS_FOLDER).mkdir()
    files = sum(1 for item in (target / UPLOADS_FOLDER).rglob("*") if item.is_file())
    return BackupResult(target, copy, copy.stat().st_size, files)


# --- restore -------------------------------------------------------------------------------


@dataclass
class BackupInfo:
    database: Path
    uploads: Path | None
    revision: str
    #: The migration head of this code; differs when the backup needs ``flask db upgrade``.
    head: str


def known_revisions() -> tuple[set[str], str]:
    """Every migration revision of this code, and the head."""
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory(str(MIGRATIONS))
    return {script.revision for script in scripts.walk_revisions()}, scripts.get_current_head()


def check_backup(path: Path) -> BackupInfo:
    """A backup folder (or a bare database file) that holds a database of this app."""
    database = path / DATABASE_FILE if path.is_dir() else path
    if not database.is_file():
        raise MaintenanceError(f"no {DATABASE_FILE} in {path}")
    try:
        connection = _connect_read_only(database)
        try:
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
            if "alembic_version" not in tables:
                raise MaintenanceError(
                    f"{database} is a SQLite database but not one of this portal "
                    "(it has no alembic_version table)"
                )
            (check,) = connection.execute("PRAGMA quick_check").fetchone()
            revisions = [
                row[0] for row in connection.execute("SELECT version_num FROM alembic_version")
            ]
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        raise MaintenanceError(f"{database} is not a SQLite database ({error})") from None
    if check != "ok":
        raise MaintenanceError(f"{database} is damaged: {check}")
    known, head = known_revisions()
    if len(revisions) != 1 or revisions[0] not in known:
        raise MaintenanceError(
            f"{database} has migration {', '.join(revisions) or 'none'}, which this version "
            "of the portal does not know (a backup of another application, or of a newer "
            "portal: upgrade the code first)"
        )
    uploads = path / UPLOADS_FOLDER if path.is_dir() else None
    return BackupInfo(
        database, uploads if uploads and uploads.is_dir() else None, revisions[0], head
    )


@dataclass
class RestoreResult:
    database: Path
    upload_files: int
    revision: str
    head: str


def restore_sqlite(info: BackupInfo, database: Path, uploads: Path) -> RestoreResult:
    """Replace the database and the uploads folder with the checked backup ``info``.

    The server must be stopped. The uploads are copied first, beside the live folder, since
    that is the step that can run out of space; then the database is written with the backup
    API (which takes SQLite's locks and leaves no stale WAL behind, unlike copying the file
    over); the folders are swapped last, by renaming."""
    staged = uploads.with_name(f"{uploads.name}.restoring-{timestamp()}")
    if info.uploads is not None:
        shutil.copytree(info.uploads, staged)
    else:
        staged.mkdir(parents=True)
    files = sum(1 for item in staged.rglob("*") if item.is_file())
    database.parent.mkdir(parents=True, exist_ok=True)
    source = _connect_read_only(info.database)
    destination = sqlite3.connect(database)
    try:
        source.backup(destination)
        destination.execute("PRAGMA journal_mode=WAL")
    finally:
        destination.close()
        source.close()
    previous = uploads.with_name(f"{uploads.name}.before-restore-{timestamp()}")
    if uploads.exists():
        uploads.rename(previous)
    staged.rename(uploads)
    shutil.rmtree(previous, ignore_errors=True)
    return RestoreResult(database, files, info.revision, info.head)


# --- retention purge -----------------------------------------------------------------------


@dataclass
class PurgeCounts:
    """What a purge deletes (or would delete), per kind."""

    cases: int = 0
    case_messages: int = 0
    audit_entries: int = 0
    contacts: int = 0
    responses: int = 0
    answers: int = 0
    evidence_files: int = 0

    def items(self) -> list[tuple[str, int]]:
        return [(field.name, getattr(self, field.name)) for field in fields(self)]


@dataclass
class Cutoffs:
    """Rows dated before these days are purged; None keeps that kind forever."""

    cases: date | None
    responses: date | None


def cutoffs(config, today: date | None = None) -> Cutoffs:
    today = today or utcnow().date()

    def before(setting: str) -> date | None:
        days = config.get(setting)
        return None if days is None else today - timedelta(days=int(days))

    return Cutoffs(before("RETENTION_CLOSED_CASE_DAYS"), before("RETENTION_RAW_ANSWER_DAYS"))


def _ended_cases(cutoff: date):
    from portal.grievances.models import Grievance

    # status_changed_on is the day the case was closed, rejected or marked duplicate: a case
    # that is reopened and closed again starts its retention period again.
    return and_(Grievance.status.in_(ENDED_STATUSES), Grievance.status_changed_on < cutoff)


def _old_responses(cutoff: date, today: date):
    from portal.surveys.models import Campaign, Response

    # A supplier questionnaire still being filled in (draft or returned) while its campaign is
    # open is work in progress, not an old answer: it is kept whatever its first day.
    open_campaigns = select(Campaign.id).where(
        Campaign.closed_at.is_(None), Campaign.closes_on >= today
    )
    in_progress = and_(
        Response.status.in_(("draft", "returned")), Response.campaign_id.in_(open_campaigns)
    )
    return and_(Response.submitted_on < cutoff, not_(in_progress))


def _delete(stmt) -> int:
    """Run a bulk DELETE and return its row count (no ORM objects to keep in sync)."""
    return db.session.execute(stmt.execution_options(synchronize_session=False)).rowcount


def _count(stmt) -> int:
    return db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0


def _case_events(ids):
    from portal.audit import AuditEvent

    return and_(AuditEvent.subject == "grievance", AuditEvent.subject_id.in_(ids))


def plan_cases(cutoff: date | None) -> PurgeCounts:
    from portal.audit import AuditEvent
    from portal.grievances.models import Grievance, GrievanceMessage

    counts = PurgeCounts()
    if cutoff is None:
        return counts
    ids = select(Grievance.id).where(_ended_cases(cutoff))
    counts.cases = _count(ids)
    counts.case_messages = _count(
        select(GrievanceMessage.id).where(GrievanceMessage.grievance_id.in_(ids))
    )
    counts.audit_entries = _count(select(AuditEvent.id).where(_case_events(ids)))
    counts.contacts = _count(ids.where(Grievance.contact_encrypted.is_not(None)))
    return counts


def plan_responses(cutoff: date | None, today: date) -> PurgeCounts:
    from portal.surveys.models import Answer, Evidence, Response

    counts = PurgeCounts()
    if cutoff is None:
        return counts
    ids = select(Response.id).where(_old_responses(cutoff, today))
    counts.responses = _count(ids)
    counts.answers = _count(select(Answer.id).where(Answer.response_id.in_(ids)))
    counts.evidence_files = _count(select(Evidence.id).where(Evidence.response_id.in_(ids)))
    return counts


def purge_cases(cutoff: date | None) -> PurgeCounts:
    """Delete ended cases closed before ``cutoff`` with their thread, audit log and contact,
    in one transaction: a crash leaves every case either whole or gone."""
    from portal.audit import AuditEvent
    from portal.grievances.models import Grievance, GrievanceMessage

    counts = PurgeCounts()
    if cutoff is None:
        return counts
    condition = _ended_cases(cutoff)
    ids = select(Grievance.id).where(condition)
    try:
        # PostgreSQL: lock the cases first, so that a handler reopening one meanwhile waits
        # for this transaction instead of keeping a case whose thread is already deleted.
        # SQLite has one writer at a time: from the first DELETE on, nothing else changes.
        db.session.execute(ids.with_for_update()).all()
        counts.contacts = _count(ids.where(Grievance.contact_encrypted.is_not(None)))
        counts.case_messages = _delete(
            delete(GrievanceMessage).where(GrievanceMessage.grievance_id.in_(ids))
        )
        counts.audit_entries = _delete(delete(AuditEvent).where(_case_events(ids)))
        # Kept cases marked as duplicates of a purged one lose the link (ON DELETE SET NULL).
        counts.cases = _delete(delete(Grievance).where(condition))
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return counts


def purge_responses(cutoff: date | None, today: date, uploads: Path) -> PurgeCounts:
    """Delete responses submitted before ``cutoff`` with their answers and evidence, in one
    transaction; the evidence files go once it has committed (a file deleted for a rollback
    would be lost for good, a file left by a crash is only litter). The risk rollups are the
    aggregates that stay: nothing here touches them."""
    from portal.surveys.models import Answer, Evidence, Response

    counts = PurgeCounts()
    if cutoff is None:
        return counts
    condition = _old_responses(cutoff, today)
    ids = select(Response.id).where(condition)
    try:
        db.session.execute(ids.with_for_update()).all()
        stored_names = list(
            db.session.scalars(select(Evidence.stored_name).where(Evidence.response_id.in_(ids)))
        )
        counts.evidence_files = _delete(delete(Evidence).where(Evidence.response_id.in_(ids)))
        counts.answers = _delete(delete(Answer).where(Answer.response_id.in_(ids)))
        counts.responses = _delete(delete(Response).where(condition))
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    for name in stored_names:
        (uploads / name).unlink(missing_ok=True)
    return counts


def purge(config, instance_path: str, *, dry_run: bool, today: date | None = None) -> PurgeCounts:
    """Apply the retention settings; with ``dry_run``, only count."""
    today = today or utcnow().date()
    limits = cutoffs(config, today)
    if dry_run:
        parts = [plan_cases(limits.cases), plan_responses(limits.responses, today)]
        db.session.rollback()
    else:
        parts = [
            purge_cases(limits.cases),
            purge_responses(limits.responses, today, uploads_path(instance_path)),
        ]
    total = PurgeCounts()
    for part in parts:
        for name, value in part.items():
            setattr(total, name, getattr(total, name) + value)
    return total
