"""`flask risk rebuild` at scale: seconds, answers per second and peak memory of the
column-wise recount (portal.risk.rebuild), and the row-by-row ORM path it replaced.

Usage: .venv/bin/python bench/rebuild.py [--answers 1000000] [--compare 50000]
       [--database-url postgresql+psycopg://...] [--keep DIR] [--readers cursor read_sql]

Builds a throwaway instance with ``bench/_bulk.py`` (200 sites, simulated worker-voice answer
sets inserted in bulk, rollups counted by ``rollup.add_many`` as each submission would): SQLite
in a temporary folder, or a throwaway schema of the PostgreSQL database given (dropped
afterwards). With ``--keep DIR`` a SQLite instance is built once into ``DIR/<answers>`` and
reused. Every measurement runs in a fresh child process, so ``ru_maxrss`` is the rebuild's own
(plus the imported application); each checks that the recount equals the rollups the bulk
load maintained. ``--compare N`` also times the old ORM path (one Response object at a time,
``selectinload`` of its answers, ``add_many`` per 2,000) on an instance of N answers, next to
the new path on the same instance. Prints figures; asserts nothing about time.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

MB = 1024 * 1024


def legacy_rebuild() -> int:
    """The ORM recount this bench compares against (portal/risk/rollup.py until 2026-12)."""
    from sqlalchemy import delete, select
    from sqlalchemy.orm import selectinload

    from portal.extensions import db
    from portal.risk.models import ResponseCount, RiskCell
    from portal.risk.rollup import add_many
    from portal.surveys.models import Response

    db.session.execute(delete(RiskCell))
    db.session.execute(delete(ResponseCount))
    counted, specs, batch = 0, {}, []
    stmt = (
        select(Response)
        .where(Response.status == "complete")
        .options(selectinload(Response.answers))
        .order_by(Response.id)
    )
    for response in db.session.scalars(stmt.execution_options(yield_per=1000)):
        if response.survey_version_id not in specs:
            specs[response.survey_version_id] = response.survey_version.spec()
        answers = {answer.question: answer.value for answer in response.answers}
        batch.append((response, specs[response.survey_version_id], answers))
        counted += 1
        if len(batch) == 2000:
            add_many(batch)
            batch.clear()
    add_many(batch)
    db.session.commit()
    return counted


def _rollups():
    from sqlalchemy import select

    from portal.extensions import db
    from portal.risk.models import ResponseCount, RiskCell

    cells = {(c.site_id, c.stakeholder_group, c.indicator, c.period): (c.k, c.n, c.missing)
             for c in db.session.scalars(select(RiskCell))}  # fmt: skip
    counts = {(c.campaign_id, c.site_id, c.day): c.count
              for c in db.session.scalars(select(ResponseCount))}  # fmt: skip
    db.session.rollback()
    return cells, counts


def measure(instance: Path, path: str, reader: str, chunk: int) -> dict:
    """One rebuild in this (fresh) process; the rollups are compared before and after."""
    import _bulk
    from sqlalchemy import func, select

    from portal.extensions import db
    from portal.risk import rebuild
    from portal.surveys.models import Answer, Response

    app = _bulk.open_instance(instance)
    with app.app_context():
        stmt = select(func.count(Answer.id)).join(Response).where(Response.status == "complete")
        answers = db.session.scalar(stmt)
        before = _rollups()
        maxrss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        started = time.perf_counter()
        if path == "orm":
            counted = legacy_rebuild()
        else:
            counted = rebuild.rebuild(chunk=chunk, reader=reader)
        seconds = time.perf_counter() - started
        maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        equal = _rollups() == before
        db.engine.dispose()
    return {"path": path, "reader": reader, "answers": answers, "responses": counted,
            "seconds": seconds, "maxrss": maxrss, "maxrss_before": maxrss_before,
            "equal": equal}  # fmt: skip


def child(*arguments: str) -> str:
    """Run this script again in a child process (the parent stays small: Linux keeps the
    resident high-water mark across fork and exec)."""
    done = subprocess.run([sys.executable, __file__, *arguments], capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(done.stdout + done.stderr)
    return done.stdout


def report(figures: dict) -> None:
    label = "ORM (old)" if figures["path"] == "orm" else f"pandas, {figures['reader']}"
    print(
        f"  {label:<18} {figures['answers']:>11,} answers {figures['responses']:>9,} responses"
        f" {figures['seconds']:>8.1f} s {figures['answers'] / figures['seconds']:>11,.0f} answers/s"
        f"  ru_maxrss {figures['maxrss'] / MB:>5,.0f} MB"
        f" ({figures['maxrss_before'] / MB:,.0f} MB before)"
        f"  {'equal to the incremental rollups' if figures['equal'] else 'DIFFERENT ROLLUPS'}",
        flush=True,
    )


def prepare(folder: Path, answers: int, keep: bool) -> None:
    if keep and (folder / "portal.sqlite3").exists():
        print(f"reusing {folder}", flush=True)
        return
    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    child("--build", str(answers), "--instance", str(folder))
    print(f"built {answers:,} answers in {time.perf_counter() - started:.0f} s", flush=True)


def run(folder: Path, path: str, reader: str, chunk: int, repeat: int) -> None:
    for _ in range(repeat):
        arguments = ["--measure", path, "--reader", reader, "--chunk", str(chunk)]
        output = child(*arguments, "--instance", str(folder))
        report(json.loads(output.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--answers", type=int, default=1_000_000)
    parser.add_argument("--compare", type=int, default=50_000, help="0: no ORM comparison")
    parser.add_argument("--database-url", help="PostgreSQL; a throwaway schema is used")
    parser.add_argument("--keep", type=Path, help="SQLite: build once into this folder")
    parser.add_argument("--readers", nargs="+", default=["cursor"],
                        choices=["cursor", "read_sql"])  # fmt: skip
    parser.add_argument("--chunk", type=int, default=5_000, help="responses per chunk")
    parser.add_argument("--repeat", type=int, default=1, help="measurements per configuration")
    parser.add_argument("--build", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--measure", choices=("pandas", "orm"), help=argparse.SUPPRESS)
    parser.add_argument("--reader", default="cursor", help=argparse.SUPPRESS)
    parser.add_argument("--instance", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.build:
        import _bulk

        _bulk.build(args.instance, args.build, log=lambda line: None)
        return
    if args.measure:
        print(json.dumps(measure(args.instance, args.measure, args.reader, args.chunk)))
        return
    scratch = Path(tempfile.mkdtemp(prefix="portal-bench-rebuild-"))
    admin, schemas = None, []
    try:
        sizes = [("compare", args.compare)] if args.compare else []
        sizes.append(("main", args.answers))
        for name, answers in sizes:
            folder = (args.keep if args.keep and not args.database_url else scratch) / str(answers)
            folder.mkdir(parents=True, exist_ok=True)
            if args.database_url:
                admin = admin or _admin(args.database_url)
                schemas.append(_schema(admin))
            print(f"\n{answers:,} answers on {'PostgreSQL' if schemas else 'SQLite'}, "
                  f"{os.cpu_count()} cores:", flush=True)  # fmt: skip
            prepare(folder, answers, keep=bool(args.keep) and not schemas)
            for reader in args.readers:
                run(folder, "pandas", reader, args.chunk, args.repeat)
            if name == "compare":
                run(folder, "orm", "cursor", args.chunk, 1)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        if admin is not None:
            from sqlalchemy import text

            with admin.connect() as conn:
                for schema in schemas:
                    conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            admin.dispose()


def _admin(url: str):
    """An autocommit engine on the PostgreSQL database (this process imports SQLAlchemy only:
    a child's ru_maxrss starts from this process's resident set)."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    url = make_url(url.replace("postgres://", "postgresql://", 1))
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    return create_engine(url, isolation_level="AUTOCOMMIT")


def _schema(admin) -> str:
    """A throwaway schema; the children find it through DATABASE_URL (its search_path)."""
    from sqlalchemy import text

    schema = f"portal_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    os.environ["DATABASE_URL"] = admin.url.update_query_dict(
        {"options": f"-csearch_path={schema}"}
    ).render_as_string(hide_password=False)
    return schema


if __name__ == "__main__":
    main()
