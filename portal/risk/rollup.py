"""Incremental maintenance of the rollups (RiskCell, ResponseCount).

Each submission adds its contribution with atomic ``UPDATE … SET k = k + :dk`` statements in
the submission's own transaction (insert when the row does not exist yet; a concurrent insert
of the same row is retried as an update), so the counts always equal the stored answers."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from portal.extensions import db
from portal.risk.classify import classify, period_of
from portal.risk.models import ResponseCount, RiskCell


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


def add_response(response, spec, answers: dict[str, str]) -> None:
    """Count one anonymous response (call inside the transaction that stores it)."""
    _add(
        ResponseCount,
        {"campaign_id": response.campaign_id, "site_id": response.site_id,
         "day": response.submitted_on},
        {"count": 1},
    )  # fmt: skip
    period = period_of(response.submitted_on)
    for indicator, status in classify(spec, answers).items():
        _add(
            RiskCell,
            {"site_id": response.site_id, "stakeholder_group": response.stakeholder_group,
             "indicator": indicator, "period": period},
            {"k": int(status == "adverse"), "n": int(status != "missing"),
             "missing": int(status == "missing")},
        )  # fmt: skip


def add_many(items) -> None:
    """Count many responses at once: ``items`` yields (response, spec, answers). The same
    classification as ``add_response``; increments are summed per row first, so a bulk load
    costs one statement per rollup row instead of one per response and indicator."""
    from collections import Counter

    counts: Counter = Counter()
    cells: dict[tuple, list[int]] = {}
    for response, spec, answers in items:
        counts[(response.campaign_id, response.site_id, response.submitted_on)] += 1
        period = period_of(response.submitted_on)
        for indicator, status in classify(spec, answers).items():
            key = (response.site_id, response.stakeholder_group, indicator, period)
            totals = cells.setdefault(key, [0, 0, 0])
            totals[0] += status == "adverse"
            totals[1] += status != "missing"
            totals[2] += status == "missing"
    for (campaign_id, site_id, day), count in counts.items():
        _add(ResponseCount, {"campaign_id": campaign_id, "site_id": site_id, "day": day},
             {"count": count})  # fmt: skip
    for (site_id, group, indicator, period), (k, n, missing) in cells.items():
        _add(
            RiskCell,
            {"site_id": site_id, "stakeholder_group": group, "indicator": indicator,
             "period": period},
            {"k": k, "n": n, "missing": missing},
        )  # fmt: skip


def rebuild(progress=None) -> int:
    """Recompute every rollup from the stored answers (after a bulk load or a repair).

    Never after a retention purge: the rollups are the aggregates that outlive purged answers.
    Returns the number of responses counted. The recount is column-wise, in chunks
    (``portal.risk.rebuild``); ``progress`` gets the size of each chunk counted."""
    from portal.risk import rebuild as recount

    return recount.rebuild(progress=progress)
