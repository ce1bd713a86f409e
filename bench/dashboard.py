"""Dashboard latency at scale: p50/p95 of the overview, heatmap and site pages at two data
sizes (default 100,000 and 1,000,000 stored answers across 200 sites) and their ratio.

Usage: .venv/bin/python bench/dashboard.py [--sizes 100000 1000000] [--requests 40] [--keep DIR]

With ``--keep DIR`` each data set is built once into ``DIR/<size>`` and reused by later runs
(building a million answers takes several minutes); without it, a temporary folder is used.

DESIGN §9: p95 ≤ 300 ms at 1,000,000 answers, and 10× the data costs at most 1.5× the time —
which holds only because pages read rollups maintained at submission time, never the answers.
Requests go through the Flask test client (no network, no server threads), signed in as the
compliance demo account, SQLite in a temporary instance folder. Like a gunicorn worker
(``post_worker_init`` in gunicorn.conf.py), the bench freezes the start-up heap out of the
garbage collector's way before the first request; ``--no-freeze`` measures without it.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _bulk


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure(app, requests: int) -> dict[str, tuple[float, float]]:
    from sqlalchemy import select

    from portal.extensions import db
    from portal.suppliers.models import Site

    app.config["WTF_CSRF_ENABLED"] = False  # the bench signs in without fetching the form
    client = app.test_client()
    reply = client.post(
        "/login", data={"email": "compliance@demo.example", "password": "compliance-demo-2026"}
    )
    assert reply.status_code == 302, reply.status_code
    with app.app_context():
        site_ids = list(db.session.scalars(select(Site.id).order_by(Site.id)))
    pages = {
        "overview": lambda i: "/dashboard",
        "heatmap": lambda i: "/dashboard/heatmap?group=workers",
        "site": lambda i: f"/dashboard/sites/{site_ids[i % len(site_ids)]}",
    }
    figures = {}
    for name, url in pages.items():
        assert client.get(url(0)).status_code == 200, name  # warm-up, and a sanity check
        times = []
        for i in range(requests):
            started = time.perf_counter()
            response = client.get(url(i))
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        figures[name] = (statistics.median(times), percentile(times, 0.95))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--sites", type=int, default=200)
    parser.add_argument("--keep", type=Path, help="build data sets once into this folder")
    parser.add_argument(
        "--no-freeze",
        action="store_true",
        help="leave the start-up heap to the garbage collector (gunicorn.conf.py freezes it)",
    )
    args = parser.parse_args()
    results = {}
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as scratch:
            folder = args.keep / f"{size}-{args.sites}" if args.keep else Path(scratch)
            if (folder / "portal.sqlite3").exists():
                print(f"reusing {size:,} answers in {folder}", flush=True)
                app = _bulk.open_instance(folder)
            else:
                print(f"building {size:,} answers…", flush=True)
                folder.mkdir(parents=True, exist_ok=True)
                app = _bulk.build(folder, size, sites=args.sites)
            if not args.no_freeze:
                from portal.serving import freeze_startup_heap

                freeze_startup_heap()
            results[size] = measure(app, args.requests)
            from portal.extensions import db

            with app.app_context():
                db.engine.dispose()
            gc.unfreeze()  # the next size starts from a fresh app
    print(
        f"\n{'page':<10}"
        + "".join(f"{f'{s:,} p50/p95 ms':>26}" for s in args.sizes)
        + "  ratio p95"
    )
    for page in ("overview", "heatmap", "site"):
        cells = "".join(f"{results[s][page][0]:>13.1f} /{results[s][page][1]:>10.1f}"
                        for s in args.sizes)  # fmt: skip
        ratio = results[args.sizes[-1]][page][1] / results[args.sizes[0]][page][1]
        print(f"{page:<10}{cells}  {ratio:>8.2f}×")


if __name__ == "__main__":
    main()
