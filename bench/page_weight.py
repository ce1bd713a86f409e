"""Bytes transferred by every anonymous page, measured in Debian chromium.

Usage: .venv/bin/python bench/page_weight.py [--lang en --lang ar ...]

Every page is loaded with the browser cache disabled, so each one pays for its CSS.
Builds a throwaway instance (SQLite, demo data), serves it on a free loopback port, walks the
anonymous pages as a worker would (start page, site page, the worker survey screen by screen,
the grievance forms when present) and prints, per page, the bytes on the wire (compressed
bodies plus headers of every response the page needed, CSS included) and any request that left
127.0.0.1. Budget (DESIGN §9): 14 KB per page, zero third-party requests.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BUDGET = 14 * 1024
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def build_app(instance: Path):
    os.environ["PORTAL_INSTANCE_PATH"] = str(instance)
    from flask_migrate import upgrade

    from portal import create_app

    app = create_app({"RATELIMIT_ENABLED": False, "PASSWORD_HASH_METHOD": "scrypt:1024:8:1"})
    with app.app_context():
        upgrade()
    result = app.test_cli_runner().invoke(args=["demo", "--responses", "30"])
    if result.exit_code:
        raise SystemExit(result.output)
    return app


def serve(app):
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"


class Meter:
    """Counts what one page load transfers, via Playwright's request sizes."""

    def __init__(self, page):
        self.page = page
        self.requests = []
        page.on("requestfinished", lambda request: self.requests.append(request))

    def load(self, action) -> tuple[int, int, list[str]]:
        self.requests.clear()
        started = time.perf_counter()
        action()
        self.page.wait_for_load_state("load")
        self.seconds = time.perf_counter() - started
        total, foreign = 0, []
        for request in self.requests:
            sizes = request.sizes()
            total += sizes["responseBodySize"] + sizes["responseHeadersSize"]
            if urlsplit(request.url).hostname not in ("127.0.0.1", None):
                foreign.append(request.url)
        return total, len(self.requests), foreign


def _unconditional(route):
    headers = {
        name: value
        for name, value in route.request.headers.items()
        if name.lower() not in ("if-none-match", "if-modified-since")
    }
    route.continue_(headers=headers)


def walk(base: str, page, meter: Meter, code: str, lang: str, rows: list):
    def record(name, action):
        size, count, foreign = meter.load(action)
        rows.append((lang, name, size, count, foreign, meter.seconds))

    record("start page /", lambda: page.goto(f"{base}/?lang={lang}"))
    record("site page /s/<code>", lambda: page.goto(f"{base}/s/{code}?lang={lang}"))
    survey_link = page.locator('a.action[href*="/survey/"]').first
    if survey_link.count():
        href = survey_link.get_attribute("href")
        record("survey: intro", lambda: page.goto(base + href))
        record("survey: screen 1", lambda: page.locator("main form button[type=submit]").click())
        for step in range(2, 40):
            if "/finish" in page.url:
                break
            for fieldset in page.locator("fieldset.question").all():
                fieldset.locator("input").first.check()
            for number in page.locator("input.number").all():
                number.fill("40")
            name = f"survey: screen {step}"
            record(name, lambda: page.locator("form.survey button[type=submit]").click())
        rows[-1] = (*rows[-1][:1], "survey: ready to send", *rows[-1][2:])
        record("survey: thank you", lambda: page.locator("main form button[type=submit]").click())
    # The grievance channel: choose who you are, the form, the form sent back with errors,
    # the receipt, and the follow-up page with the thread.
    page.goto(f"{base}/s/{code}?lang={lang}")
    report = page.locator('a.action[href*="/report"]')
    if report.count():
        href = report.first.get_attribute("href")
        record("report: who are you", lambda: page.goto(base + href))
        page.locator("input[name=who]").first.check()
        record("report: form", lambda: page.locator("main form button[type=submit]").click())
        record("report: form with errors", lambda: page.locator(
            "main form button[type=submit]").last.click())  # fmt: skip
        page.locator("input[name=category]").first.check()
        page.locator("textarea[name=description]").fill("I was not paid for two months.")
        record(
            "report: receipt", lambda: page.locator("main form button[type=submit]").last.click()
        )
        receipt = "".join(page.locator(".receipt-number, .receipt").first.inner_text().split())
        record("follow-up: enter receipt", lambda: page.goto(f"{base}/s/{code}/follow-up"))
        page.locator("input[name=receipt]").fill(receipt)
        record(
            "follow-up: thread", lambda: page.locator("main form button[type=submit]").last.click()
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", action="append", help="languages to measure (default: en ar my)")
    parser.add_argument(
        "--3g",
        dest="slow",
        action="store_true",
        help="throttle to the DESIGN §9 3G profile (400 kbit/s, 400 ms RTT) and report load times",
    )
    args = parser.parse_args()
    languages = args.lang or ["en", "ar", "my"]
    chromium = shutil.which("chromium")
    if not chromium:
        raise SystemExit("Debian chromium is required: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        app = build_app(Path(folder))
        server, base = serve(app)
        from sqlalchemy import select

        from portal.extensions import db
        from portal.suppliers.models import Site

        with app.app_context():
            code = db.session.scalar(
                select(Site.code).where(Site.name == "Al Hassan Estate Factory")
            )
        rows: list = []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=chromium, args=FLAGS)
            for lang in languages:
                context = browser.new_context(
                    viewport={"width": 360, "height": 640}, java_script_enabled=False
                )
                page = context.new_page()
                # Every page is measured cold: its CSS counts against its own budget. Disabling
                # the cache is not enough (chromium still revalidates and gets a 304), so the
                # conditional headers are dropped too.
                context.new_cdp_session(page).send(
                    "Network.setCacheDisabled", {"cacheDisabled": True}
                )
                context.route("**/*", _unconditional)
                if args.slow:
                    context.new_cdp_session(page).send(
                        "Network.emulateNetworkConditions",
                        {"offline": False, "latency": 400, "downloadThroughput": 50_000,
                         "uploadThroughput": 50_000},
                    )  # fmt: skip
                walk(base, page, Meter(page), code, lang, rows)
                context.close()
            browser.close()
        server.shutdown()

    print(f"{'lang':<5} {'page':<44} {'bytes':>7} {'reqs':>4}  budget  {'load s':>6}")
    for lang, name, size, count, foreign, seconds in rows:
        verdict = "ok" if size <= BUDGET and not foreign else "OVER" if size > BUDGET else "3rd"
        print(f"{lang:<5} {name:<44} {size:>7,} {count:>4}  {verdict:<6}  {seconds:>6.2f}")
    sizes = [row[2] for row in rows]
    third_party = sum(len(row[4]) for row in rows)
    print(
        f"\n{len(rows)} page loads; median {statistics.median(sizes):,.0f} B, "
        f"max {max(sizes):,} B ({max(sizes) / BUDGET:.0%} of the 14 KB budget); "
        f"third-party requests: {third_party}"
    )
    times = [row[5] for row in rows]
    print(
        f"load time{' on the 3G profile' if args.slow else ' (loopback, unthrottled)'}: "
        f"median {statistics.median(times):.2f} s, max {max(times):.2f} s"
    )


if __name__ == "__main__":
    main()
