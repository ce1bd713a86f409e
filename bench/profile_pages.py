"""Where an anonymous request's time goes: cProfile through the Flask test client.

Usage: .venv/bin/python bench/profile_pages.py [--requests 300] [--lang bn] [--top 25]
       [--database-url URL] [--page NAME ...]

Builds a throwaway demo instance (as bench/serve.py does), then for each anonymous page (site
page, survey start, survey screen GET, screen POST, the storing finish POST, report form,
receipt page) makes the same request ``--requests`` times under cProfile with the project's
production-like settings (compression on, CSRF on, rate limits off: every request comes from
one address). Printed per page:

- milliseconds per request (wall clock, profiler on: read them as shares, not as speed);
- SQL statements per request, counted with an engine ``before_cursor_execute`` listener;
- each cause's share of the request, by the functions the time was spent under (cumulative
  time of the first matching frame on the stack: campaign and site look-ups, template
  rendering, gettext, compression, session and CSRF signing, the rate limiter, logging, the
  database driver), and the top functions by own time when ``--top`` is given.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

#: Cause → function names (``file:function`` regular expressions) whose cumulative time is it.
CAUSES = {
    "site/campaign look-ups": r"portal/(surveys|suppliers)/queries\.py:(site_campaign|"
    r"responding_site_campaign|site_by_code|open_public_campaigns|campaign_or_404)$|portal/engagement/consult"
    r"\.py:open_for$|portal/accounts/services\.py:organisation_name$",
    "survey engine (skip logic)": r"portal/surveys/engine\.py:(step|build_form|relevant_screens)$",
    "before-request hooks": r"flask/app\.py:preprocess_request$",
    "response processing": r"flask/app\.py:process_response$",
    "template rendering": r"jinja2/environment\.py:render$|flask/templating\.py:_render$",
    "gettext lookups": r"flask_babel/__init__\.py:(gettext|ngettext|get_translations|lazy)",
    "compression": r"flask_compress/flask_compress\.py:(after_request|compress)$",
    "session signing": r"flask/sessions\.py:(save_session|open_session)$",
    "CSRF token": r"flask_wtf/csrf\.py:(generate_csrf|validate_csrf|protect)$",
    "rate limiter": r"flask_limiter/.*:(_check_request_limit|__check_all_limits_exceeded)$",
    "security headers": r"portal/security\.py:set_security_headers$",
    "access check": r"portal/security\.py:check_access$",
    "SQL (driver and ORM)": r"sqlalchemy/engine/base\.py:_execute_context$",
    "response storing": r"portal/surveys/services\.py:submit_response$",
    "logging": r"logging/__init__\.py:(handle|_log)$",
}


def _cumulative(stats: pstats.Stats, pattern: str) -> float:
    """Cumulative seconds of the functions matching ``pattern``, without counting a matching
    function that runs inside another matching one twice (its callers' totals include it)."""
    matcher = re.compile(pattern)
    total = 0.0
    for (filename, _line, name), (_cc, _nc, _tt, ct, callers) in stats.stats.items():
        if not matcher.search(f"{filename}:{name}"):
            continue
        outer = ct
        for caller in callers:
            if matcher.search(f"{caller[0]}:{caller[2]}"):
                outer -= callers[caller][3]  # the part a matching caller already counts
        total += max(outer, 0.0)
    return total


def build(instance: Path, database_url: str | None):
    import serve  # the same throwaway instance as the load bench

    _env, targets = serve.prepare(instance, database_url)
    from portal import create_app

    app = create_app({"PASSWORD_HASH_METHOD": "scrypt:1024:8:1"})
    return app, targets


def pages(targets: dict, lang: str):
    """Name → (method, path, form factory or None). Form factories read the page first."""
    site = "/s/{code}".format(**targets)
    survey = f"{site}/survey/{targets['campaign']}"
    return {
        "site page": ("GET", f"{site}?lang={lang}"),
        "survey start": ("GET", f"{survey}?lang={lang}"),
        "screen GET": ("GET", f"{survey}/q/{{first}}"),
        "screen POST": ("POST", f"{survey}/q/{{first}}"),
        "finish POST (stores)": ("POST", f"{survey}/finish"),
        "report form": ("GET", f"{site}/report?who=worker&lang={lang}"),
        "receipt page": ("GET", "{receipt}"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--lang", default="bn")
    parser.add_argument("--top", type=int, default=0, help="also print the top N functions")
    parser.add_argument("--sql", action="store_true", help="print the last request's SQL")
    parser.add_argument("--sort", default="tottime", help="pstats order of the top list")
    parser.add_argument("--database-url", help="PostgreSQL URL (a throwaway schema)")
    parser.add_argument("--page", nargs="*", help="only these pages (names as printed)")
    args = parser.parse_args()

    import serve
    from sqlalchemy import event

    from portal.extensions import db

    instance = Path(tempfile.mkdtemp(prefix="portal-profile-"))
    with serve.throwaway_schema(args.database_url) as database_url:
        try:
            app, targets = build(instance, database_url)
            app.config["RATELIMIT_ENABLED"] = False
            run(app, targets, args, db, event)
        finally:
            shutil.rmtree(instance, ignore_errors=True)


def run(app, targets, args, db, event) -> None:
    import serve

    client = app.test_client()
    headers = {"Accept-Encoding": "br, gzip", "Accept-Language": args.lang}
    statements = [0]
    with app.app_context():
        engine = db.engine

    last: list[str] = []

    def count(_conn, _cursor, statement, *_args):
        statements[0] += 1
        last.append(" ".join(statement.split())[:150])

    event.listen(engine, "before_cursor_execute", count)

    def fetch(method, path, form=None):
        response = client.open(path, method=method, data=form, headers=headers)
        body = response.get_data()
        return response, body

    def text_of(response) -> str:
        return serve.decode(response.headers.get("Content-Encoding"), response.get_data())

    survey = "/s/{code}/survey/{campaign}".format(**targets)

    def start_survey() -> str:
        client.delete_cookie("session")
        response, _ = fetch("GET", survey)
        response, _ = fetch("POST", survey, serve.form_of(text_of(response)))
        return response.headers["Location"]

    first = start_survey()
    targets = {**targets, "first": first.rsplit("/", 1)[1]}
    report = "/s/{code}/report?who=worker".format(**targets)
    response, _ = fetch("GET", report)
    form = serve.form_of(text_of(response), answer=False) | serve.REPORT_FIELDS
    receipt = fetch("POST", report, form)[0].headers["Location"]
    targets["receipt"] = receipt

    print(
        f"{args.requests} requests per page, Accept-Language {args.lang}, profiler on "
        f"(ms are inflated: read the shares); database: {engine.dialect.name}\n"
    )
    for name, (method, template) in pages(targets, args.lang).items():
        if args.page and name not in args.page:
            continue
        path = template.format(**targets)

        def one(method=method, path=path, name=name):
            if name == "screen POST":
                response, _ = fetch("GET", path)
                return ("POST", path, serve.form_of(text_of(response)))
            if name.startswith("finish"):  # a whole survey by a new respondent, then send
                location = start_survey()
                while not location.endswith("/finish"):
                    response, _ = fetch("GET", location)
                    response, _ = fetch("POST", location, serve.form_of(text_of(response)))
                    location = response.headers["Location"]
                response, _ = fetch("GET", location)
                return ("POST", location, serve.form_of(text_of(response)))
            return (method, path, None)

        fetch(*one())  # warm caches (templates, catalogs, specs)
        profiler = cProfile.Profile()
        elapsed, counted = 0.0, 0
        for _ in range(args.requests):
            request = one()
            statements[0] = 0
            last.clear()
            profiler.enable()
            started = time.perf_counter()
            response, _ = fetch(*request)
            elapsed += time.perf_counter() - started
            profiler.disable()
            counted += statements[0]
            assert response.status_code in (200, 302), (name, response.status_code)
        stats = pstats.Stats(profiler)
        per_request = elapsed / args.requests * 1000
        total = stats.total_tt or 1e-9
        sql = counted / args.requests
        print(f"== {name}: {per_request:.2f} ms per request, {sql:.1f} SQL statements")
        for cause, pattern in CAUSES.items():
            share = _cumulative(stats, pattern) / total
            if share >= 0.005:
                print(f"   {cause:<24} {share:6.1%}")
        if args.sql:
            print("   statements of the last request:", *last, sep="\n     ")
        if args.top:
            stats.sort_stats(args.sort).print_stats(args.top)
        print()


if __name__ == "__main__":
    main()
