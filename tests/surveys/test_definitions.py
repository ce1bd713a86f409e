"""Definition files: schema, located errors, YAML booleans, sync and immutable versions."""

from __future__ import annotations

import copy

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.surveys.definitions import (
    DefinitionInvalid,
    dump_yaml,
    load_definition,
    load_yaml,
    parse_definition,
)
from portal.surveys.models import SurveyVersion
from tests.surveys.conftest import EVERY_TYPE


def _errors(definition) -> list[str]:
    with pytest.raises(DefinitionInvalid) as caught:
        parse_definition(definition, "form.yaml")
    return [str(error) for error in caught.value.errors]


def test_the_example_definition_is_valid():
    spec = parse_definition(EVERY_TYPE)
    assert spec.form_id == "every-type"
    assert spec.question("hours").risk.indicator == "FL09"


def test_errors_name_file_question_and_field_with_expression_positions():
    bad = copy.deepcopy(EVERY_TYPE)
    bad["questions"][2]["label"].pop("ar")
    bad["questions"][3]["type"] = "select_multiple nolist"
    bad["questions"][5]["constraint"] = ". >= 0 and selectd(${hours}, 'x')"
    bad["questions"][6]["relevant"] = "${nope} > 3"
    bad["questions"][2]["risk"]["indicator"] = "FL99"
    bad["questions"][2]["risk"]["adverse"] = ["never"]
    assert _errors(bad) == [
        "form.yaml, question 'id_access', field 'label': missing translation for ar",
        "form.yaml, question 'id_access', field 'risk.indicator': unknown indicator 'FL99'",
        "form.yaml, question 'id_access', field 'risk.adverse': 'never' is not a choice of "
        "'yes_no_dk'",
        "form.yaml, question 'problems', field 'type': no choice list 'nolist'",
        "form.yaml, question 'hours', field 'constraint': "
        "unknown function 'selectd' at position 12",
        "form.yaml, question 'refuse', field 'relevant': unknown question 'nope' at position 1",
    ]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda d: d["choices"]["yes_no_dk"][0].update(name=True),
            "field 'choices.yes_no_dk.0.name': expected text but found a boolean",
        ),
        (lambda d: d.update(version=2026.1), "field 'version': input should be a valid string"),
        (lambda d: d["questions"][5].update(colour="red"), "question 'hours', field 'colour'"),
        (lambda d: d.update(audience="managers"), "field 'audience'"),
        (
            lambda d: d["questions"].append(
                {"type": "file", "name": "doc", "label": {"en": "x", "ar": "x"}}
            ),
            "question 'doc', field 'type': file uploads are only for supplier questionnaires",
        ),
        (
            lambda d: d["questions"].append(
                {"type": "begin group", "name": "g", "label": {"en": "x", "ar": "x"}}
            ),
            "a 'begin group' is never closed",
        ),
        (
            lambda d: d["questions"].append(
                {"type": "integer", "name": "hours", "label": {"en": "x", "ar": "x"}}
            ),
            "question 'hours', field 'name': the name is used twice",
        ),
        (lambda d: d.update(languages=["en", "ar", "qqx"]), "unknown language codes ['qqx']"),
        (lambda d: d["questions"][5].update(relevant="${hours} >"), "field 'relevant'"),
    ],
)
def test_each_kind_of_mistake_is_located(change, expected):
    bad = copy.deepcopy(EVERY_TYPE)
    change(bad)
    assert any(expected in error for error in _errors(bad)), _errors(bad)


def test_yaml_yes_and_no_stay_strings_and_quoting_is_not_needed():
    data = load_yaml(
        "choices:\n  yn:\n    - {name: yes}\n    - {name: no}\n    - {name: off}\nrequired: true\n"
    )
    assert [choice["name"] for choice in data["choices"]["yn"]] == ["yes", "no", "off"]
    assert data["required"] is True


def test_validate_command_reports_every_file(app, tmp_path):
    good = tmp_path / "good.yaml"
    good.write_text(dump_yaml(EVERY_TYPE))
    broken = copy.deepcopy(EVERY_TYPE)
    broken["questions"][5]["constraint"] = ". > "
    bad = tmp_path / "bad.yaml"
    bad.write_text(dump_yaml(broken))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["surveys", "validate", str(good)])
    assert result.exit_code == 0 and "OK (every-type 1" in result.output
    result = runner.invoke(args=["surveys", "validate", str(good), str(bad)])
    assert result.exit_code == 1
    assert f"{bad}, question 'hours', field 'constraint'" in result.output
    (tmp_path / "not-yaml.yaml").write_text("questions: [unclosed")
    result = runner.invoke(args=["surveys", "validate", str(tmp_path / "not-yaml.yaml")])
    assert result.exit_code == 1 and "not valid YAML (line" in result.output


def test_round_trip_through_yaml_text_is_lossless(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text(dump_yaml(EVERY_TYPE))
    assert load_definition(path) == parse_definition(EVERY_TYPE)


def test_sync_makes_a_new_version_only_when_content_changes(app, tmp_path, deploy):
    from portal.surveys.services import sync_folder

    (tmp_path / "every.yaml").write_text(dump_yaml(EVERY_TYPE))
    with app.app_context():
        first = sync_folder(tmp_path)
        again = sync_folder(tmp_path)
    assert len(first.created) == 1 and again.created == [] and len(again.unchanged) == 1
    # A version with responses is never altered: a change becomes a new version.
    campaign, _sites = deploy()
    changed = copy.deepcopy(EVERY_TYPE)
    changed["questions"][0]["label"]["en"] = "Hello again"
    (tmp_path / "every.yaml").write_text(dump_yaml(changed))
    with app.app_context():
        before = db.session.get(SurveyVersion, campaign.survey_version_id).definition
        result = sync_folder(tmp_path)
        versions = list(db.session.scalars(select(SurveyVersion).order_by(SurveyVersion.id)))
        assert len(result.created) == 1 and len(versions) == 2
        assert versions[0].definition == before
        assert versions[1].definition["questions"][0]["label"]["en"] == "Hello again"


def test_shipped_instruments_are_valid_and_complete_in_every_language():
    from portal import ROOT
    from portal.i18n import LANGUAGES
    from portal.surveys.definitions import definition_files

    files = definition_files(ROOT / "surveys")
    assert {path.stem for path in files} >= {"worker-voice", "supplier-saq", "community-feedback"}
    for path in files:
        spec = load_definition(path)  # raises with every problem listed
        assert set(spec.languages) == set(LANGUAGES), f"{path.name} lacks languages"
