"""What a long-running server process does once, after it has loaded the app."""

from __future__ import annotations

import gc

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer


def freeze_startup_heap() -> int:
    """Move every object alive now (the app and the libraries it imported: SQLAlchemy, SciPy,
    Babel, Jinja...) into the garbage collector's permanent generation; returns how many
    objects that was. Templates and catalogs compiled by later requests are not frozen; the
    libraries are the bulk of it.

    Why: a full collection walks every tracked object, and after start-up about 175,000 of
    them live as long as the process. A dashboard page builds a few thousand signal objects,
    which sets off a full collection every few requests: at 1,000,000 answers those were
    pauses of up to 94 ms and made the whole p95 tail of the dashboard (docs/benchmarks.md).
    Frozen objects are never collected, so this is called once per process after loading
    (gunicorn's ``post_worker_init``), never per request.
    """
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


class CachedSigningSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions with the signing serializer built once per key set.

    Flask builds a new serializer (and derives the HMAC key again) for every request, twice
    when the session is saved: about a tenth of an anonymous survey screen's own time
    (docs/benchmarks.md). The cookie's format, signature, salt and key fallbacks are
    Flask's own; a change of SECRET_KEY or SECRET_KEY_FALLBACKS builds a new one."""

    def __init__(self) -> None:
        self._serializers: dict[tuple, URLSafeTimedSerializer | None] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        found = self._serializers.get(keys)
        if found is None:
            if len(self._serializers) > 8:  # keys rotated several times in one process
                self._serializers.clear()
            found = self._serializers[keys] = super().get_signing_serializer(app)
        return found
