"""What a long-running server process does once, after it has loaded the app."""

from __future__ import annotations

import gc


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
