"""Incremental maintenance of the rollups (RiskCell, ResponseCount).

Each submission adds its contribution in the submission's own transaction, so the counts
always equal the stored answers. On SQLite and PostgreSQL that is one
``INSERT … ON CONFLICT (key) DO UPDATE SET k = k + excluded.k`` per table for all the rows a
submission touches: atomic under concurrent submissions, and two statements instead of one
ORM update (and sometimes an insert) per indicator, which was three quarters of the storing
POST (docs/benchmarks.md). Rows are written in key order, so two submissions that touch the
same rows lock them in the same order and cannot deadlock. Other databases take the portable
path: an UPDATE per row, an INSERT when it matched nothing.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.risk.classify import classify, period_of
from portal.risk.models import ResponseCount, RiskCell

RESPONSE_COUNT_KEY = ("campaign_id", "site_id", "day")
RISK_CELL_KEY = ("site_id", "stakeholder_group", "indicator", "period")
#: Parameter sets per executemany of the upsert (bounds one round trip's size).
UPSERT_ROWS = 1000


def _add(model, key: dict, increments: dict) -> None:
    values = {name: getattr(model, name) + amount for name, amount in increments.items()}
    stmt = update(model).where(*(getattr(model, col) == val for col, val in key.items()))
    if db.session.execute(stmt.values(**values)).rowcount:
        return
    try:
        with db.session.begin_nested():
            db.session.add(model(**key, **increments))
    except IntegrityError:  # another submission created the row meanwhile
        db.session.execute(stmt.values(**values))


def _insert_for(dialect: str):
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:
        return None
    return insert


_UPSERTS: dict[tuple[str, str], object] = {}


def _upsert(model, key: tuple[str, ...], names: list[str], dialect: str):
    """One INSERT … ON CONFLICT DO UPDATE per table, built once: executed with many parameter
    sets, it is compiled once per process (a multi-row VALUES was compiled afresh each time)."""
    cached = _UPSERTS.get((model.__tablename__, dialect))
    if cached is None:
        table = model.__table__
        stmt = _insert_for(dialect)(table)
        cached = _UPSERTS[(model.__tablename__, dialect)] = stmt.on_conflict_do_update(
            index_elements=list(key),
            set_={name: table.c[name] + stmt.excluded[name] for name in names},
        )
    return cached


def add_rows(model, key: tuple[str, ...], rows: dict[tuple, dict[str, int]]) -> None:
    """Add ``rows`` (key values → increments) to the rollup table of ``model``."""
    if not rows:
        return
    dialect = db.session.get_bind().dialect.name
    ordered = sorted(rows.items())
    if _insert_for(dialect) is None:
        for values, increments in ordered:
            _add(model, dict(zip(key, values, strict=True)), increments)
        return
    parameters = [
        {**dict(zip(key, values, strict=True)), **increments} for values, increments in ordered
    ]
    stmt = _upsert(model, key, list(ordered[0][1]), dialect)
    for start in range(0, len(parameters), UPSERT_ROWS):
        db.session.execute(stmt, parameters[start : start + UPSERT_ROWS])


def _cell_increments(status: str) -> dict[str, int]:
    return {"k": int(status == "adverse"), "n": int(status != "missing"),
            "missing": int(status == "missing")}  # fmt: skip


def contribution(response, spec, answers: dict[str, str]) -> tuple[dict, dict]:
    """What one response adds to ResponseCount and RiskCell, classified before any write so
    that a submission holds the database's write lock (SQLite) or its row locks (PostgreSQL)
    only for the statements themselves."""
    counts = {(response.campaign_id, response.site_id, response.submitted_on): {"count": 1}}
    period = period_of(response.submitted_on)
    cells = {
        (response.site_id, response.stakeholder_group, indicator, period): _cell_increments(status)
        for indicator, status in classify(spec, answers).items()
    }
    return counts, cells


def add_contribution(counts: dict, cells: dict) -> None:
    add_rows(ResponseCount, RESPONSE_COUNT_KEY, counts)
    add_rows(RiskCell, RISK_CELL_KEY, cells)


def add_response(response, spec, answers: dict[str, str]) -> None:
    """Count one anonymous response (call inside the transaction that stores it)."""
    add_contribution(*contribution(response, spec, answers))


def add_many(items) -> None:
    """Count many responses at once: ``items`` yields (response, spec, answers). The same
    classification as ``add_response``; increments are summed per row first, so a bulk load
    costs one statement per thousand rollup rows instead of one per response and indicator."""
    counts: Counter = Counter()
    cells: dict[tuple, dict[str, int]] = {}
    for response, spec, answers in items:
        counts[(response.campaign_id, response.site_id, response.submitted_on)] += 1
        period = period_of(response.submitted_on)
        for indicator, status in classify(spec, answers).items():
            key = (response.site_id, response.stakeholder_group, indicator, period)
            totals = cells.setdefault(key, {"k": 0, "n": 0, "missing": 0})
            for name, amount in _cell_increments(status).items():
                totals[name] += amount
    add_rows(ResponseCount, RESPONSE_COUNT_KEY, {key: {"count": n} for key, n in counts.items()})
    add_rows(RiskCell, RISK_CELL_KEY, cells)


def rebuild(progress=None) -> int:
    """Recompute every rollup from the stored answers (after a bulk load or a repair).

    Never after a retention purge: the rollups are the aggregates that outlive purged answers.
    Returns the number of responses counted. The recount is column-wise, in chunks
    (``portal.risk.rebuild``); ``progress`` gets the size of each chunk counted."""
    from portal.risk import rebuild as recount

    return recount.rebuild(progress=progress)
