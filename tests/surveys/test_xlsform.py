"""XLSForm import and export (portal.surveys.xlsform, DESIGN §5)."""

from __future__ import annotations

import copy
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pyxform.xls2xform import convert
from sqlalchemy import select

from portal import ROOT
from portal.extensions import db, limiter
from portal.surveys.definitions import (
    DefinitionInvalid,
    definition_files,
    load_definition,
    load_yaml,
    parse_definition,
)
from portal.surveys.models import Answer, Response
from portal.surveys.xlsform import XLSFormWarning, read_xlsform, write_xlsform
from tests.surveys.conftest import EVERY_TYPE
from tests.surveys.forms import build

FORMS = Path(build.__file__).parent
HOUSEHOLD = FORMS / "worker_household.xlsx"
PULSE = FORMS / "wellbeing_pulse.xlsx"
SHIPPED = definition_files(ROOT / "surveys")


@pytest.fixture(scope="module", autouse=True)
def _app_before_the_limiter_is_switched_off(request):
    """tests/conftest.py switches the limiter off before every test, and flask-limiter creates
    no storage for an app initialised while it is off (teardown's ``limiter.reset()`` then
    fails). This module starts with tests that need no app, so make the app first."""
    limiter.enabled = True
    request.getfixturevalue("app")


def sheet_rows(path: Path, name: str) -> list[list]:
    workbook = load_workbook(path, read_only=True)
    try:
        return [list(row) for row in workbook[name].iter_rows(values_only=True)]
    finally:
        workbook.close()


def to_xform(xlsx: Path, folder: Path) -> tuple[ET.Element, list[str]]:
    """pyxform's XLSForm → XForm conversion, written to a file and parsed back."""
    warnings: list[str] = []
    result = convert(xlsform=str(xlsx), warnings=warnings, pretty_print=True)
    target = folder / (xlsx.stem + ".xml")
    target.write_text(result.xform, encoding="utf-8")
    return ET.parse(target).getroot(), warnings  # noqa: S314 (pyxform output, not untrusted)


def quiet_read(path: Path, **options) -> tuple[dict, list[str]]:
    warned: list[str] = []
    return read_xlsform(path, warn=warned.append, **options), warned


def small_form(tmp_path: Path, survey: list[list], choices=None, settings=None, name="f.xlsx"):
    sheets = {
        "survey": survey,
        "choices": choices or [["list_name", "name", "label"]],
        "settings": settings
        or [
            ["form_id", "version", "form_title", "default_language", "audience", "areas"],
            ["small", "1", "Small", "English (en)", "workers", "risk_assessment"],
        ],
    }
    return build.write(sheets, tmp_path / name)


# ------------------------------------------------------------------------------- round trips


@pytest.mark.parametrize(
    "definition",
    [pytest.param(EVERY_TYPE, id="every-type")]
    + [pytest.param(path, id=path.stem) for path in SHIPPED],
)
def test_yaml_to_xlsx_to_yaml_is_lossless_and_pyxform_accepts_it(definition, tmp_path):
    spec = (
        load_definition(definition)
        if isinstance(definition, Path)
        else parse_definition(copy.deepcopy(definition))
    )
    xlsx = write_xlsform(spec, tmp_path / f"{spec.form_id}.xlsx")
    data, warned = quiet_read(xlsx)
    assert warned == []
    assert parse_definition(data, str(xlsx)) == spec
    assert data["languages"] == spec.languages

    xform, warnings = to_xform(xlsx, tmp_path)
    # pyxform checks language codes against single IANA subtags only; zh-Hans is valid BCP 47.
    assert [w for w in warnings if "(zh-Hans)" not in w] == []
    namespaces = {"h": "http://www.w3.org/1999/xhtml", "x": "http://www.w3.org/2002/xforms"}
    languages = [
        node.get("lang") for node in xform.iterfind(".//x:itext/x:translation", namespaces)
    ]
    assert len(languages) == len(spec.languages)
    assert all(re.fullmatch(r".+ \([a-zA-Z-]+\)", lang) for lang in languages)
    # Our extension columns are not part of the XForm: pyxform ignores unknown columns.
    xml = ET.tostring(xform, encoding="unicode")
    assert not re.search(r"risk_(indicator|adverse|dimension)", xml)
    assert xform.find("h:head/h:title", namespaces).text == spec.title[spec.default_language]


def test_export_layout(tmp_path):
    xlsx = write_xlsform(copy.deepcopy(EVERY_TYPE), tmp_path / "every.xlsx")  # a dict works
    header, *rows = sheet_rows(xlsx, "survey")
    assert header[:4] == ["type", "name", "label::English (en)", "label::العربية (ar)"]
    for column in (
        "constraint_message::English (en)",
        "constraint_message::العربية (ar)",
        "required",
        "relevant",
        "calculation",
        "parameters",
        "risk_indicator",
        "risk_adverse",
        "risk_adverse_when",
        "risk_dimension",
    ):
        assert column in header
    assert "hint::English (en)" not in header  # unused columns are left out
    by_name = {row[1]: dict(zip(header, row, strict=True)) for row in rows}
    assert by_name["id_access"]["required"] == "yes"
    assert by_name["id_access"]["risk_adverse"] == "no"
    assert by_name["hours"]["risk_adverse_when"] == ". > 60"
    assert by_name["safety"]["parameters"] == "start=1 end=5 step=1"
    header, *choices = sheet_rows(xlsx, "choices")
    assert header == ["list_name", "name", "label::English (en)", "label::العربية (ar)", "missing"]
    assert ["yes_no_dk", "dk", "Don't know", "لا أعرف", "yes"] in choices
    header, values = sheet_rows(xlsx, "settings")
    settings = dict(zip(header, values, strict=True))
    assert settings["form_title"] == "Working here"
    assert settings["translated_title::العربية (ar)"] == "العمل هنا"
    assert settings["default_language"] == "English (en)"
    assert settings["version"] == "1" and settings["areas"] == "risk_assessment"


def test_export_writes_text_starting_with_equals_as_text(tmp_path):
    definition = copy.deepcopy(EVERY_TYPE)
    definition["questions"][0]["label"] = {"en": "=1+1", "ar": "=2"}
    xlsx = write_xlsform(definition, tmp_path / "eq.xlsx")
    assert read_xlsform(xlsx)["questions"][0]["label"] == {"en": "=1+1", "ar": "=2"}


# --------------------------------------------------------------------------- real-world forms


def test_fixture_workbooks_match_their_builder():
    for name, sheets in build.FORMS.items():
        for title, rows in sheets.items():
            stored = sheet_rows(FORMS / name, title)
            assert stored == [list(row) + [None] * (len(stored[0]) - len(row)) for row in rows], (
                f"{name} {title}: run python -m tests.surveys.forms.build"
            )


def test_household_form_imports_with_metadata_dropped(tmp_path):
    with pytest.warns(XLSFormWarning) as record:
        data = read_xlsform(HOUSEHOLD, audience="workers", areas=["risk_assessment"])
    messages = [str(item.message) for item in record]
    for row, kind in ((2, "start"), (3, "end"), (4, "today"), (5, "deviceid")):
        assert any(f"survey sheet row {row}: '{kind}'" in m and "dropped" in m for m in messages)
    assert any("no title in fr, ar" in m for m in messages)

    spec = parse_definition(data)
    assert spec.form_id == "worker_hh_survey-2024" and spec.version == "2024031501"
    assert spec.languages == ["en", "fr", "ar"] and spec.default_language == "en"
    assert [q.name for q in spec.questions][:3] == ["intro", "consent", "location"]
    assert not {"start", "end", "today", "deviceid"} & {q.name for q in spec.questions}
    district = spec.question("district")
    assert district.choice_filter == "country=${country}" and district.required is True
    assert district.passthrough == {"$kuid": "k09"}
    assert [c.model_extra["country"] for c in spec.choices["district"]] == ["bd"] * 2 + ["tn"] * 2
    assert spec.question("age").constraint_message == {
        "en": "Age must be between 15 and 80.",
        "fr": "L'âge doit être compris entre 15 et 80 ans.",
        "ar": "يجب أن يكون العمر بين 15 و80.",
    }
    assert spec.question("income_other").relevant == "selected(${income_sources}, 'other')"
    assert spec.question("income_pp").calculation.startswith("if(${hh_size} > 0")
    assert [c.name for c in spec.choices["yes_no"]] == ["yes", "no"]
    assert spec.settings == {"instance_name": "concat('hh-', ${district})", "style": "pages"}

    # Export gives back the same definition, and pyxform accepts both workbooks.
    exported = write_xlsform(spec, tmp_path / "household-out.xlsx")
    assert parse_definition(quiet_read(exported)[0]) == spec
    assert "$kuid" in sheet_rows(exported, "survey")[0]
    for workbook in (HOUSEHOLD, exported):
        to_xform(workbook, tmp_path)


def test_pulse_form_imports_risk_mapping_and_passthrough(tmp_path):
    data, warned = quiet_read(PULSE)
    assert warned == []
    spec = parse_definition(data)
    assert spec.title == {
        "en": "Wellbeing pulse",
        "fr": "Baromètre du bien-être",
        "ar": "مقياس الرفاه",
    }
    assert spec.audience == "workers" and spec.areas == ["risk_assessment", "monitoring"]
    assert [q.type for q in spec.questions][1:5:3] == ["begin group", "end group"]
    hours = spec.question("hours_week")
    assert hours.required is True and hours.required_message["ar"] == "من فضلك أخبرنا بساعات عملك."
    assert hours.hint["en"] == "Count overtime too."  # bare column = default language
    assert hours.risk.model_dump(exclude_none=True) == {
        "indicator": "FL09",
        "adverse_when": ". > 60",
        "dimension": "INV",
    }
    assert hours.passthrough == {"guidance_hint": "Over 60 hours a week is excessive (ILO C001)."}
    assert spec.question("welcome").passthrough == {"media::image": "logo.png"}
    safety = spec.question("safety")
    assert safety.parameters == {"start": 1, "end": 5, "step": 1} and safety.default == 3
    assert spec.question("treatment").risk.adverse == ["shouting", "threats"]
    assert spec.question("overtime_refuse").risk.adverse == ["no"]  # a string, not False
    assert [c.name for c in spec.choices["yes_no_dk"] if c.missing] == ["dk"]
    assert spec.settings == {"style": "theme-grid"}

    exported = write_xlsform(spec, tmp_path / "pulse-out.xlsx")
    assert parse_definition(quiet_read(exported)[0]) == spec
    header = sheet_rows(exported, "survey")[0]
    assert {"media::image", "guidance_hint", "label::Français (fr)"} <= set(header)
    for workbook in (PULSE, exported):
        to_xform(workbook, tmp_path)


def _start(client, site, campaign, lang):
    response = client.post(f"/s/{site.code}/survey/{campaign.id}?lang={lang}")
    assert response.status_code == 302
    return response.headers["Location"]


def answer_survey(client, site, campaign, answers: dict, lang: str, probes=()) -> list[str]:
    """Walk the screens posting ``answers`` for the inputs each shows; return the pages.

    ``probes`` are (question, bad form data, expected text): posted first on the screen that
    shows the question, they must be refused with the text on the page.
    """
    url = _start(client, site, campaign, lang)
    pages = []
    probes = list(probes)
    for _ in range(60):
        if url.endswith("/finish"):
            break
        page = client.get(url).data.decode()
        pages.append(page)
        shown = set(re.findall(r'name="([^"]+)"', page))
        for probe in [p for p in probes if p[0] in shown]:
            refused = client.post(url, data=probe[1])
            assert refused.status_code == 400 and probe[2] in refused.data.decode(), probe
            probes.remove(probe)
        data = {name: value for name, value in answers.items() if name in shown}
        response = client.post(url, data=data)
        assert response.status_code == 302, (url, data, response.data.decode()[-2000:])
        url = response.headers["Location"]
    assert url.endswith("/finish") and not probes
    finish = client.get(url).data.decode()
    key = re.search(r'name="k" value="([0-9a-f]+)"', finish).group(1)
    done = client.post(url, data={"k": key})
    assert done.status_code == 302 and done.headers["Location"].endswith("/thanks")
    return pages


def stored_answers(app) -> dict:
    with app.app_context():
        assert db.session.query(Response).count() == 1
        return {a.question: a.value for a in db.session.scalars(select(Answer))}


def test_household_form_renders_and_takes_answers_in_french(app, client, deploy, factory):
    data, _ = quiet_read(HOUSEHOLD, audience="workers", areas=["risk_assessment"])
    site = factory.site(languages=["en", "fr", "ar"])
    campaign, _sites = deploy(definition=data, sites=[site])
    answers = {
        "consent": "OK",
        "country": "bd",
        "district": "dhaka",
        "age": "34",
        "gender": "woman",
        "hh_head": "no",
        "hh_size": "5",
        "hh_children": "2",
        "income_sources": ["wages", "other"],
        "income_other": "Vente de légumes",
        "monthly_income": "400",
        "food_worry": "yes",
        "has_contract": "yes",
        "contract_date": "2023-05-01",
    }
    probes = [
        ("district", {"district": "tunis"}, ""),  # filtered out by choice_filter
        ("age", {**answers, "age": "12"}, "doit être compris entre 15 et 80"),
        ("hh_children", {**answers, "hh_children": "5"}, "inférieur à la taille du ménage"),
        ("income_sources", {**answers, "income_sources": ["none", "wages"]}, "Aucun revenu"),
    ]
    pages = answer_survey(client, site, campaign, answers, "fr", probes)
    assert "Cette enquête porte sur votre ménage" in pages[0]
    district_page = next(page for page in pages if 'name="district"' in page)
    assert "Dacca" in district_page and "Sfax" not in district_page
    assert any("Quel âge avez-vous" in page and "Vous êtes" in page for page in pages)
    assert any("Le mois dernier, avez-vous craint" in page for page in pages)  # income_pp < 100

    stored = stored_answers(app)
    assert stored == {
        **{k: v for k, v in answers.items() if k != "income_sources"},
        "income_sources": "wages other",
        "income_pp": "80",
    }


def test_pulse_form_renders_and_takes_answers_in_arabic(app, client, deploy, factory):
    data, _ = quiet_read(PULSE)
    site = factory.site(languages=["en", "fr", "ar"])
    campaign, _sites = deploy(definition=data, sites=[site])
    answers = {
        "hours_week": "70",
        "overtime_refuse": "no",
        "docs_held": "dk",
        "safety": "2",
        "treatment": ["threats"],
        "threat_detail": "يصرخ المشرف",
    }
    probes = [
        ("hours_week", {"overtime_refuse": "no"}, "من فضلك أخبرنا بساعات عملك."),
        ("hours_week", {"hours_week": "130"}, "أدخل من 0 إلى 120."),
        ("safety", {"safety": "9"}, ""),
    ]
    pages = answer_survey(client, site, campaign, answers, "ar", probes)
    assert '<html lang="ar" dir="rtl">' in pages[0] and "بعض الأسئلة عن أسبوعك" in pages[0]
    assert stored_answers(app) == {**answers, "treatment": "threats"}


# ------------------------------------------------------------------------ unsupported, errors


def test_refused_features_name_row_and_reason_and_the_rest_imports_when_asked(tmp_path):
    xlsx = small_form(
        tmp_path,
        [
            ["type", "name", "label"],
            ["text", "ok", "Fine"],
            ["begin repeat", "members", "Household members"],
            ["text", "member_name", "Name"],
            ["begin group", "inner", "Inner"],
            ["end group", None, None],
            ["end repeat", None, None],
            ["geopoint", "where", "Location"],
            ["barcode", "code", "Scan"],
            ["image", "photo", "Photo"],
            ["geotrace", "path", "Path"],
            ["rank colours", "ranked", "Rank"],
            ["wibble", "odd", "Odd"],
            ["time", "when", "Time"],
        ],
    )
    with pytest.raises(DefinitionInvalid) as raised:
        read_xlsform(xlsx)
    errors = raised.value.errors
    rows = [re.match(r"survey sheet row (\d+)", error.message).group(1) for error in errors]
    # In row order; the repeat (rows 3-7) is unrolled and time is accepted.
    assert rows == ["8", "9", "10", "11", "12", "13"]
    assert [error.refused for error in errors] == [True] * 5 + [False]
    assert errors[0].source == str(xlsx)
    assert (errors[0].question, errors[0].field) == ("where", "type")
    assert str(errors[0]) == (
        f"{xlsx}, question 'where', field 'type': survey sheet row 8: 'geopoint' (where): "
        "a location: it would identify an anonymous respondent"
    )
    assert "scanned code" in errors[1].message and "anonymous" in errors[2].message
    assert "needs a map" in errors[3].message and "ranking" in errors[4].message
    assert errors[5].message == "survey sheet row 13: unknown type 'wibble'"

    # Without the mistake, the rest imports when the refused questions may be left out.
    fixed = small_form(
        tmp_path, [row for row in load_rows(xlsx) if row[0] != "wibble"], name="fixed.xlsx"
    )
    data, warned = quiet_read(fixed, skip_refused=True)
    names = [q.get("name") for q in data["questions"]]
    assert names[0] == "ok" and names[-1] == "when" and "member_name_10" in names
    assert sum("left out" in message for message in warned) == 5


def load_rows(xlsx: Path) -> list[list]:
    return sheet_rows(xlsx, "survey")


def test_location_scan_and_image_are_taken_from_suppliers(tmp_path):
    xlsx = small_form(
        tmp_path,
        [
            ["type", "name", "label"],
            ["geopoint", "where", "Where is the warehouse?"],
            ["barcode", "code", "Lot code"],
            ["image", "photo", "Photo of the fire exit"],
            ["audio", "voice", "A recording"],
        ],
        settings=[
            ["form_id", "version", "form_title", "audience", "areas"],
            ["sup", "1", "Supplier", "suppliers", "risk_assessment"],
        ],
    )
    data, _warned = quiet_read(xlsx, skip_refused=True)
    assert [(q["name"], q["type"]) for q in data["questions"]] == [
        ("where", "geopoint"),
        ("code", "barcode"),
        ("photo", "file"),
    ]


def test_metadata_is_dropped_with_a_warning(tmp_path):
    survey = [["type", "name", "label"]]
    survey += [[kind, kind, None] for kind in ("start", "end", "today", "deviceid", "username")]
    survey += [["phonenumber", "phone", None], ["audit", "audit", None], ["note", "hi", "Hi"]]
    xlsx = small_form(tmp_path, survey)
    data, warned = quiet_read(xlsx)
    assert [q["name"] for q in data["questions"]] == ["hi"]
    assert len(warned) == 7 and all("dropped" in message for message in warned)
    assert "survey sheet row 7: 'phonenumber' (phone) dropped" in warned[5]
    with pytest.warns(XLSFormWarning) as record:
        read_xlsform(xlsx)
    assert [str(item.message) for item in record] == warned


def test_unknown_language_is_an_error_naming_the_column(tmp_path):
    xlsx = small_form(
        tmp_path,
        [
            ["type", "name", "label::English (en)", "label::Deutsch (de)", "hint::Elvish"],
            ["note", "hi", "Hi", "Hallo", "Mae govannen"],
        ],
    )
    with pytest.raises(DefinitionInvalid) as raised:
        read_xlsform(xlsx)
    fields = [error.field for error in raised.value.errors]
    assert fields == ["hint::Elvish"]  # German is a content language like any other
    assert "no language is called 'Elvish'" in raised.value.errors[0].message


def test_settings_columns_and_value_conversions(tmp_path):
    xlsx = small_form(
        tmp_path,
        [
            [
                "type",
                "name",
                "label",
                "label::English (en)",
                "required",
                "relevant",
                "default",
                "parameters",
                "read_only",
                "trigger",
            ],
            ["integer", "age", "Âge", "Age", "TRUE", None, 30, None, None, None],
            [
                "select_one yes_no",
                "works",
                "Travaille",
                "Works",
                "${age} >= 15",
                None,
                None,
                None,
                None,
                None,
            ],
            [
                "range",
                "scale",
                "Échelle",
                "Scale",
                "no",
                "${works} = 'yes'",
                None,
                "start=0;end=10 step=0.5",
                "yes",
                "${age}",
            ],
        ],
        choices=[
            ["list_name", "name", "label", "label::English (en)", "missing", "region"],
            ["yes_no", "yes", "Oui", "Yes", None, 1],
            ["yes_no", "no", "Non", "No", "no", None],
        ],
        settings=[
            [
                "form_id",
                "version",
                "form_title",
                "form_title::English (en)",
                "default_language",
                "audience",
                "areas",
                "public_key",
            ],
            [
                "My Form!",
                7,
                "Mon formulaire",
                "My form",
                "Français (fr)",
                "workers",
                "risk_assessment, monitoring",
                "abc",
            ],
        ],
    )
    data, warned = quiet_read(xlsx)
    assert warned == []
    assert data["form_id"] == "my-form-" and data["version"] == "7"
    assert data["title"] == {"fr": "Mon formulaire", "en": "My form"}
    assert data["default_language"] == "fr" and data["languages"] == ["fr", "en"]
    assert data["areas"] == ["risk_assessment", "monitoring"]
    assert data["settings"] == {"public_key": "abc"}
    age, works, scale = data["questions"]
    assert age["required"] is True and age["default"] == 30
    assert age["label"] == {"fr": "Âge", "en": "Age"}
    assert works["required"] == "${age} >= 15"
    assert scale["required"] is False
    assert scale["parameters"] == {"start": 0, "end": 10, "step": 0.5}
    assert scale["passthrough"] == {"read_only": "yes", "trigger": "${age}"}
    yes, no = data["choices"]["yes_no"]
    assert yes == {"name": "yes", "label": {"fr": "Oui", "en": "Yes"}, "region": 1}
    assert no == {"name": "no", "label": {"fr": "Non", "en": "No"}}


def test_choice_names_stay_strings(tmp_path):
    xlsx = small_form(
        tmp_path,
        [["type", "name", "label"], ["select_one codes", "code", "Code"]],
        choices=[["list_name", "name", "label"], ["codes", 1, "One"], ["codes", "yes", "Yes"]],
    )
    data = read_xlsform(xlsx, validate=False)
    assert [c["name"] for c in data["choices"]["codes"]] == ["1", "yes"]
    # Numeric codes are ordinary XLSForm choice names and validate as strings.
    validated = read_xlsform(xlsx)
    assert [c["name"] for c in validated["choices"]["codes"]] == ["1", "yes"]


def test_validation_errors_carry_the_row(tmp_path):
    xlsx = small_form(
        tmp_path,
        [
            ["type", "name", "label", "relevant", "risk_indicator", "risk_adverse"],
            ["note", "hi", "Hi", None, None, None],
            ["select_one yes_no", "q1", "Q1", "${nope} = 1", "ZZ99", "maybe"],
            ["integer", None, "No name", None, None, None],
        ],
        choices=[["list_name", "name", "label"], ["yes_no", "yes", "Yes"], ["yes_no", "no", None]],
    )
    with pytest.raises(DefinitionInvalid) as raised:
        read_xlsform(xlsx)
    text = str(raised.value)
    assert f"{xlsx}, question 'q1', field 'relevant': survey sheet row 3: " in text
    assert "question 'q1', field 'risk.indicator': survey sheet row 3: unknown indicator" in text
    assert "field 'risk.adverse': survey sheet row 3: 'maybe' is not a choice" in text
    assert "question '#3', field 'name': survey sheet row 4: is required" in text
    assert "field 'choices.yes_no.no.label': choices sheet row 3: missing translation" in text


def test_broken_workbooks(tmp_path):
    not_xlsx = tmp_path / "form.xlsx"
    not_xlsx.write_text("type,name\n")
    with pytest.raises(DefinitionInvalid, match=r"not an XLSForm workbook \(\.xlsx, \.xls"):
        read_xlsform(not_xlsx)
    no_survey = build.write({"choices": [["list_name", "name", "label"]]}, tmp_path / "c.xlsx")
    with pytest.raises(DefinitionInvalid, match="no 'survey' sheet"):
        read_xlsform(no_survey)
    bad_params = small_form(
        tmp_path,
        [["type", "name", "label", "parameters"], ["range", "r", "R", "from 1 to 5"]],
        name="p.xlsx",
    )
    with pytest.raises(DefinitionInvalid, match="survey sheet row 2: cannot read parameters"):
        read_xlsform(bad_params)
    twice = small_form(
        tmp_path, [["type", "name", "label", "Label"], ["note", "n", "A", "B"]], name="t.xlsx"
    )
    with pytest.raises(DefinitionInvalid, match="column 'Label' appears twice"):
        read_xlsform(twice)


def test_languages_without_settings(tmp_path):
    xlsx = small_form(
        tmp_path,
        [
            ["type", "name", "label", "label::English (en-GB)", "label::Chinese (zh)", "hint"],
            ["note", "hi", "Hello (bare)", "Hello", "你好", "Bare hint"],
        ],
        settings=[["form_id", "version", "audience", "areas"], ["x1", 1, "workers", "training"]],
    )
    data, warned = quiet_read(xlsx, validate=False)
    assert data["languages"] == ["en", "zh_Hans"] and data["default_language"] == "en"
    # The language's own column wins over the bare one; the bare hint is the default language's.
    assert data["questions"][0]["label"] == {"en": "Hello", "zh_Hans": "你好"}
    assert data["questions"][0]["hint"] == {"en": "Bare hint"}
    # No form_title: titled by the form_id, as pyxform does.
    assert data["form_id"] == "x1" and data["version"] == "1"
    assert data["title"] == {"en": "x1", "zh_Hans": "x1"}
    assert warned[0] == (
        f"{xlsx}: settings sheet: no default_language; the columns without a "
        "language (such as 'label') are taken as English (en)"
    )
    assert f"{xlsx}: settings sheet: no form_title; the form is titled 'x1'" in warned


# ------------------------------------------------------------------------------------ the CLI


def test_cli_import_and_export(app, tmp_path):
    runner = app.test_cli_runner()
    out = tmp_path / "household.yaml"
    result = runner.invoke(
        args=[
            "surveys",
            "import-xlsform",
            str(HOUSEHOLD),
            "-o",
            str(out),
            "--audience",
            "workers",
            "--area",
            "risk_assessment",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "warning:" in result.output and "'deviceid' (deviceid) dropped" in result.output
    imported = load_yaml(out.read_text(encoding="utf-8"))
    assert imported["form_id"] == "worker_hh_survey-2024"
    assert [c["name"] for c in imported["choices"]["yes_no"]] == ["yes", "no"]
    spec = load_definition(out)

    xlsx = tmp_path / "again.xlsx"
    result = runner.invoke(args=["surveys", "export-xlsform", str(out), "-o", str(xlsx)])
    assert result.exit_code == 0, result.output
    assert parse_definition(quiet_read(xlsx)[0]) == spec

    shipped = tmp_path / "wv.xlsx"
    result = runner.invoke(args=["surveys", "export-xlsform", "worker-voice", "-o", str(shipped)])
    assert result.exit_code == 0 and "Wrote" in result.output
    assert parse_definition(quiet_read(shipped)[0]) == load_definition(
        ROOT / "surveys" / "worker-voice.yaml"
    )
    printed = runner.invoke(args=["surveys", "import-xlsform", str(shipped)])
    assert printed.exit_code == 0 and printed.output.startswith("form_id: worker-voice\n")


def test_cli_errors_and_help(app, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["surveys", "import-xlsform", str(HOUSEHOLD)])
    assert result.exit_code == 1
    assert "field 'audience': settings sheet: is required" in result.output
    result = runner.invoke(args=["surveys", "export-xlsform", "no-such-form"])
    assert result.exit_code != 0 and "no file" in result.output
    for command in ("import-xlsform", "export-xlsform"):
        help_text = runner.invoke(args=["surveys", command, "--help"]).output
        assert "XLSForm" in help_text and "--output" in help_text
