"""A savepoint never commits on its own: on SQLite, pysqlite opens a transaction only before
INSERT/UPDATE/DELETE, so a SAVEPOINT issued first became the outermost transaction and its
RELEASE committed at once. A case was then stored before its acknowledgement, and a server
killed in between left a case without it (found by tests/robustness/test_crash_safety.py)."""

from __future__ import annotations

from sqlalchemy import event, func, select, text

from portal.extensions import db
from portal.grievances import services as grievances
from portal.grievances.models import Grievance
from portal.suppliers.models import Supplier


def _committed(statement) -> int:
    """What another connection sees: only what has been committed."""
    with db.engine.connect() as other:
        return other.scalar(statement)


def test_a_savepoint_first_in_a_transaction_does_not_commit(app):
    with app.app_context():
        with db.session.begin_nested():
            db.session.add(Supplier(name="Savepoint Supplier", country="BD"))
        count = select(func.count()).select_from(Supplier)
        assert db.session.scalar(count) == 1  # this session sees its own write
        assert _committed(count) == 0  # nobody else does: nothing is committed yet
        db.session.rollback()
        assert _committed(count) == 0


def test_a_case_and_its_acknowledgement_commit_together(app, factory):
    site = factory.site()
    seen_when_acknowledging = []

    def before_insert(conn, _cursor, statement, *_args):
        if statement.lstrip().upper().startswith("INSERT INTO GRIEVANCE_MESSAGES"):
            seen_when_acknowledging.append(_committed(text("SELECT count(*) FROM grievances")))

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", before_insert)
        try:
            grievances.create_grievance(
                grievances.IntakeData(reporter="worker", category="wages", language="en",
                                      site_id=site.id, description="Unpaid overtime.")
            )  # fmt: skip
        finally:
            event.remove(db.engine, "before_cursor_execute", before_insert)
        assert seen_when_acknowledging == [0]  # the case was not visible without its message
        assert _committed(select(func.count()).select_from(Grievance)) == 1  # then both were
