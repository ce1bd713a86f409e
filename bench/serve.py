"""Serving capacity of the anonymous pages and submissions, under gunicorn on loopback.

Usage: .venv/bin/python bench/serve.py [--levels 1 4 16] [--seconds 6] [--database-url URL]

Builds a throwaway instance (SQLite by default, or a throwaway schema of the PostgreSQL database
given), loads the demo data, starts gunicorn with the project's gunicorn.conf.py, and for each
concurrency level drives each scenario for a fixed time from separate client processes (one per
simulated visitor, each with its own keep-alive connection and cookie, as phones would be).

Printed per scenario and level: requests per second, p50 and p95 latency of one request, and
the same as a ratio to the ceiling: ``/healthz`` (one ``SELECT 1`` through the same app,
middleware and server). A submission scenario also prints whole submissions per second.

Rate limits are switched off for the run (``PORTAL_RATELIMIT_ENABLED=false``): every simulated
visitor shares 127.0.0.1, and the limits would otherwise stop the load, not measure the server.
The client processes share the machine's cores with the server, so absolute figures are lower
bounds; compare the ratios.
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

#: The visitors' language (Accept-Language): a Bengali phone, as most demo workers have.
LANGUAGE = "bn"
REPORT_FIELDS = {
    "who": "worker",
    "category": "wages",
    "description": "The wages of October were paid three weeks late again.",
}
RECEIPT = re.compile(r'class="receipt-number"[^>]*>([\d ]+)<')


# --- the server -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def prepare(instance: Path, database_url: str | None) -> tuple[dict, dict]:
    """Migrate, load the demo, and return the server environment and the targets to hit."""
    # This process builds the database; gunicorn inherits the same settings.
    os.environ.update(
        PORTAL_INSTANCE_PATH=str(instance),
        PORTAL_RATELIMIT_ENABLED="false",
        PORTAL_LOG_LEVEL="warning",
    )
    os.environ.pop("RATELIMIT_STORAGE_URI", None)
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    env = dict(os.environ)
    from flask_migrate import upgrade
    from sqlalchemy import select

    from portal import create_app
    from portal.extensions import db
    from portal.surveys.models import Campaign

    app = create_app({"PASSWORD_HASH_METHOD": "scrypt:1024:8:1"})
    with app.app_context():
        upgrade()
        result = app.test_cli_runner().invoke(args=["demo", "--responses", "0"])
        if result.exit_code:
            raise SystemExit(result.output)
        campaign = db.session.scalars(
            select(Campaign).where(Campaign.stakeholder_group == "workers")
        ).first()
        site = campaign.sites[0]
        targets = {"code": site.code, "campaign": campaign.id}
    return env, targets


def start_gunicorn(env: dict, port: int, app: str = "portal:create_app()") -> subprocess.Popen:
    """The project's gunicorn.conf.py serving ``app`` (the bare yardstick runs from bench/)."""
    env = {**env, "PORTAL_BIND": f"127.0.0.1:{port}", "PYTHONPATH": str(ROOT / "bench")}
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "--config", "gunicorn.conf.py", app],
        cwd=ROOT, env=env, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            time.sleep(0.2)
    os.killpg(server.pid, signal.SIGKILL)
    raise SystemExit("gunicorn did not start")


# --- a phone's worth of HTTP client --------------------------------------------------------------


class Visitor:
    """One keep-alive connection with one cookie, like a phone's browser."""

    def __init__(self, port: int):
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookie = ""
        #: A frozen cookie is sent as it is and never replaced (a replayed session).
        self.frozen = False
        #: What a scenario prepared once for this visitor (an in-progress survey...).
        self.prepared: dict = {}
        self.latencies: list[float] = []

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str, str]:
        headers = {"Accept-Encoding": "gzip, br", "Accept-Language": LANGUAGE}
        if self.cookie:
            headers["Cookie"] = self.cookie
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            data = response.read()
        except (http.client.HTTPException, OSError):
            self.connection.close()
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            raise
        self.latencies.append(time.perf_counter() - started)
        cookie = response.getheader("Set-Cookie")
        if cookie and not self.frozen:
            self.cookie = cookie.split(";", 1)[0]
        location = urlsplit(response.getheader("Location") or "")
        target = location.path + (f"?{location.query}" if location.query else "")
        data = decode(response.getheader("Content-Encoding"), data)
        return response.status, target, data


def decode(encoding: str | None, data: bytes) -> str:
    """A compressed body as text."""
    if encoding == "gzip":
        import gzip

        data = gzip.decompress(data)
    elif encoding == "br":
        import brotli

        data = brotli.decompress(data)
    elif encoding == "zstd":
        from flask_compress.compat import compression

        data = compression.zstd.decompress(data)
    return data.decode("utf-8", "replace")


class FormReader(HTMLParser):
    """The fields of the form on a page; with ``answer``, answered like a cautious worker
    (first choice of each question, 40 hours), else only the hidden ones (the CSRF token)."""

    def __init__(self, answer: bool):
        super().__init__()
        self.answer = answer
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag != "input" or not name:
            return
        kind = attrs.get("type", "text")
        if kind == "hidden":
            self.fields[name] = attrs.get("value", "")
        elif not self.answer:
            return
        elif kind in ("radio", "checkbox"):
            self.fields.setdefault(name, attrs.get("value", ""))
        elif "number" in (attrs.get("class") or ""):
            self.fields[name] = "40"


def form_of(html: str, answer: bool = True) -> dict[str, str]:
    reader = FormReader(answer)
    reader.feed(html)
    return reader.fields


# --- scenarios: each returns how many requests it made ----------------------------------------


def page(path: str):
    def run(visitor: Visitor, targets: dict) -> int:
        status, _, _ = visitor.request("GET", path.format(**targets))
        assert status == 200, (path, status)
        return 1

    return run


def _answer_survey(visitor: Visitor, targets: dict) -> tuple[int, str, str]:
    """Start a survey as a new respondent and answer every screen: (requests, the "ready to
    send" page's path, its HTML)."""
    visitor.cookie = ""
    start = "/s/{code}/survey/{campaign}".format(**targets)
    status, location, html = visitor.request("GET", start)
    status, location, html = visitor.request("POST", start, form_of(html))
    requests = 2
    while "/finish" not in location:
        assert status == 302, (location, status)
        status, _, html = visitor.request("GET", location)
        status, next_location, _ = visitor.request("POST", location, form_of(html))
        requests += 2
        assert status == 302, (location, status)
        location = next_location
    status, _, html = visitor.request("GET", location)
    return requests + 1, location, html


def survey_submission(visitor: Visitor, targets: dict) -> int:
    """A whole worker survey, start to thanks, by a new respondent."""
    requests, location, html = _answer_survey(visitor, targets)
    status, thanks, _ = visitor.request("POST", location, form_of(html))
    assert status == 302 and thanks.endswith("/thanks"), (status, thanks)
    return requests + 1


def _in_survey(visitor: Visitor, targets: dict) -> dict:
    """Once per visitor: a survey started (its first screen), kept in the visitor's cookie."""
    if "first" not in visitor.prepared:
        start = "/s/{code}/survey/{campaign}".format(**targets)
        _, _, html = visitor.request("GET", start)
        _, first, _ = visitor.request("POST", start, form_of(html))
        _, _, html = visitor.request("GET", first)
        visitor.prepared.update(first=first, answers=form_of(html))
        visitor.latencies.clear()
    return visitor.prepared


def screen_get(visitor: Visitor, targets: dict) -> int:
    status, _, _ = visitor.request("GET", _in_survey(visitor, targets)["first"])
    assert status == 200, status
    return 1


def screen_post(visitor: Visitor, targets: dict) -> int:
    """An answered screen sent: checked, kept in the session, redirected to the next."""
    prepared = _in_survey(visitor, targets)
    status, _, _ = visitor.request("POST", prepared["first"], prepared["answers"])
    assert status == 302, status
    return 1


def _ready_to_send(visitor: Visitor, targets: dict) -> dict:
    """Once per visitor: a survey answered to its "ready to send" page, whose session is then
    replayed (frozen cookie: the cookie carries the answers)."""
    if "finish" not in visitor.prepared:
        _, location, html = _answer_survey(visitor, targets)
        visitor.prepared.update(finish=location, form=form_of(html))
        visitor.frozen = True
        visitor.latencies.clear()
    return visitor.prepared


def finish_post(visitor: Visitor, targets: dict) -> int:
    """The storing POST alone: each request stores a response, updates the rollups and
    commits."""
    prepared = _ready_to_send(visitor, targets)
    status, thanks, _ = visitor.request("POST", prepared["finish"], prepared["form"])
    assert status == 302 and thanks.endswith("/thanks"), (status, thanks)
    return 1


def _receipt_of_report(visitor: Visitor, targets: dict) -> dict:
    """Once per visitor: a report sent; the receipt page's session is then replayed."""
    if "receipt" not in visitor.prepared:
        path = "/s/{code}/report?who=worker".format(**targets)
        _, _, html = visitor.request("GET", path)
        form = form_of(html, answer=False) | REPORT_FIELDS
        _, receipt, _ = visitor.request("POST", path, form)
        visitor.prepared["receipt"] = receipt
        visitor.frozen = True
        visitor.latencies.clear()
    return visitor.prepared


def receipt_page(visitor: Visitor, targets: dict) -> int:
    """The receipt shown after a report (its session replayed: the number shows each time)."""
    status, _, html = visitor.request("GET", _receipt_of_report(visitor, targets)["receipt"])
    assert status == 200 and RECEIPT.search(html), status
    return 1


def grievance_submission(visitor: Visitor, targets: dict) -> int:
    """A report by a new visitor: form, send, read the receipt."""
    visitor.cookie = ""
    path = "/s/{code}/report?who=worker".format(**targets)
    _, _, html = visitor.request("GET", path)
    form = form_of(html, answer=False) | REPORT_FIELDS
    status, receipt_page, _ = visitor.request("POST", path, form)
    assert status == 302, status
    status, _, html = visitor.request("GET", receipt_page)
    assert status == 200 and RECEIPT.search(html), status
    return 3


def bare_form(visitor: Visitor, targets: dict) -> int:
    form = {f"q{n}": "yes" for n in range(6)}
    status, _, _ = visitor.request("POST", "/form", form)
    assert status == 302, status
    return 1


BARE_PAGE, BARE_FORM = "bare page: Flask+Jinja+Babel", "bare form POST: one insert"
SCENARIOS = {
    BARE_PAGE: page("/page"),
    BARE_FORM: bare_form,
    "/healthz (SELECT 1)": page("/healthz"),
    "start page /": page("/"),
    "site page /s/<code>": page("/s/{code}"),
    "survey start page": page("/s/{code}/survey/{campaign}"),
    "survey screen GET": screen_get,
    "survey screen POST": screen_post,
    "survey finish POST (stores)": finish_post,
    "report form": page("/s/{code}/report?who=worker"),
    "report receipt page": receipt_page,
    "survey submission (whole)": survey_submission,
    "grievance submission (whole)": grievance_submission,
}
#: Each scenario's yardstick, measured at the same level in the same run.
YARDSTICK = {
    name: BARE_FORM if ("POST" in name or "whole" in name) else BARE_PAGE
    for name in SCENARIOS
    if not name.startswith("bare")
}


#: Scenarios whose visitors set something up first (a survey started or answered, a report
#: sent): done before the clock starts, so the window measures only the scenario's request.
PREPARE = {
    "survey screen GET": _in_survey,
    "survey screen POST": _in_survey,
    "survey finish POST (stores)": lambda visitor, targets: _ready_to_send(visitor, targets),
    "report receipt page": lambda visitor, targets: _receipt_of_report(visitor, targets),
}


def visitor_process(port, targets, scenario, ready, window, results):
    visitor = Visitor(targets["bare_port"] if scenario.startswith("bare") else port)
    run = SCENARIOS[scenario]
    done = requests = errors = 0
    if scenario in PREPARE:
        PREPARE[scenario](visitor, targets)
        visitor.latencies.clear()
    ready.put(True)
    start_at, stop_at = window.get()
    while time.time() < start_at:
        time.sleep(0.001)
    while time.time() < stop_at:
        try:
            requests += run(visitor, targets)
            done += 1
        except (AssertionError, http.client.HTTPException, OSError):
            errors += 1
    results.put((done, requests, errors, visitor.latencies))


def measure(port: int, targets: dict, scenario: str, level: int, seconds: float) -> dict:
    results, ready, window = (multiprocessing.Queue() for _ in range(3))
    workers = [
        multiprocessing.Process(
            target=visitor_process, args=(port, targets, scenario, ready, window, results)
        )
        for _ in range(level)
    ]
    for worker in workers:
        worker.start()
    for _ in workers:  # every visitor prepared: start them together
        ready.get()
    start_at = time.time() + 0.2
    for _ in workers:
        window.put((start_at, start_at + seconds))
    gathered = [results.get() for _ in workers]
    for worker in workers:
        worker.join()
    latencies = sorted(x for _, _, _, values in gathered for x in values)
    quantiles = statistics.quantiles(latencies, n=20) if len(latencies) > 1 else [0] * 19
    return {
        "done": sum(g[0] for g in gathered) / seconds,
        "rps": sum(g[1] for g in gathered) / seconds,
        "errors": sum(g[2] for g in gathered),
        "p50": statistics.median(latencies) * 1000 if latencies else 0,
        "p95": quantiles[18] * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--levels", type=int, nargs="+", default=[1, 4, 16])
    parser.add_argument("--seconds", type=float, default=6.0, help="per scenario and level")
    parser.add_argument("--only", nargs="*", help="only the scenarios whose name contains one")
    parser.add_argument(
        "--database-url",
        help="PostgreSQL URL; a throwaway schema is created in it and dropped afterwards",
    )
    args = parser.parse_args()

    instance = Path(tempfile.mkdtemp(prefix="portal-serve-"))
    servers = []
    with throwaway_schema(args.database_url) as database_url:
        try:
            env, targets = prepare(instance, database_url)
            port, bare_port = free_port(), free_port()
            servers.append(start_gunicorn(env, port))
            bare_env = {**env, "BARE_DATABASE_URL": env.get("DATABASE_URL")
                        or "sqlite:///" + str(instance / "bare.sqlite3")}  # fmt: skip
            servers.append(start_gunicorn(bare_env, bare_port, app="bare_app:create()"))
            targets["bare_port"] = bare_port
            report(args, port, targets, database_url)
        finally:
            for server in servers:
                os.killpg(server.pid, signal.SIGTERM)
                server.wait(timeout=30)
            shutil.rmtree(instance, ignore_errors=True)


def report(args, port: int, targets: dict, database_url: str | None) -> None:
    workers = os.environ.get("WEB_CONCURRENCY", (os.cpu_count() or 1) + 1)
    print(
        f"gunicorn {os.environ.get('PORTAL_WORKER_CLASS', 'gthread')}, {workers} workers × "
        f"{os.environ.get('PORTAL_THREADS', 4)} threads on {os.cpu_count()} cores; database: "
        f"{'PostgreSQL' if database_url else 'SQLite'}; {args.seconds:g} s per scenario and "
        "level; client processes share the cores\n"
    )
    chosen = [name for name in SCENARIOS if not args.only or any(o in name for o in args.only)]
    for scenario in chosen:  # warm every worker's caches once
        measure(port, targets, scenario, 2, 1.0)
    header = (
        f"{'scenario':<34} {'conc':>4} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} "
        f"{'× bare rps':>10} {'× bare p95':>10} {'whole/s':>8} {'errors':>6}"
    )
    print(header)
    print("-" * len(header))
    for level in args.levels:
        yardsticks: dict[str, dict] = {}
        for scenario in chosen:
            figures = measure(port, targets, scenario, level, args.seconds)
            if scenario in YARDSTICK.values():
                yardsticks[scenario] = figures
            bare = yardsticks.get(YARDSTICK.get(scenario, ""))
            rps = f"{figures['rps'] / bare['rps']:.2f}" if bare else ""
            p95 = f"{figures['p95'] / bare['p95']:.2f}" if bare else ""
            whole = f"{figures['done']:.1f}" if "whole" in scenario else ""
            print(
                f"{scenario:<34} {level:>4} {figures['rps']:>7.0f} {figures['p50']:>7.1f} "
                f"{figures['p95']:>7.1f} {rps:>10} {p95:>10} {whole:>8} {figures['errors']:>6}",
                flush=True,
            )
        print()


@contextmanager
def throwaway_schema(database_url: str | None):
    """None for SQLite; else a PostgreSQL URL scoped to a new schema, dropped afterwards."""
    if not database_url:
        yield None
        return
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from portal.config import normalise_database_url

    schema = f"portal_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(normalise_database_url(database_url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield (
            make_url(normalise_database_url(database_url))
            .update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False)
        )
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


if __name__ == "__main__":
    main()
