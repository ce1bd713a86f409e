"""The production server configuration (gunicorn.conf.py), run for real: each worker freezes
its start-up heap out of the garbage collector's way (portal/serving.py says why)."""

from __future__ import annotations

import gc
import re
import time
import urllib.request

from portal import ROOT
from portal.serving import freeze_startup_heap
from tests.conftest import TEST_SECRET
from tests.servers import Gunicorn, server_env

FROZE = re.compile(r"froze (\d+) start-up objects")


def test_freezing_takes_what_is_alive_out_of_later_collections():
    gc.unfreeze()
    try:
        survivor = {"kept": [1, 2, 3]}  # a container the collector tracks
        assert any(found is survivor for found in gc.get_objects())
        frozen = freeze_startup_heap()
        assert frozen > 10_000  # the app's libraries are loaded
        # Frozen objects that die (a background thread's temporaries) leave the permanent
        # generation, so the count may drift by a few between the two reads.
        assert abs(gc.get_freeze_count() - frozen) <= frozen // 100
        assert not any(found is survivor for found in gc.get_objects())
        later = {"made": ["after"]}
        assert any(found is later for found in gc.get_objects())  # new objects are collected
    finally:
        gc.unfreeze()


def test_each_production_worker_freezes_its_start_up_heap(tmp_path):
    env = server_env(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'portal.sqlite3'}",
            "RATELIMIT_STORAGE_URI": "memory://",
            "PORTAL_INSTANCE_PATH": str(tmp_path / "instance"),
            "PORTAL_SECRET_KEY": TEST_SECRET,
            "WEB_CONCURRENCY": "2",
            "PORTAL_THREADS": "2",
            "PORTAL_LOG_LEVEL": "info",
        }
    )
    server = Gunicorn(env, tmp_path, ["--config", str(ROOT / "gunicorn.conf.py")])
    try:
        base = server.start()
        with urllib.request.urlopen(base + "/healthz", timeout=5) as reply:  # noqa: S310
            assert reply.status == 200
        deadline = time.monotonic() + 30  # the second worker may still be loading the app
        while len(FROZE.findall(server.log.read_text())) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        server.stop()
    log = server.log.read_text()
    counts = [int(found) for found in FROZE.findall(log)]
    # Both workers, each after loading the app: SQLAlchemy, SciPy, Babel, the blueprints...
    assert len(counts) == 2, log[-3000:]
    assert all(count > 50_000 for count in counts), counts
