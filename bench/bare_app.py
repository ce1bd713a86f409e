"""The yardstick of bench/serve.py: the same stack with nothing of the portal in it.

A bare Flask + Jinja + Flask-Babel application served by the same gunicorn configuration in the
same run, so the portal's pages can be read as a ratio of what the framework itself does:

- ``GET /page``: a page rendered from a Jinja template with a dozen gettext lookups in the
  visitor's language (Accept-Language through a Flask-Babel locale selector, the portal's own
  Bengali catalog) — no database, no session, no compression, no security headers;
- ``POST /form``: reads a form of six fields and inserts one row (SQLAlchemy, the same database
  server as the portal, its own table), commits, and redirects, as a submission would.

Not part of the portal; never imported by it. Started as ``bare_app:create()``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from flask import Flask, redirect, render_template, request
from flask_babel import Babel
from jinja2 import DictLoader
from sqlalchemy import Column, Integer, MetaData, String, Table, create_engine, insert

ROOT = Path(__file__).resolve().parent.parent
PAGE = """<!doctype html>
<html lang="{{ lang }}"><head><meta charset="utf-8"><title>{{ _("Worker Voice Portal") }}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><header><a href="/">{{ _("Worker Voice Portal") }}</a></header>
<main><h1>{{ _("Your voice matters") }}</h1>
<p>{{ _("Anonymous.") }} {{ _("Next") }} · {{ _("Back") }}</p>
<form method="post" action="/form">
{% for n in range(6) %}<fieldset><legend>{{ _("Question %(n)s", n=n) }}</legend>
<label><input type="radio" name="q{{ n }}" value="yes"> {{ _("Yes") }}</label>
<label><input type="radio" name="q{{ n }}" value="no"> {{ _("No") }}</label></fieldset>
{% endfor %}<button>{{ _("Next") }}</button></form></main>
<footer>{{ _("Privacy") }}</footer></body></html>"""

metadata = MetaData()
rows = Table(
    "bare_bench_rows",
    metadata,
    Column("id", Integer, primary_key=True),
    *(Column(f"q{n}", String(10)) for n in range(6)),
)


def create() -> Flask:
    app = Flask(__name__)
    app.jinja_loader = DictLoader({"page.html": PAGE})  # compiled once, cached like any file
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(ROOT / "translations")
    Babel(app, locale_selector=lambda: request.accept_languages.best_match(["en", "bn", "ar"]))
    url = os.environ.get("BARE_DATABASE_URL", "sqlite:///" + str(ROOT / "instance/bare.sqlite3"))
    engine = create_engine(url, pool_size=8)
    if url.startswith("sqlite"):
        from sqlalchemy import event

        @event.listens_for(engine, "connect")
        def _pragmas(connection, _record):  # the portal's own (portal/db.py)
            for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "busy_timeout=5000"):
                connection.execute(f"PRAGMA {pragma}")

    metadata.create_all(engine)

    @app.get("/page")
    def page():
        return render_template("page.html", lang=request.accept_languages.best or "en")

    @app.post("/form")
    def form():
        values = {f"q{n}": request.form.get(f"q{n}", "")[:10] for n in range(6)}
        with engine.begin() as conn:
            conn.execute(insert(rows).values(**values))
        return redirect("/page")

    return app


if __name__ == "__main__":
    sys.exit("serve with gunicorn: bench/serve.py starts it")
