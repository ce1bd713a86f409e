"""Stored XSS: payloads typed into every free-text field come back only as text.

The payloads are entered through the real forms by the people who would type them (a worker,
a reporter, compliance, an admin, a supplier); every page that shows them is parsed as a
browser would and must contain the payload as text (so a field that stopped being shown, or
is shown as markup, fails) and no script, event handler or ``javascript:`` address at all.
"""

from __future__ import annotations

import csv
import io
import unicodedata

import pytest
from openpyxl import load_workbook

from portal.extensions import db
from portal.grievances.models import Grievance
from tests.factories import login
from tests.security.helpers import Page
from tests.security.xss_world import IMG, JS_URL, RLO, SCRIPT, build, pages

URL_ATTRIBUTES = ("href", "src", "action", "formaction", "xlink:href", "poster", "data")


def problems_in(html: str, markers: tuple[str, ...], values: dict) -> list[str]:
    page = Page(html)
    found = []
    for tag, attrs in page.elements:
        if tag == "script":
            found.append("a <script> element")
        for name, value in attrs.items():
            if name.startswith("on"):
                found.append(f"<{tag} {name}=...>")
            squeezed = "".join(ch for ch in value if not ch.isspace() and ch.isprintable())
            if name in URL_ATTRIBUTES and squeezed.lower().startswith("javascript:"):
                found.append(f"<{tag} {name}={value!r}>")
        if tag == "img" and attrs.get("src") == "x":
            found.append("the injected <img>")
    shown = page.text + " " + page.attribute_values()
    for marker in markers:
        if marker == JS_URL:
            if JS_URL not in shown:
                found.append(f"{JS_URL!r} not shown as text")
            continue
        wanted = [value for value in values.values() if value.startswith(marker + " ")]
        assert wanted, marker
        if not any(value.replace(RLO, "") in shown.replace(RLO, "") for value in wanted):
            found.append(f"{marker} not shown as text")
    found.extend(_overrides_that_escape(page))
    return found


ISOLATING = frozenset({"bdi", "textarea", "title", "option"})


def _overrides_that_escape(page: Page) -> list[str]:
    """A right-to-left override must be confined to the name that carries it: inside <bdi>,
    an element with ``dir`` (both isolate), or a text-only element (option, title, textarea);
    otherwise it reverses the text that follows it on the line."""
    found = []
    for data, stack in page.texts:
        if RLO not in data:
            continue
        tag, attrs = stack[-1] if stack else ("", {})
        if tag not in ISOLATING and "dir" not in attrs:
            found.append(f"unisolated override in <{tag}>: {data.strip()[:40]!r}")
    return found


@pytest.fixture
def xss(app, factory):
    return build(app, factory)


def test_payloads_are_shown_only_as_text(app, xss):
    world, clients = xss
    clients["anonymous"] = app.test_client()
    clients["worker"] = world.ids["survey_worker"]
    wrong = []
    for role, url, markers in pages(world):
        if role == "reporter":
            response = app.test_client().post(url, data={"receipt": world.receipt})
        else:
            response = clients[role].get(url)
        assert response.status_code == 200, (role, url, response.status_code)
        wrong.extend(f"{role} {url}: {problem}" for problem in
                     problems_in(response.text, markers, world.values))  # fmt: skip
    assert wrong == [], "\n".join(wrong)


def test_the_checks_catch_unescaped_markup():
    """The page checks themselves can fail: raw payloads in a page are reported."""
    values = {"name": "SITE x"}
    raw = f"<p>SITE x</p><p>{SCRIPT}</p><a href=' {JS_URL}'>a</a><p>{IMG}</p><p>a{RLO}b</p>"
    found = problems_in(raw, ("SITE",), values)
    assert any("<script>" in item for item in found)
    assert any("href" in item for item in found)
    assert any("onerror" in item for item in found)
    assert any("override" in item for item in found)
    assert problems_in("<p>nothing</p>", ("SITE",), values) == ["SITE not shown as text"]


def test_overrides_are_dropped_from_names_and_reports(app, xss):
    """Names lose bidi overrides on entry (portal.forms.NAME_FILTERS); a reporter's text
    loses every control and format character (grievances.services.clean_text)."""
    from portal.accounts.models import User
    from portal.suppliers.models import Site, Supplier
    from portal.surveys.models import Campaign

    with app.app_context():
        texts = [
            *db.session.scalars(db.select(Supplier.name)),
            *db.session.scalars(db.select(Site.name)),
            *db.session.scalars(db.select(Campaign.name)),
            *db.session.scalars(db.select(User.name)),
        ]
        for grievance in db.session.scalars(db.select(Grievance)):
            texts += [grievance.description, grievance.occurred_when or ""]
    assert any(text.startswith("SITE ") for text in texts)
    assert [text for text in texts if RLO in text] == []
    assert not any(unicodedata.category(ch) == "Cf" for text in texts for ch in text)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_neutralise_formulas_from_reporters(app, client, factory, fmt):
    """A case description starting with = + - @ is exported as text, never as a formula."""
    from portal.grievances import services

    site = factory.site()
    starts = ['=HYPERLINK("http://x")', "+SUM(1,2) wages", "-2+3 unpaid wages", "@cmd wages"]
    with app.app_context():
        for text in starts:
            services.create_grievance(services.IntakeData(
                reporter="worker", category="wages", description=text + " for months",
                language="en", site_id=site.id,
            ))  # fmt: skip
    login(client, factory.user("compliance"))
    response = client.get(f"/exports/cases.{fmt}?free_text=1")
    assert response.status_code == 200
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
        descriptions = [row["description"] for row in rows]
    else:
        sheet = load_workbook(io.BytesIO(response.data), read_only=True).worksheets[0]
        table = list(sheet.iter_rows(values_only=True))
        column = table[0].index("description")
        descriptions = [row[column] for row in table[1:]]
    assert sorted(descriptions) == sorted("'" + text + " for months" for text in starts)
