from __future__ import annotations

from flask import abort, g, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import text

from portal.extensions import db
from portal.hooks import site_actions
from portal.i18n import LANGUAGES
from portal.public import bp
from portal.security import public
from portal.suppliers import queries
from portal.suppliers.services import normalise_site_code


@bp.url_value_preprocessor
def _load_site(endpoint, values):
    """Load the site before locale selection so its languages can steer it (DESIGN §7)."""
    if values and "code" in values and endpoint == "public.site":
        code = normalise_site_code(values["code"])
        g.site = queries.site_by_code(code) if code else None
        if g.site is not None:
            g.context_languages = list(g.site.languages)


@bp.get("/")
@public
def index():
    return render_template("public/index.html")


@bp.get("/s")
@public
def find_site():
    """The start page's code box (a GET form, so it works without JavaScript)."""
    raw = request.args.get("code", "")
    code = normalise_site_code(raw)
    if code and queries.site_by_code(code):
        return redirect(url_for("public.site", code=code))
    error = (
        _l("Enter the 5-character code from the poster.")
        if not raw.strip()
        else _l("We could not find this code. Check the poster and try again.")
    )
    return render_template("public/index.html", code_error=error, code=raw[:20]), (
        400 if not raw.strip() else 404
    )


@bp.get("/s/<code>")
@public
def site(code: str):
    site = g.get("site")
    if site is None:
        abort(404)
    if code != site.code:  # typed in lower case or with spaces: one canonical address
        return redirect(url_for("public.site", code=site.code, **request.args), 301)
    site_languages = [lang for lang in site.languages if lang in LANGUAGES]
    other_languages = [lang for lang in LANGUAGES if lang not in site_languages]
    return render_template(
        "public/site.html",
        site=site,
        site_languages=site_languages,
        other_languages=other_languages,
        actions=site_actions(site),
    )


@bp.get("/healthz")
@public
def healthz():
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}
