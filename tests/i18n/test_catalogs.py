"""Shipped catalogs are complete and correct; locale selection follows DESIGN §7."""

from __future__ import annotations

import pytest
from babel.messages.pofile import read_po
from flask_babel import force_locale, gettext

from portal import ROOT
from portal.i18n import LANGUAGES, catalog_problems, parse_language, text_direction
from tests.factories import login

TRANSLATIONS = ROOT / "translations"


def test_every_shipped_catalog_is_complete_and_consistent():
    problems = catalog_problems(TRANSLATIONS, ROOT)
    assert problems == [], "\n".join(problems[:40])


def test_the_check_catches_untranslated_fuzzy_and_placeholder_errors(tmp_path):
    import shutil

    copy = tmp_path / "translations"
    shutil.copytree(TRANSLATIONS, copy, ignore=shutil.ignore_patterns("*.mo"))
    po = copy / "fr" / "LC_MESSAGES" / "messages.po"
    text = po.read_text()
    text = text.replace('msgstr "Accueil"', 'msgstr ""', 1)
    po.write_text(text)
    with open(po, "rb") as handle:
        catalog = read_po(handle, locale="fr")
    catalog.get("Welcome, %(name)s").string = "Bienvenue, %(nom)s"
    catalog.get("Sites").flags.add("fuzzy")
    from babel.messages.pofile import write_po

    with open(po, "wb") as handle:
        write_po(handle, catalog)
    problems = "\n".join(catalog_problems(copy, ROOT))
    assert "fr: 'Home' is untranslated" in problems
    assert "fr: 'Welcome, %(name)s': placeholders ['nom'] instead of ['name']" in problems
    assert "fr: 'Sites' is fuzzy" in problems


def test_catalogs_cover_every_language_and_translate_for_real(app):
    with app.test_request_context():
        for code in LANGUAGES:
            with force_locale(code):
                translated = gettext("Speak up safely")
            if code == "en":
                assert translated == "Speak up safely"
            else:
                assert translated != "Speak up safely", code


@pytest.mark.parametrize(
    ("given", "expected"),
    [("ar", "ar"), ("zh-Hans", "zh_Hans"), ("ZH_hans", "zh_Hans"), ("xx", None), ("", None)],
)
def test_parse_language(given, expected):
    assert parse_language(given) == expected


def test_text_direction():
    assert text_direction("ar") == text_direction("ur") == "rtl"
    assert {text_direction(code) for code in LANGUAGES if code not in ("ar", "ur")} == {"ltr"}


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("bn-BD,bn;q=0.9,en;q=0.5", b'<html lang="bn" dir="ltr">'),
        ("zh-CN,zh;q=0.9", b'<html lang="zh-Hans" dir="ltr">'),
        ("ur-PK", b'<html lang="ur" dir="rtl">'),
        ("de-DE", b'<html lang="en" dir="ltr">'),
        ("", b'<html lang="en" dir="ltr">'),
    ],
)
def test_accept_language_is_the_fallback(client, accept, expected):
    assert expected in client.get("/", headers={"Accept-Language": accept}).data


def test_explicit_choice_is_remembered_and_beats_everything(client, factory):
    site = factory.site(languages=["bn"])
    page = client.get(f"/s/{site.code}?lang=ar", headers={"Accept-Language": "fr"}).data
    assert b'<html lang="ar" dir="rtl">' in page
    # Remembered in the session for the next page, even without ?lang=.
    assert b'<html lang="ar" dir="rtl">' in client.get("/").data
    assert b'<html lang="en"' in client.get("/?lang=en").data
    # Unknown choices are ignored rather than failing.
    assert client.get("/?lang=tlh").status_code == 200


def test_staff_preference_beats_site_and_browser_but_not_explicit_choice(client, factory):
    site = factory.site(languages=["bn"])
    login(client, factory.user("compliance", locale="vi"))
    headers = {"Accept-Language": "fr"}
    assert b'<html lang="vi"' in client.get(f"/s/{site.code}", headers=headers).data
    assert b'<html lang="my"' in client.get("/home?lang=my", headers=headers).data


def test_pages_really_render_in_the_chosen_script(client, factory):
    site = factory.site(languages=["my"])
    page = client.get(f"/s/{site.code}?lang=my").data.decode()
    title = page.split("<h1>")[1].split("</h1>")[0]
    assert any("\u1000" <= ch <= "\u109f" for ch in title), title  # Myanmar block
    page = client.get(f"/s/{site.code}?lang=ar").data.decode()
    title = page.split("<h1>")[1].split("</h1>")[0]
    assert any("\u0600" <= ch <= "\u06ff" for ch in title), title  # Arabic block


def test_numbers_and_dates_are_formatted_by_babel(client, factory):
    factory.site(name="Big Plant", headcount=12500)
    login(client, factory.user("compliance"))
    assert "12,500" in client.get("/sites?lang=en").data.decode()
    assert "12\u202f500" in client.get("/sites?lang=fr").data.decode()
    # Country names come from CLDR in the page's language.
    assert "Bangladesh" in client.get("/sites?lang=en").data.decode()
    assert "বাংলাদেশ" in client.get("/sites?lang=bn").data.decode()


def test_counts_in_sentences_use_the_locale_number_format(client, factory):
    supplier = factory.supplier()
    factory.site(supplier, headcount=12000)
    factory.site(supplier, headcount=500)
    login(client, factory.user("compliance"))
    assert "12,500" in client.get("/home?lang=en").data.decode()
    assert "12\u202f500" in client.get("/home?lang=fr").data.decode()


def test_the_navigation_names_each_place_once_in_every_language(app):
    """Two menu entries with the same name send staff to the wrong page; "Surveys" and
    "Questionnaires" were both "الاستبيانات" in Arabic."""
    from types import SimpleNamespace

    from flask_babel import force_locale

    from portal.hooks import nav_for

    clashes = []
    with app.test_request_context():
        for role in ("admin", "compliance", "supplier", "monitor"):
            items = nav_for(SimpleNamespace(role=role))
            for code in LANGUAGES:
                with force_locale(code):
                    labels = [str(item.label) for item in items]
                repeated = {label for label in labels if labels.count(label) > 1}
                if repeated:
                    clashes.append(f"{code} ({role}): {sorted(repeated)}")
    assert clashes == []
