"""The XLSForm corpus (tests/surveys/forms/corpus.py): every form pyxform converts imports, as
it is or with refused questions left out; export converts with pyxform again; and import →
export → import gives back the same definition."""

from __future__ import annotations

from pathlib import Path

import pytest
from pyxform.question_type_dictionary import QUESTION_TYPE_DICT
from pyxform.xls2xform import convert

from portal.extensions import limiter
from portal.surveys.definitions import DefinitionInvalid, parse_definition
from portal.surveys.xlsform import read_xlsform, write_xlsform
from portal.surveys.xlsform_types import classify
from tests.surveys.forms import build
from tests.surveys.forms.corpus import CORPUS, EXPECTED


@pytest.fixture(scope="module", autouse=True)
def _app_first(request):
    limiter.enabled = True  # see tests/surveys/test_xlsform.py
    request.getfixturevalue("app")


def built(name: str, folder: Path) -> tuple[Path, dict]:
    sheets, options = CORPUS[name]
    return build.write(sheets, folder / f"{name}.xlsx"), options


def pyxform_converts(path: Path) -> None:
    convert(xlsform=str(path), warnings=[])


def imported(path: Path, options: dict, **extra) -> tuple[dict, list[str]]:
    warned: list[str] = []
    data = read_xlsform(
        path,
        audience=options.get("audience"),
        attachments=options.get("attachments"),
        warn=warned.append,
        **extra,
    )
    return data, warned


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_corpus_form_imports_exports_and_round_trips(name, tmp_path):
    path, options = built(name, tmp_path)
    pyxform_converts(path)  # the corpus holds only forms the reference converter takes
    if EXPECTED[name] == "refused":
        with pytest.raises(DefinitionInvalid) as raised:
            imported(path, options)
        assert raised.value.errors and all(error.refused for error in raised.value.errors)
        data, warned = imported(path, options, skip_refused=True)
        assert any("left out" in line for line in warned)
    else:
        data, warned = imported(path, options)
    spec = parse_definition(data)
    exported = write_xlsform(spec, tmp_path / f"{name}-export.xlsx")
    pyxform_converts(exported)
    again, _ = imported(exported, {})
    assert parse_definition(again) == spec


def test_nine_in_ten_import_and_the_rest_are_refused_per_question(tmp_path):
    outcomes = {}
    for name in CORPUS:
        path, options = built(name, tmp_path)
        try:
            imported(path, options)
            outcomes[name] = "as is"
        except DefinitionInvalid as invalid:
            assert all(error.refused for error in invalid.errors), invalid.errors
            imported(path, options, skip_refused=True)
            outcomes[name] = "refused"
    assert outcomes == EXPECTED
    # Every form imports (as is, or without the questions refused with a reason).
    assert len(outcomes) == len(CORPUS) >= 10


@pytest.mark.parametrize("audience", ["workers", "suppliers"])
def test_every_type_pyxform_knows_is_classified(audience):
    unknown = []
    for spelling in QUESTION_TYPE_DICT:
        kind = classify(spelling, audience)
        needs_list = kind.reason.startswith("write '")
        if kind.kind == "unknown" and not needs_list:
            unknown.append(spelling)
    assert unknown == []


def test_what_the_corpus_becomes(tmp_path):
    path, options = built("legacy_spellings", tmp_path)
    data, warned = imported(path, options)
    types = {q["name"]: q["type"] for q in data["questions"]}
    assert types == {
        "age": "integer",
        "wage": "decimal",
        "job": "text",
        "contract": "select_one yes_no",
        "issues": "select_multiple issues",
        "phone_contact": "text",
        "share": "integer",
        "ok": "acknowledge",
        "bye": "note",
    }
    assert data["questions"][4]["relevant"] == "${contract} = 'no'"  # relevance → relevant
    assert len(data["version"]) == 10 and any("no version" in line for line in warned)
    again, _ = imported(path, options)
    assert again["version"] == data["version"]  # made from the content: the same every time

    path, options = built("times_and_other", tmp_path)
    data, _ = imported(path, options)
    assert data["languages"] == ["sw", "en", "bn"] and data["default_language"] == "sw"
    names = [q["name"] for q in data["questions"]]
    assert names == ["shift_start", "last_pay", "reason", "reason_other"]
    other = data["questions"][3]
    assert other["relevant"] == "selected(${reason}, 'other')"
    assert other["label"]["en"] == "Specify other."
    assert data["choices"]["reasons"][-1]["name"] == "other"

    path, options = built("choices_from_files", tmp_path)
    data, _ = imported(path, options)
    assert {q["name"]: q["type"] for q in data["questions"]} == {
        "district": "select_one districts",
        "crops": "select_multiple crops",
        "unit": "select_one units",
        "village": "select_one villages",
    }
    assert [c["name"] for c in data["choices"]["units"]] == ["kg", "t"]
    assert data["choices"]["units"][0]["label"] == {"en": "Kilogram"}
    assert data["choices"]["villages"][1]["district"] == "d2"

    path, options = built("ethiopic_only", tmp_path)
    data, _ = imported(path, options)
    assert data["languages"] == ["am", "ti"] and data["title"] == {"am": "ደመወዝ", "ti": "ደመወዝ"}


def test_a_missing_choice_file_is_named(tmp_path):
    path, options = built("choices_from_files", tmp_path)
    with pytest.raises(DefinitionInvalid) as raised:
        imported(path, {**options, "attachments": {}})
    messages = [error.message for error in raised.value.errors]
    assert "survey sheet row 2: attach the file 'districts.csv'" in messages[0]
    assert len(messages) == 3


def test_text_layouts_read_like_the_workbook(tmp_path):
    sheets, options = CORPUS["legacy_spellings"]
    markdown = []
    for sheet, rows in sheets.items():
        markdown.append(f"| {sheet} |")
        for row in rows:
            cells = ["" if cell is None else str(cell) for cell in row]
            markdown.append("| | " + " | ".join(cells) + " |")
    md = tmp_path / "legacy_spellings.md"
    md.write_text("\n".join(markdown), encoding="utf-8")
    csv_path = tmp_path / "legacy_spellings.csv"
    lines = []
    for sheet, rows in sheets.items():
        lines.append(sheet)
        for row in rows:
            cells = ["" if cell is None else str(cell) for cell in row]
            lines.append("," + ",".join(f'"{cell}"' for cell in cells))
    csv_path.write_text("\n".join(lines), encoding="utf-8")
    xlsx, _ = built("legacy_spellings", tmp_path)
    from_xlsx, _ = imported(xlsx, options)
    for path in (md, csv_path):
        pyxform_converts(path)
        data, _ = imported(path, options)
        assert data == from_xlsx


def test_cli_takes_choice_files_and_leaves_refused_questions_out_when_asked(app, tmp_path):
    runner = app.test_cli_runner()
    path, options = built("choices_from_files", tmp_path)
    attached = []
    for name, body in options["attachments"].items():
        (tmp_path / name).write_bytes(body)
        attached += ["--attach", str(tmp_path / name)]
    result = runner.invoke(args=["surveys", "import-xlsform", str(path), "--audience", "workers",
                                 "--area", "training", *attached])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "select_one districts" in result.output and "name: d2" in result.output

    roster, _ = built("nested_repeat", tmp_path)
    args = ["surveys", "import-xlsform", str(roster), "--audience", "workers", "--area", "training"]
    refused = runner.invoke(args=args)
    assert refused.exit_code == 1 and "refused: " in refused.output
    assert "--skip-refused" in refused.output
    out = tmp_path / "roster.yaml"
    accepted = runner.invoke(args=[*args, "--skip-refused", "-o", str(out)])
    assert accepted.exit_code == 0 and "left out" in accepted.output
    assert "comment" in out.read_text(encoding="utf-8")
    helped = runner.invoke(args=["surveys", "import-xlsform", "--help"])
    assert "--attach" in helped.output and "docs/surveys.md" in helped.output


def answered(app, client, deploy, factory, tmp_path, name, answers, lang="en", areas=None):
    from tests.surveys.test_xlsform import answer_survey, stored_answers

    path, options = built(name, tmp_path)
    data, _ = imported(path, options)
    data["areas"] = areas or ["training"]
    site = factory.site(languages=list(data["languages"]))
    campaign, _ = deploy(definition=data, sites=[site])
    pages = answer_survey(client, site, campaign, answers, lang)
    return pages, stored_answers(app)


def test_open_repeat_asks_add_another_and_loop_has_one_screen_per_choice(
    app, client, deploy, factory, tmp_path
):
    answers = {
        "employer_1": "Mill A", "months_1": "3", "paid_fee_1": "yes", "job_more_1": "yes",
        "employer_2": "Mill B", "months_2": "1", "job_more_2": "no",
        "held_passport": "yes", "held_contract": "no",
    }  # fmt: skip
    pages, stored = answered(app, client, deploy, factory, tmp_path, "open_repeat_and_loop",
                             answers)  # fmt: skip
    assert stored == answers  # paid_fee_2 skipped (1 month): its own instance's months
    job_pages = [page for page in pages if 'name="employer_' in page]
    assert len(job_pages) == 2 and "Earlier job 1" in job_pages[0]
    # The fee question depends on the months of the same job: one question per screen.
    more = [page for page in pages if 'name="job_more_1"' in page]
    assert len(more) == 1 and "Add another?" in more[0] and "Yes, add another" in more[0]
    assert any("Does someone else keep your passport?" in page for page in pages)
    assert any("Documents: contract" in page for page in pages)


def test_counted_repeat_asks_as_many_as_the_count(app, client, deploy, factory, tmp_path):
    answers = {
        "members": "2", "member_name_1": "Asha", "member_age_1": "40",
        "member_name_2": "Ravi", "member_age_2": "12", "school": "yes",
    }  # fmt: skip
    pages, stored = answered(app, client, deploy, factory, tmp_path, "household_roster", answers)
    # count() and sum() outside the repeat read every instance; position(..) numbers each.
    assert stored == {**answers, "member_count_1": "1", "member_count_2": "2", "listed": "2",
                      "total_age": "52"}  # fmt: skip
    assert sum('name="member_name_' in page for page in pages) == 2
    assert any("First name of person 2" in page for page in pages)
    assert any("You listed 2 people, 52 years together." in page for page in pages)


def test_legacy_xls_workbooks_read_like_xlsx(tmp_path):
    import xlwt

    sheets, options = CORPUS["legacy_spellings"]
    book = xlwt.Workbook()
    for title, rows in sheets.items():
        sheet = book.add_sheet(title)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is not None:
                    sheet.write(r, c, value)
    xls = tmp_path / "legacy_spellings.xls"
    book.save(str(xls))
    pyxform_converts(xls)
    xlsx, _ = built("legacy_spellings", tmp_path)
    assert imported(xls, options)[0] == imported(xlsx, options)[0]


def test_formulas_are_never_evaluated(tmp_path):
    """A formula cell gives the value the spreadsheet saved (openpyxl never computes one): a
    workbook written by a program that saved no value has an empty cell there."""
    sheets = {
        "survey": [["type", "name", "label"], ["text", "q", '=HYPERLINK("http://x","y")']],
        "settings": [["form_id", "audience", "areas"], ["formula", "workers", "training"]],
    }
    path = build.write(sheets, tmp_path / "formula.xlsx")
    with pytest.raises(DefinitionInvalid, match="a label is required"):
        imported(path, {})


def test_a_swahili_survey_is_answered_in_swahili_with_an_english_interface(
    app, client, deploy, factory, tmp_path
):
    path, options = built("times_and_other", tmp_path)
    data, _ = imported(path, options)
    data["areas"] = ["training"]
    site = factory.site(languages=["bn"])
    campaign, _ = deploy(definition=data, sites=[site])
    start = client.get(f"/s/{site.code}/survey/{campaign.id}?lang=sw").data.decode()
    assert '<div lang="sw" dir="ltr">' in start and "Saa za kazi" in start
    assert "The questions are in Kiswahili. The buttons and messages are in English" in start
    assert 'hreflang="bn"' in start and ">বাংলা</a>" in start  # the survey's other languages
    first = client.post(f"/s/{site.code}/survey/{campaign.id}?lang=sw").headers["Location"]
    screen = client.get(first).data.decode()
    assert "Zamu inaanza saa ngapi?" in screen and 'type="time"' in screen
    wrong = client.post(first, data={"shift_start": "25:00"})
    assert wrong.status_code == 400 and "Enter a time, for example 14:30." in wrong.data.decode()
    after = client.post(first, data={"shift_start": "7.30"})
    assert after.status_code == 302
    page = client.get(after.headers["Location"]).data.decode()
    assert 'type="datetime-local"' in page
    late = client.post(after.headers["Location"], data={"last_pay": "2024-05-01 18:45"})
    reason = client.get(late.headers["Location"]).data.decode()
    assert 'value="other"' in reason
    with client.session_transaction() as state:
        assert state["survey"]["a"] == {"shift_start": "07:30", "last_pay": "2024-05-01T18:45"}


@pytest.mark.parametrize(
    ("typed", "stored", "problem"),
    [
        ("23.81 90.41", "23.81 90.41", None),
        ("23.81, 90.41, 12, 5", "23.81 90.41 12 5", None),
        ("91 10", None, "geopoint"),
        ("north", None, "geopoint"),
        ("23.8", None, "geopoint"),
    ],
)
def test_a_location_is_typed_and_checked(app, tmp_path, typed, stored, problem):
    from datetime import date

    from werkzeug.datastructures import MultiDict

    from portal.surveys import engine

    path, options = built("supplier_site_check", tmp_path)
    data, _ = imported(path, options)
    data["areas"] = ["training"]
    form = engine.build_form(parse_definition(data))
    screen = next(s for s in form.screens if s.questions[0].name == "location")
    with app.test_request_context():
        updates, errors = engine.parse_screen(
            form, screen, MultiDict({"location": typed}), {}, "en", date(2026, 1, 5)
        )
        assert (updates["location"] if not problem else None) == stored
        assert bool(errors) == bool(problem)
        if problem:
            assert "latitude and a longitude" in errors["location"]


def test_a_field_list_shows_again_with_the_questions_an_answer_reveals(
    app, client, deploy, factory, tmp_path
):
    """Without JavaScript "other, specify" cannot appear under its choice as it is ticked: the
    screen comes back with it instead of skipping it."""
    sheets = {
        "survey": [
            ["type", "name", "label", "appearance"],
            ["begin group", "why", "Why did you take this job?", "field-list"],
            ["select_one reasons or_other", "reason", "Main reason", None],
            ["integer", "years", "Years in this job", None],
            ["end group", None, None, None],
            ["note", "bye", "Thank you", None],
        ],
        "choices": [["list_name", "name", "label"], ["reasons", "pay", "Pay"]],
        "settings": [["form_id", "audience", "areas"], ["why", "workers", "training"]],
    }
    data, _ = imported(build.write(sheets, tmp_path / "why.xlsx"), {})
    site = factory.site(languages=["en"])
    campaign, _ = deploy(definition=data, sites=[site])
    first = client.post(f"/s/{site.code}/survey/{campaign.id}").headers["Location"]
    assert 'name="reason_other"' not in client.get(first).data.decode()
    again = client.post(first, data={"reason": "other", "years": "2"})
    assert again.status_code == 302 and again.headers["Location"].endswith(first)
    page = client.get(first).data.decode()
    assert 'name="reason_other"' in page and 'value="2"' in page  # what was typed stays
    onwards = client.post(first, data={"reason": "other", "years": "2", "reason_other": "Near"})
    assert not onwards.headers["Location"].endswith(first)
    with client.session_transaction() as state:
        assert state["survey"]["a"] == {"reason": "other", "years": "2", "reason_other": "Near"}
