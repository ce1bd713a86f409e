"""Rate-limit breaches made visible: a log line for each, a count per hour, a staff alert when a
limit shared by every address trips (docs/security.md, "Rate limits").

A per-address limit that trips is one visitor going too fast; a *global* limit that trips locks
every reporter out of that door until its window ends, so staff must hear of it. Nothing here
holds an address or its hash: a breach is its scope, whether it is global, and the hour.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime, timedelta

from flask import request
from flask_babel import format_number, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import DateTime, String, UniqueConstraint, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column

from portal.db import utcnow
from portal.extensions import db

log = logging.getLogger("portal.limits")

#: Key functions of limits shared by every address return a value with this prefix.
EVERYONE = "everyone:"

#: How staff read the scopes of the global limits (the scope is the limit's storage name).
GLOBAL_LABELS = {
    "grievance-lookup-global": _l("receipt look-ups, replies and feedback from every address"),
}

#: A storm of refused requests must not become a storm of writes: a process writes a scope's
#: count at most this often and adds up the breaches in between.
WRITE_EVERY_SECONDS = 10.0

_pending: dict[tuple[str, bool], int] = {}
_last_write: dict[tuple[str, bool], float] = {}
_lock = threading.Lock()


class LimitBreach(db.Model):
    """How often one limit tripped in one hour (UTC); ``everyone`` marks a global limit."""

    __tablename__ = "limit_breaches"
    __table_args__ = (UniqueConstraint("scope", "everyone", "hour"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(120))
    everyone: Mapped[bool] = mapped_column(default=False)
    hour: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    count: Mapped[int] = mapped_column(default=0)
    #: The limit as configured when it tripped ("300 per 1 minute").
    rule: Mapped[str] = mapped_column(String(60), default="")


def global_key(name: str) -> str:
    """The key function's value for a limit that every address shares."""
    return EVERYONE + name


def on_breach(request_limit) -> None:
    """Flask-Limiter's callback for every limit that trips (before the 429 is sent)."""
    # Flask-Limiter's arguments: [key prefix (when set),] key, scope.
    key, scope = ["", "", *request_limit.request_args][-2:]
    everyone = str(key).startswith(EVERYONE)
    scope = str(scope or request.endpoint or "?")[:120]
    rule = str(request_limit.limit)[:60]
    if everyone:
        log.error("global rate limit reached: %s (%s); every address is refused", scope, rule)
    else:
        log.warning("rate limit reached: %s (%s) for one address", scope, rule)
    _count(scope, everyone, rule)


def _count(scope: str, everyone: bool, rule: str) -> None:
    now = time.monotonic()
    with _lock:
        slot = (scope, everyone)
        _pending[slot] = _pending.get(slot, 0) + 1
        if now - _last_write.get(slot, -WRITE_EVERY_SECONDS) < WRITE_EVERY_SECONDS:
            return
        count, _pending[slot], _last_write[slot] = _pending[slot], 0, now
    try:
        _store(scope, everyone, rule, count)
    except SQLAlchemyError:  # a refused request must stay a 429, never become a 500
        log.exception("could not record a rate-limit breach")


def _store(scope: str, everyone: bool, rule: str, count: int) -> None:
    hour = utcnow().replace(minute=0, second=0, microsecond=0)
    table = LimitBreach.__table__
    add = (
        update(table)
        .where(table.c.scope == scope, table.c.everyone == everyone, table.c.hour == hour)
        .values(count=table.c.count + count, rule=rule)
    )
    row = {"scope": scope, "everyone": everyone, "hour": hour, "count": count, "rule": rule}
    # Its own connection: the request's session is left as the view would find it.
    try:
        with db.engine.begin() as connection:
            if connection.execute(add).rowcount == 0:
                connection.execute(table.insert().values(**row))
    except IntegrityError:  # another process inserted this hour's row first
        with db.engine.begin() as connection:
            connection.execute(add)


def forget_pending() -> None:
    """Tests: start each one with no breaches waiting to be written."""
    with _lock:
        _pending.clear()
        _last_write.clear()


def recent_global_breaches(hours: int = 24) -> list[LimitBreach]:
    since = utcnow().replace(minute=0, second=0, microsecond=0) - timedelta(hours=hours)
    return list(
        db.session.scalars(
            select(LimitBreach)
            .where(LimitBreach.everyone.is_(True), LimitBreach.hour >= since)
            .order_by(LimitBreach.hour.desc())
        )
    )


def label(scope: str) -> str:
    return str(GLOBAL_LABELS.get(scope, scope))


def digest_sections():
    """The staff digest: each global limit that tripped in the last day."""
    from portal.hooks import DigestSection

    lines = [
        ngettext(
            "%(hour)s UTC: the shared limit on %(what)s (%(limit)s) was reached %(count)s time",
            "%(hour)s UTC: the shared limit on %(what)s (%(limit)s) was reached %(count)s times",
            breach.count,
            hour=breach.hour.strftime("%Y-%m-%d %H:00"),
            what=label(breach.scope),
            limit=breach.rule,
            count=format_number(breach.count),
        )
        for breach in recent_global_breaches()
    ]
    return [DigestSection(_("Rate limits reached by every address"), lines)]
