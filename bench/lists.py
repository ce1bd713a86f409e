"""Staff lists with 10,000 rows each: median and p95 of the first page, a search, every sort
key in both directions and the last page, and the SQL statements each request needs.

Usage: .venv/bin/python bench/lists.py [--rows 10000] [--requests 9]

Builds a throwaway SQLite instance: the demo data, then ``--rows`` each of suppliers (one
site each, so as many sites), grievance cases, worker campaigns, supplier questionnaires
(one supplier campaign over every site, half of them started) and staff accounts, through
the real services where they are cheap and bulk inserts where a service would only repeat
itself. Requests go through the Flask test client signed in as the demo compliance lead
(the admin for accounts). Prints figures; asserts nothing about time.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _bulk

LISTS = {
    "/cases": ("compliance", "case received site category group status severity handler",
               "#5000"),
    "/sites": ("compliance", "site supplier country sector workers code", "Site 0042"),
    "/suppliers": ("compliance", "name country sites workers", "Supplier 00"),
    "/campaigns": ("compliance", "name group dates responses", "pulse 12"),
    "/saq": ("compliance", "site campaign due state", "Site 0042"),
    "/users": ("admin", "name role login", "user42"),
}  # fmt: skip


def _code(number: int) -> str:
    """A unique five-character site code (base 36)."""
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    code = ""
    for _ in range(5):
        number, digit = divmod(number, 36)
        code = digits[digit] + code
    return code


def fill(app, rows: int) -> None:
    from flask_migrate import upgrade
    from sqlalchemy import insert, select

    from portal.accounts.models import User
    from portal.demo import build_demo
    from portal.extensions import db
    from portal.grievances import services as grievances
    from portal.suppliers.models import Site, Supplier
    from portal.surveys import services as surveys
    from portal.surveys.models import Campaign, Response, Survey, campaign_sites

    today = datetime.now(UTC).date()
    with app.app_context():
        upgrade()
        build_demo()
        assert not surveys.sync_folder(_bulk.ROOT / "surveys").errors
        supplier_ids = db.session.scalars(
            insert(Supplier).returning(Supplier.id, sort_by_parameter_order=True),
            [{"name": f"Bench Supplier {i:05d}", "country": "BD"} for i in range(rows)],
        ).all()
        site_ids = db.session.scalars(
            insert(Site).returning(Site.id, sort_by_parameter_order=True),
            [{"supplier_id": supplier, "name": f"Bench Site {i:05d}", "code": _code(i),
              "country": ["BD", "VN", "KH"][i % 3], "sector": "apparel", "headcount": 50 + i,
              "languages": ["bn"]} for i, supplier in enumerate(supplier_ids)],
        ).all()  # fmt: skip
        db.session.commit()
        for i in range(rows):
            grievances.create_grievance(grievances.IntakeData(
                reporter="worker", category=["wages", "hours", "safety"][i % 3],
                description="Bench case.", language="bn", site_id=site_ids[i % len(site_ids)],
                reported_place=None, contact=None,
            ))  # fmt: skip
            if i % 500 == 0:
                db.session.commit()
        db.session.commit()
        worker = db.session.scalar(select(Survey).where(Survey.form_id == "worker-voice"))
        saq = db.session.scalar(select(Survey).where(Survey.form_id == "supplier-saq"))
        campaign_rows = [
            {"name": f"Bench pulse {i:05d}", "survey_version_id": worker.latest.id,
             "stakeholder_group": "workers", "opens_on": today - timedelta(days=i % 400),
             "closes_on": today - timedelta(days=i % 400) + timedelta(days=30),
             "languages": ["bn"]}
            for i in range(rows)
        ]  # fmt: skip
        campaign_ids = db.session.scalars(
            insert(Campaign).returning(Campaign.id, sort_by_parameter_order=True), campaign_rows
        ).all()
        db.session.execute(
            insert(campaign_sites),
            [{"campaign_id": c, "site_id": site_ids[i]} for i, c in enumerate(campaign_ids)],
        )
        questionnaire = surveys.create_campaign(surveys.CampaignData(
            name="Bench SAQ", survey_version_id=saq.latest.id, stakeholder_group="suppliers",
            site_ids=site_ids, opens_on=today, closes_on=today + timedelta(days=60),
            languages=["en"],
        ))  # fmt: skip
        db.session.execute(insert(Response), [
            {"campaign_id": questionnaire.id, "survey_version_id": saq.latest.id,
             "site_id": site, "stakeholder_group": "suppliers", "language": "en",
             "submitted_on": today, "status": ["draft", "submitted", "accepted"][i % 3]}
            for i, site in enumerate(site_ids[: rows // 2])
        ])  # fmt: skip
        password = db.session.scalar(select(User.password_hash).limit(1))
        db.session.execute(insert(User), [
            {"email": f"user{i:05d}@bench.example", "name": f"Bench user {i:05d}",
             "role": ["monitor", "compliance", "admin"][i % 3], "password_hash": password,
             "active": True}
            for i in range(rows)
        ])  # fmt: skip
        db.session.commit()


def measure(app, requests: int) -> list[tuple[str, float, float, int]]:
    from sqlalchemy import event

    from portal.extensions import db

    clients = {}
    from portal.demo import DEMO_PASSWORD_SUFFIX

    app.config["WTF_CSRF_ENABLED"] = False  # the bench signs in without fetching the form
    for role in ("compliance", "admin"):
        client = app.test_client()
        client.post("/login", data={"email": f"{role}@demo.example",
                                    "password": role + DEMO_PASSWORD_SUFFIX})  # fmt: skip
        clients[role] = client
    seen: list[str] = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda *args: seen.append(args[2]))
    results = []
    for path, (role, keys, query) in LISTS.items():
        client = clients[role]
        assert client.get(path).status_code == 200  # warm-up, and signed in
        urls = [path, f"{path}?q={query.replace('#', '%23')}"]
        urls += [f"{path}?sort={d}{key}" for key in keys.split() for d in ("", "-")]
        urls.append(f"{path}?page=200")  # the last page of 10,000 rows at 50 a page
        for url in urls:
            times = []
            for _ in range(requests):
                seen.clear()
                started = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, (url, response.status_code)
            times.sort()
            results.append((url, statistics.median(times), times[int(0.95 * (len(times) - 1))],
                            len(seen)))  # fmt: skip
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000, help="rows in each list")
    parser.add_argument("--requests", type=int, default=9, help="requests per URL")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = _bulk.open_instance(Path(folder))
        started = time.perf_counter()
        fill(app, args.rows)
        print(f"built {args.rows:,} rows per list in {time.perf_counter() - started:.0f} s")
        print(f"{'URL':<34} {'median ms':>10} {'p95 ms':>8} {'SQL':>4}")
        results = measure(app, args.requests)
        for url, median, p95, statements in results:
            print(f"{url:<34} {median:>10.1f} {p95:>8.1f} {statements:>4}", flush=True)
        worst = max(results, key=lambda row: row[1])
        print(f"slowest median: {worst[0]} {worst[1]:.1f} ms; "
              f"median of medians {statistics.median(r[1] for r in results):.1f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
