"""Streaming exports: time, first byte and peak memory (DESIGN §9: 1,000,000 answers to CSV with
peak memory ≤ 300 MB), for the long responses export and the wide export of one survey version.

Usage: .venv/bin/python bench/export.py [--answers 1000000] [--xlsx-answers 100000]
                                        [--frame-answers 2500000]

Builds a throwaway instance (SQLite under a temporary folder, migrations, the demo data set with
a few hundred responses submitted through the real service), then grows it with the BULK path:
copies of the simulated worker-voice answer sets are inserted as new Response/Answer rows with
executemany (random site of the campaign weighted by headcount, random day in the campaign
window, a language of the site), and ``portal.risk.rollup.rebuild()`` recounts the rollups so
that they agree with the answers (``flask demo --responses 40000`` would take about 15 minutes
on 2 cores; the bulk path a few).

At ``--xlsx-answers`` the responses export is downloaded as XLSX; at ``--answers`` the responses
export as CSV and XLSX and the wide export of the worker-voice version in every format (CSV,
XLSX, Stata, SPSS, Parquet); at ``--frame-answers`` (0: skipped) the wide export as Stata and
SPSS again, which are built as one data frame in memory (about 100,000 responses; the rollups
are not recounted for this step, no export reads them). Each download goes through the Flask
test client with the body consumed chunk by chunk and dropped. Every measurement runs in a
fresh child process so that ``ru_maxrss`` is the export's own (plus the imported application);
the responses export runs twice: once plain (rows per second, ru_maxrss) and once under
tracemalloc (peak of Python allocations; slower, so its time is not the figure to quote).
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BUDGET_MB = 300
CONFIG = {
    "RATELIMIT_ENABLED": False,
    "WTF_CSRF_ENABLED": False,  # the test client signs in without a form page
    "PASSWORD_HASH_METHOD": "scrypt:1024:8:1",
}


def make_app(instance: Path):
    os.environ["PORTAL_INSTANCE_PATH"] = str(instance)
    from portal import create_app

    return create_app(dict(CONFIG))


# --- building the data -----------------------------------------------------------------------


def build_base(instance: Path) -> None:
    from flask_migrate import upgrade

    app = make_app(instance)
    with app.app_context():
        upgrade()
    result = app.test_cli_runner().invoke(args=["demo", "--responses", "300"])
    if result.exit_code:
        raise SystemExit(result.output)


def answers_stored(app) -> int:
    from sqlalchemy import func, select

    from portal.extensions import db
    from portal.surveys.models import Answer, Response

    with app.app_context():
        stmt = select(func.count(Answer.id)).join(Response).where(Response.status == "complete")
        return db.session.scalar(stmt) or 0


def grow(instance: Path, target: int, *, rebuild: bool, seed: int = 2026) -> float:
    """Insert copies of the simulated worker answer sets until ``target`` answers are stored,
    then (``rebuild``) recount the rollups from the answers. Returns the seconds spent."""
    from sqlalchemy import func, select

    from portal.extensions import db
    from portal.risk import rollup
    from portal.surveys.models import Answer, Campaign, Response

    started = time.perf_counter()
    app = make_app(instance)
    have = answers_stored(app)
    if have >= target:
        return 0.0
    rng = random.Random(seed + have)
    with app.app_context():
        campaign = db.session.scalar(
            select(Campaign).where(Campaign.stakeholder_group == "workers")
        )
        templates: list[list[tuple]] = []
        for response in db.session.scalars(
            select(Response).where(Response.campaign_id == campaign.id).limit(300)
        ):
            templates.append([(a.question, a.value, a.number) for a in response.answers])
        sites = list(campaign.sites)
        weights = [site.headcount or 1 for site in sites]
        today = min(campaign.closes_on, _today())
        days = (today - campaign.opens_on).days
        next_id = (db.session.scalar(select(func.max(Response.id))) or 0) + 1
        responses_table, answers_table = Response.__table__, Answer.__table__
        connection = db.session.connection()
        while have < target:
            response_rows, answer_rows = [], []
            while have < target and len(answer_rows) < 50_000:
                site = rng.choices(sites, weights)[0]
                languages = [code for code in site.languages if code in campaign.languages]
                response_rows.append({
                    "id": next_id, "campaign_id": campaign.id,
                    "survey_version_id": campaign.survey_version_id, "site_id": site.id,
                    "stakeholder_group": "workers",
                    "language": rng.choice(languages or campaign.languages),
                    "submitted_on": campaign.opens_on + timedelta(days=rng.randint(0, days)),
                    "status": "complete",
                })  # fmt: skip
                template = rng.choice(templates)
                answer_rows.extend(
                    {"response_id": next_id, "question": question, "value": value,
                     "number": number}
                    for question, value, number in template
                )  # fmt: skip
                have += len(template)
                next_id += 1
            connection.execute(responses_table.insert(), response_rows)
            connection.execute(answers_table.insert(), answer_rows)
        db.session.commit()
        inserted = time.perf_counter()
        print(f"  bulk insert up to {have:,} answers: {inserted - started:.0f} s")
        if not rebuild:
            return time.perf_counter() - started
        counted = rollup.rebuild()
        print(
            f"  rollups rebuilt from {counted:,} responses: {time.perf_counter() - inserted:.0f} s"
        )
    return time.perf_counter() - started


def _today():
    from datetime import UTC, datetime

    return datetime.now(UTC).date()


# --- measuring (in a child process) ----------------------------------------------------------


WIDE = tuple(f"wide.{fmt}" for fmt in ("csv", "xlsx", "dta", "sav", "parquet"))


def _worker_version(app) -> int:
    from sqlalchemy import select

    from portal.extensions import db
    from portal.surveys.models import Campaign

    with app.app_context():
        return db.session.scalar(
            select(Campaign.survey_version_id).where(Campaign.stakeholder_group == "workers")
        )


def measure(instance: Path, export: str, trace: bool) -> dict:
    """Download one export (``responses.csv``, ``wide.parquet`` …) once; the body is consumed
    chunk by chunk and dropped."""
    import tracemalloc

    from portal.demo import demo_logins
    from portal.exports import services, wide
    from portal.extensions import db

    name, fmt = export.split(".")
    app = make_app(instance)
    version = _worker_version(app) if name == "wide" else None
    url = f"/exports/wide/{version}.{fmt}" if version else f"/exports/responses.{fmt}"
    login = next(item for item in demo_logins() if item.role == "compliance")
    client = app.test_client()
    client.post("/login", data={"email": login.email, "password": login.password})
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    hwm_before = _high_water_mark()
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    response = client.get(url)
    first_byte = None
    size = lines = 0
    for chunk in response.response:
        if first_byte is None:
            first_byte = time.perf_counter() - started
        size += len(chunk)
        lines += chunk.count(b"\r\n")
    response.close()
    seconds = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1] if trace else None
    if trace:
        tracemalloc.stop()
    with app.app_context():  # after the export, so that it does not count towards its memory
        if version:
            total = wide._counts(services.response_snapshot(), version)[0]
        else:
            total = answers_stored(app) - services.response_snapshot().left_out_answers
        db.session.remove()
    rows = lines - 1 if fmt == "csv" else total
    return {
        "export": export, "status": response.status_code, "streamed": response.is_streamed,
        "rows": rows, "expected_rows": total, "bytes": size, "seconds": seconds,
        "first_byte": first_byte, "rows_per_second": rows / seconds if seconds else None,
        "tracemalloc_peak": peak, "maxrss_before": before * 1024,
        "maxrss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
        "hwm_before": hwm_before, "hwm": _high_water_mark(),
        # The SPSS file is written by a process of its own (portal/exports/sav_child.py).
        "children_maxrss": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024,
    }  # fmt: skip


def _high_water_mark() -> int | None:
    """VmHWM (Linux): this process image's peak resident set, in bytes."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def run_step(*arguments: str) -> None:
    """Build steps run in child processes too: the parent stays small, because a child's
    ru_maxrss starts from the resident set of the process that started it (Linux keeps the
    high-water mark across fork and exec), and the bulk load is big."""
    command = [sys.executable, __file__, *arguments]
    done = subprocess.run(command, check=False, capture_output=True, text=True)
    print(done.stdout, end="")
    if done.returncode:
        raise SystemExit(done.stderr)


def run_child(instance: Path, export: str, trace: bool) -> dict:
    command = [sys.executable, __file__, "--measure", export, "--instance", str(instance)]
    if trace:
        command.append("--trace")
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def report(label: str, plain: dict, traced: dict | None) -> None:
    mb = 1024 * 1024
    what = "answer rows" if plain["export"].startswith("responses") else "responses (rows)"
    print(f"\n{label}: {plain['rows']:,} {what} exported "
          f"(expected {plain['expected_rows']:,}), {plain['bytes'] / mb:,.1f} MB, "
          f"HTTP {plain['status']}, streamed={plain['streamed']}")  # fmt: skip
    print(f"  time {plain['seconds']:.1f} s, first byte after {plain['first_byte']:.2f} s, "
          f"{plain['rows_per_second']:,.0f} rows/s")  # fmt: skip
    verdict = "within" if plain["maxrss"] <= BUDGET_MB * mb else "OVER"
    print(
        f"  ru_maxrss {plain['maxrss'] / mb:,.0f} MB for the whole process "
        f"({plain['maxrss_before'] / mb:,.0f} MB after importing the app and logging in): "
        f"{verdict} the {BUDGET_MB} MB budget"
    )
    if plain["hwm"]:
        print(f"  VmHWM {plain['hwm'] / mb:,.0f} MB "
              f"({plain['hwm_before'] / mb:,.0f} MB before the export)")  # fmt: skip
    if plain["children_maxrss"]:
        verdict = "within" if plain["children_maxrss"] <= BUDGET_MB * mb else "OVER"
        print(f"  child process (the SPSS writer) ru_maxrss "
              f"{plain['children_maxrss'] / mb:,.0f} MB: {verdict} the budget")  # fmt: skip
    if traced:
        print(f"  tracemalloc peak {traced['tracemalloc_peak'] / mb:,.1f} MB of Python "
              f"allocations during the export (traced run: {traced['seconds']:.1f} s, "
              f"ru_maxrss {traced['maxrss'] / mb:,.0f} MB)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--answers", type=int, default=1_000_000)
    parser.add_argument("--xlsx-answers", type=int, default=100_000)
    parser.add_argument("--frame-answers", type=int, default=2_500_000)
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--instance", help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--base", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--grow", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--rebuild", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(Path(args.instance), args.measure, args.trace)))
        return
    if args.base:
        build_base(Path(args.instance))
        return
    if args.grow:
        grow(Path(args.instance), args.grow, rebuild=args.rebuild)
        return
    instance = Path(tempfile.mkdtemp(prefix="portal-bench-export-"))
    copies: list[Path] = []
    try:
        started = time.perf_counter()
        print(f"Instance {instance}: migrations and demo data ...")
        run_step("--base", "--instance", str(instance))
        steps = [(args.xlsx_answers, ("responses.xlsx",)),
                 (args.answers, ("responses.csv", "responses.xlsx", *WIDE))]  # fmt: skip
        if args.frame_answers:
            steps.append((args.frame_answers, ("wide.dta", "wide.sav")))
        steps.sort(key=lambda step: step[0])
        background: list[tuple[threading.Thread, list]] = []
        for index, (target, exports) in enumerate(steps):
            last = index == len(steps) - 1
            print(f"Growing to {target:,} answers (bulk path) ...")
            # The rollups are recounted once, at --answers: the exports measured do not read
            # them, and a recount takes minutes at 1,000,000 answers.
            rebuild = ["--rebuild"] if target == args.answers else []
            run_step("--grow", str(target), "--instance", str(instance), *rebuild)
            # Earlier steps are measured on a copy of the database, on the other core, while
            # this one grows on.
            where = instance if last else snapshot_instance(instance)
            if not last:
                copies.append(where)
            if last:  # alone: the measurements of the earlier steps end first
                for thread, _results in background:
                    thread.join()
            results: list = []
            thread = threading.Thread(target=_measure_all, args=(where, target, exports, results))
            thread.start()
            background.append((thread, results))
        for thread, results in background:
            thread.join()
            for label, plain, traced in results:
                report(label, plain, traced)
        print(f"\nTotal {time.perf_counter() - started:.0f} s")
    finally:
        for folder in (instance, *copies):
            shutil.rmtree(folder, ignore_errors=True)


def _measure_all(instance: Path, target: int, exports, results: list) -> None:
    for export in exports:
        plain = run_child(instance, export, trace=False)
        traced = run_child(instance, export, trace=True) if export.startswith("resp") else None
        results.append((f"{export} at {target:,} answers", plain, traced))


def snapshot_instance(instance: Path) -> Path:
    """A consistent copy of the instance folder (SQLite's backup API for the database)."""
    import sqlite3

    copy = Path(tempfile.mkdtemp(prefix="portal-bench-export-copy-"))
    for item in instance.iterdir():
        if item.is_file() and not item.name.startswith("portal.sqlite3"):
            shutil.copy2(item, copy / item.name)
    source = sqlite3.connect(instance / "portal.sqlite3")
    target = sqlite3.connect(copy / "portal.sqlite3")
    with target:
        source.backup(target)
    source.close()
    target.close()
    return copy


if __name__ == "__main__":
    main()
