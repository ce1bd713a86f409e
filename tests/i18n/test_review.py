"""The review trail: catalog status lines and reviewed strings, survey translation status."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po, write_po

from portal import ROOT
from portal.extensions import db
from portal.i18n import LANGUAGES
from portal.i18n_review import catalog_status, mark, plural_problems
from portal.surveys import services
from portal.surveys.definitions import DefinitionInvalid, load_definition, parse_definition
from tests.factories import login

TRANSLATIONS = ROOT / "translations"
SURVEYS = ROOT / "surveys"


def test_every_shipped_catalog_says_what_it_is():
    for code in LANGUAGES:
        status = catalog_status(TRANSLATIONS / code / "LC_MESSAGES" / "messages.po", code)
        assert status.status == ("source" if code == "en" else "machine-drafted"), code
        assert status.complete_percent == 100.0


@pytest.fixture
def tamil(tmp_path) -> Path:
    copy = tmp_path / "ta.po"
    shutil.copy(TRANSLATIONS / "ta" / "LC_MESSAGES" / "messages.po", copy)
    return copy


def test_marking_a_language_reviewed_survives_an_update_and_compiles_every_string(tamil):
    marked = mark(tamil, "ta", "reviewed", "K. Reviewer", date(2026, 12, 1))
    status = catalog_status(tamil, "ta")
    assert (status.status, status.reviewed_on, status.reviewed_by) == (
        "reviewed",
        "2026-12-01",
        "K. Reviewer",
    )
    assert marked == status.translated and status.reviewed_percent == 100.0
    text = tamil.read_text(encoding="utf-8")
    assert "# Status: reviewed 2026-12-01 by K. Reviewer" in text
    assert "#, fuzzy" not in text  # the trail never uses the flag pybabel compile drops

    # A new string arrives (what `pybabel update` does): the trail stays, the new one is not
    # reviewed, so the share drops below 100 %.
    with open(tamil, "rb") as handle:
        catalog = read_po(handle, locale="ta")
    template = Catalog()
    for message in catalog:
        if message.id:
            template.add(message.id, context=message.context)
    template.add("A brand-new sentence")
    catalog.update(template, no_fuzzy_matching=True)
    with open(tamil, "wb") as handle:
        write_po(handle, catalog)
    after = catalog_status(tamil, "ta")
    assert after.status == "reviewed" and after.reviewed == status.reviewed
    assert after.reviewed_percent < 100.0

    # Compiled, the reviewed strings are all there (none was left out as fuzzy).
    mo = tamil.with_suffix(".mo")
    from babel.messages.mofile import write_mo

    with open(mo, "wb") as handle:
        write_mo(handle, catalog)
    with open(mo, "rb") as handle:
        compiled = read_mo(handle)
    assert len([m for m in compiled if m.id]) == status.translated


def test_drafting_again_keeps_the_strings_already_reviewed(tamil):
    mark(tamil, "ta", "reviewed", "K. Reviewer", date(2026, 12, 1))
    mark(tamil, "ta", "machine-drafted")
    status = catalog_status(tamil, "ta")
    assert status.status == "machine-drafted" and status.reviewed_percent == 100.0
    assert tamil.read_text(encoding="utf-8").count("# Status:") == 1


def test_a_broken_plural_is_a_problem(tamil):
    text = tamil.read_text(encoding="utf-8")
    start = text.index('msgid "%(num)s activity"')
    end = text.index("\n\n", start)
    entry = text[start:end]
    broken = entry.split("\nmsgstr[1]")[0]  # Tamil needs two forms: keep only the first
    tamil.write_text(text.replace(entry, broken), encoding="utf-8")
    assert plural_problems(tamil, "ta") == ["ta: '%(num)s activity' has 1 plural forms, not 2"]
    assert plural_problems(TRANSLATIONS / "ta" / "LC_MESSAGES" / "messages.po", "ta") == []


def test_check_prints_complete_and_reviewed_shares(app):
    result = app.test_cli_runner().invoke(args=["i18n", "check"])
    assert result.exit_code == 0, result.output
    assert "language    complete  reviewed  status" in result.output
    assert "am            100.0%      0.0%  machine-drafted" in result.output


def test_every_shipped_survey_records_the_status_of_each_language():
    for path in sorted(SURVEYS.glob("*.yaml")):
        spec = load_definition(path)
        assert set(spec.translations) == set(spec.languages), path.name
        assert spec.translations[spec.default_language].status == "source"


def _definition(translations: dict) -> dict:
    from tests.surveys.conftest import EVERY_TYPE

    return {**EVERY_TYPE, "translations": translations}


@pytest.mark.parametrize(
    ("translations", "message"),
    [
        ({"sw": {"status": "machine-drafted"}}, "'sw' is not one of 'languages'"),
        ({"ar": {"status": "reviewed"}}, "'ar': a reviewed language needs 'reviewed_on'"),
    ],
)
def test_a_wrong_status_block_is_refused(translations, message):
    with pytest.raises(DefinitionInvalid) as refused:
        parse_definition(_definition(translations))
    assert message in str(refused.value.errors)


def test_staff_see_each_languages_status_when_choosing_campaign_languages(app, client, factory):
    day = (date.today() - timedelta(days=3)).isoformat()
    definition = _definition(
        {"en": {"status": "source"}, "ar": {"status": "reviewed", "reviewed_on": day}}
    )
    with app.app_context():
        services.store_version(parse_definition(definition))
        db.session.commit()
    login(client, factory.user("compliance"))
    page = client.get("/campaigns/new").data.decode()
    assert f"العربية (reviewed by a fluent speaker, {day})" in page
    assert "English (" not in page  # the source language has no status


def test_without_a_recorded_status_the_interface_catalogs_is_shown(app, client, factory):
    from tests.surveys.conftest import EVERY_TYPE

    with app.app_context():
        services.store_version(parse_definition(EVERY_TYPE))
        db.session.commit()
    login(client, factory.user("compliance"))
    page = client.get("/campaigns/new").data.decode()
    assert "العربية (machine-drafted, not yet reviewed)" in page
    assert "English (" not in page
