"""The wide export (one row per response) through the test client, read back in every format
and compared with the long export of the same data."""

from __future__ import annotations

import csv
import io
import warnings
import zipfile
from collections import Counter
from datetime import date, datetime

import pandas as pd
import pyarrow.parquet as pq
import pyreadstat
import pytest
from openpyxl import load_workbook

from portal.exports import dictionary, formats, wide
from portal.exports.wide_files import stat_names
from portal.extensions import db
from portal.surveys import services as surveys
from portal.surveys.models import Campaign
from portal.surveys.xlsform import read_xlsform
from tests.factories import login
from tests.surveys.conftest import EVERY_TYPE, utc_today
from tests.surveys.forms import build

FORMULA = '=HYPERLINK("http://evil.example","click")'
#: Longer than a Stata str# (2045 bytes): a strL there.
LONG_TEXT = "আমরা রাতেও কাজ করি। " * 150
LANGS = ["label::English (en)", "label::Bangla (bn)", "label::Arabic (ar)"]
SURVEY = [
    ["type", "name", *LANGS, "repeat_count"],
    ["select_one yes_no", "id_access", "Can you get your ID card?",
     "আপনি কি আপনার পরিচয়পত্র পেতে পারেন?", "هل يمكنك الحصول على بطاقتك؟", None],
    ["select_multiple problems", "problems", "Which problems?", "কোন সমস্যা?", "ما المشاكل؟", None],
    ["integer", "hours", "Hours last week?", "গত সপ্তাহে কত ঘণ্টা?", "ساعات الأسبوع الماضي؟", None],
    ["decimal", "pay", "Pay per hour?", "ঘণ্টায় মজুরি?", "الأجر؟", None],
    ["text", "comment", "Anything else?", "আর কিছু?", "شيء آخر؟", None],
    ["date", "started", "Start date?", "শুরুর তারিখ?", "تاريخ البدء؟", None],
    ["begin repeat", "members", "Household member", "পরিবারের সদস্য", "فرد من الأسرة", 2],
    ["integer", "member_age", "Age", "বয়স", "العمر", None],
    ["end repeat", None, None, None, None, None],
]  # fmt: skip
CHOICES = [
    ["list_name", "name", *LANGS],
    ["yes_no", "yes", "Yes", "হ্যাঁ", "نعم"],
    ["yes_no", "no", "No", "না", "لا"],
    ["yes_no", "dk", "Don't know", "জানি না", "لا أعرف"],
    ["problems", "fees", "Fees", "ফি", "رسوم"],
    ["problems", "threats", "Threats", "হুমকি", "تهديدات"],
]
SETTINGS = [
    ["form_id", "version", "form_title", "default_language", "audience", "areas"],
    ["wide-test", "1", "Wide test", "Bangla (bn)", "workers", "risk_assessment"],
]
QUESTIONS = ["id_access", "problems", "hours", "pay", "started", "member_age_1", "member_age_2"]
HEAD = list(wide.HEAD)
FLAGS = ["problems/fees", "problems/threats"]


def _answers(index: int) -> dict[str, str]:
    answers = {"id_access": "no" if index < 2 else "yes", "hours": str(40 + index * 5),
               "pay": "12.5", "started": f"2025-01-0{index + 1}",
               "member_age_1": str(30 + index)}  # fmt: skip
    if index < 3:
        answers["member_age_2"] = str(60 - index)
    if index == 0:
        answers.update({"problems": "fees threats", "comment": FORMULA})
    if index == 1:
        answers.update({"problems": "threats", "comment": "ভালো কাজ"})
    if index == 2:
        answers["comment"] = LONG_TEXT
    return answers


@pytest.fixture
def definition(tmp_path):
    path = build.write({"survey": SURVEY, "choices": CHOICES, "settings": SETTINGS},
                       tmp_path / "wide.xlsx")  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read_xlsform(path)


@pytest.fixture
def world(app, deploy, factory, definition):
    """Six responses at a big site, four at a small one (same group and quarter); a second
    survey version without responses."""
    big = factory.site(name="বড় কারখানা", languages=["en", "bn", "ar"])
    small = factory.site(name="Small Site", languages=["en", "bn", "ar"])
    campaign, _sites = deploy(definition, sites=[big, small])
    deploy(EVERY_TYPE, sites=[big])
    with app.app_context():
        stored = db.session.get(Campaign, campaign.id)
        for site, count in ((big, 6), (small, 4)):
            merged = db.session.merge(site)
            for index in range(count):
                language = ("bn", "ar")[index % 2]
                surveys.submit_response(stored, merged, language, _answers(index), utc_today())
    return {"big": big, "small": small, "version": campaign.survey_version_id}


def _get(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.data[:500]
    assert response.headers["Content-Disposition"].startswith('attachment; filename="wide-')
    return response


def _csv(client, url) -> tuple[list[str], list[dict[str, str]]]:
    response = _get(client, url)
    assert response.is_streamed and response.mimetype == "text/csv"
    reader = csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"), newline=""))
    rows = list(reader)
    return list(reader.fieldnames), rows


def _head(row: dict) -> tuple:
    return tuple(str(row[name]) for name in HEAD[1:])


def _long_responses(rows) -> Counter:
    """Each response of the long CSV as (head, its answers): values, numbers for numbers."""
    found: dict[str, tuple] = {}
    for row in rows:
        _same_head, answers = found.setdefault(row["response"], (_head(row), {}))
        answers[row["question"]] = row["number"] or row["value"]
    return Counter((head, tuple(sorted(answers.items()))) for head, answers in found.values())


def _wide_responses(rows, questions) -> Counter:
    found = Counter()
    for row in rows:
        answers = [(name, str(row[name])) for name in questions if row[name] not in ("", None)]
        found[(_head(row), tuple(sorted(answers)))] += 1
    return found


# --- CSV -----------------------------------------------------------------------------------


def test_wide_csv_has_the_long_exports_answers_one_row_per_response(compliance, world):
    version = world["version"]
    header, rows = _csv(compliance, f"/exports/wide/{version}.csv")
    assert header == [*HEAD, "id_access", "problems", *FLAGS, "hours", "pay", "started",
                      "member_age_1", "member_age_2"]  # fmt: skip
    # The small site's 4 responses are left out, as in the long export; free text too.
    assert len(rows) == 6 and {row["site_code"] for row in rows} == {world["big"].code}
    assert sorted(int(row["response"]) for row in rows) == [1, 2, 3, 4, 5, 6]
    assert {row["site_name"] for row in rows} == {"বড় কারখানা"}
    assert Counter(row["language"] for row in rows) == {"bn": 3, "ar": 3}
    _header, long_rows = _csv_long(compliance)
    assert _wide_responses(rows, QUESTIONS) == _long_responses(long_rows)
    by_problems = {row["problems"]: row for row in rows}
    assert by_problems["fees threats"]["problems/fees"] == "1"
    assert by_problems["fees threats"]["problems/threats"] == "1"
    assert (by_problems["threats"]["problems/fees"], by_problems["threats"]["problems/threats"]) \
        == ("0", "1")  # fmt: skip
    assert {row["problems/fees"] for row in rows if not row["problems"]} == {""}
    assert sorted(row["hours"] for row in rows) == ["40", "45", "50", "55", "60", "65"]
    assert {row["submitted_on"] for row in rows} == {utc_today().isoformat()}


def _csv_long(client, query=""):
    response = client.get(f"/exports/responses.csv{query}")
    assert response.status_code == 200
    reader = csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"), newline=""))
    rows = [row for row in reader if row["form_id"] == "wide-test"]
    return reader.fieldnames, rows


def test_wide_csv_labels_in_the_default_and_another_language(compliance, world, definition):
    version = world["version"]
    _header, rows = _csv(compliance, f"/exports/wide/{version}.csv?labels=1")
    _long_header, long_rows = _csv_long(compliance)
    # The default language is Bengali: the labels are the long export's value labels.
    long_labels = Counter(row["value_label"] for row in long_rows if row["question"] == "id_access")
    assert Counter(row["id_access"] for row in rows) == long_labels == {"হ্যাঁ": 4, "না": 2}
    problems = {row["value_label"] for row in long_rows if row["question"] == "problems"}
    assert {row["problems"] for row in rows} - {""} == problems == {"ফি; হুমকি", "হুমকি"}
    assert {row["problems/threats"] for row in rows} == {"1", ""}  # flags stay 0/1
    _header, arabic = _csv(compliance, f"/exports/wide/{version}.csv?labels=1&language=ar")
    assert Counter(row["id_access"] for row in arabic) == {"نعم": 4, "لا": 2}
    assert {row["problems"] for row in arabic} - {""} == {"رسوم; تهديدات", "تهديدات"}
    _header, values = _csv(compliance, f"/exports/wide/{version}.csv?labels=0&language=ar")
    assert Counter(row["id_access"] for row in values) == {"yes": 4, "no": 2}


def test_free_text_only_when_asked_and_neutralised(compliance, world):
    version = world["version"]
    header, _rows = _csv(compliance, f"/exports/wide/{version}.csv")
    assert "comment" not in header
    header, rows = _csv(compliance, f"/exports/wide/{version}.csv?free_text=1")
    assert header.index("comment") == header.index("pay") + 1
    assert {row["comment"] for row in rows} == {"'" + FORMULA, "ভালো কাজ", LONG_TEXT, ""}
    _long_header, long_rows = _csv_long(compliance, "?free_text=1")
    assert _wide_responses(rows, [*QUESTIONS, "comment"]) == _long_responses(long_rows)


# --- XLSX ----------------------------------------------------------------------------------


def test_wide_xlsx_inline_strings_dictionary_and_notes(compliance, world):
    response = _get(compliance, f"/exports/wide/{world['version']}.xlsx?labels=1&language=ar"
                                "&free_text=1")  # fmt: skip
    assert response.is_streamed and response.mimetype == formats.XLSX_MIMETYPE
    raw = response.data
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        assert "xl/sharedStrings.xml" not in archive.namelist()
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert 't="inlineStr"' in sheet and "نعم" in sheet
    workbook = load_workbook(io.BytesIO(raw))
    assert workbook.sheetnames == ["wide", "dictionary"]
    values = list(workbook["wide"].iter_rows(values_only=True))
    header, rows = list(values[0]), [dict(zip(values[0], row, strict=True)) for row in values[1:]]
    assert len(rows) == 6
    assert Counter(row["id_access"] for row in rows) == {"نعم": 4, "لا": 2}
    assert {row["comment"] for row in rows} == {"'" + FORMULA, "ভালো কাজ", LONG_TEXT, None}
    assert {type(row["hours"]) for row in rows} == {int}
    assert {row["pay"] for row in rows} == {12.5}
    assert {row["submitted_on"] for row in rows} == {datetime(*utc_today().timetuple()[:3])}
    assert {row["started"].date() for row in rows} == {date(2025, 1, n) for n in range(1, 7)}
    assert {row["site_name"] for row in rows} == {"বড় কারখানা"}
    glossary = list(workbook["dictionary"].iter_rows(values_only=True))[1:]
    documented = {row[1]: row[2] for row in glossary if row[3] != "note"}
    assert set(documented) == set(header)
    assert documented["id_access"].startswith("هل يمكنك الحصول على بطاقتك؟")
    assert "1 = yes (نعم); 2 = no (لا); 3 = dk (لا أعرف)" in documented["id_access"]
    assert documented["problems/fees"] == "ما المشاكل؟: رسوم"
    assert documented["member_age_2"] == "فرد من الأسرة 2: العمر"
    notes = " ".join(row[2] for row in glossary if row[3] == "note")
    assert "4 responses of this survey version were left out" in notes
    assert "6 responses are in this file" in notes and "apostrophe" in notes


# --- Stata, SPSS, Parquet --------------------------------------------------------------------


def test_stata_file_with_variable_and_value_labels(compliance, world, tmp_path):
    response = _get(compliance, f"/exports/wide/{world['version']}.dta?labels=1")
    assert response.mimetype == "application/x-stata-dta"
    assert int(response.headers["Content-Length"]) == len(response.data)
    path = tmp_path / "wide.dta"
    path.write_bytes(response.data)
    with pd.io.stata.StataReader(path) as reader:
        codes = reader.read(convert_categoricals=False)
        variable_labels, value_labels = reader.variable_labels(), reader.value_labels()
    assert list(codes.columns) == [*HEAD, "id_access", "problems", "problems_fees",
                                   "problems_threats", "hours", "pay", "started",
                                   "member_age_1", "member_age_2"]  # fmt: skip
    assert variable_labels["id_access"] == "আপনি কি আপনার পরিচয়পত্র পেতে পারেন?"
    assert variable_labels["problems_fees"] == "কোন সমস্যা?: ফি"
    assert value_labels["id_access"] == {1: "হ্যাঁ", 2: "না", 3: "জানি না"}
    assert Counter(codes["id_access"]) == {1: 4, 2: 2}
    assert sorted(codes["hours"]) == [40, 45, 50, 55, 60, 65]
    assert set(codes["site_name"]) == {"বড় কারখানা"}
    assert set(codes["language"]) == {"bn", "ar"}
    labelled = pd.read_stata(path)
    assert Counter(labelled["id_access"]) == {"হ্যাঁ": 4, "না": 2}
    assert {day.date() for day in labelled["submitted_on"]} == {utc_today()}
    assert sorted(labelled["problems_threats"].dropna()) == [1, 1]
    # Without labels, the codes are labelled with the choice names (the values as stored).
    path.write_bytes(_get(compliance, f"/exports/wide/{world['version']}.dta").data)
    with pd.io.stata.StataReader(path) as reader:
        reader.read()
        assert reader.value_labels()["id_access"] == {1: "yes", 2: "no", 3: "dk"}
        assert reader.variable_labels()["id_access"] == variable_labels["id_access"]


def test_spss_file_with_variable_and_value_labels_and_notes(compliance, world, tmp_path):
    url = f"/exports/wide/{world['version']}.sav?labels=1&language=ar"
    response = _get(compliance, url)
    assert response.mimetype == "application/x-spss-sav"
    path = tmp_path / "wide.sav"
    path.write_bytes(response.data)
    frame, meta = pyreadstat.read_sav(str(path))
    assert meta.column_names[: len(HEAD)] == HEAD and "problems_fees" in meta.column_names
    labels = meta.column_names_to_labels
    assert labels["id_access"] == "هل يمكنك الحصول على بطاقتك؟"
    assert labels["member_age_1"] == "فرد من الأسرة 1: العمر"
    assert meta.variable_value_labels["id_access"] == {1.0: "نعم", 2.0: "لا", 3.0: "لا أعرف"}
    assert meta.variable_measure["id_access"] == "nominal"
    assert meta.variable_measure["hours"] == "scale"
    assert Counter(frame["id_access"]) == {1.0: 4, 2.0: 2}
    assert set(frame["site_name"]) == {"বড় কারখানা"}
    assert set(frame["submitted_on"]) == {utc_today()}
    notes = " ".join(meta.notes)
    assert "4 responses of this survey version were left out" in notes
    assert "apostrophe" not in notes  # answers are kept as stored in statistics files


def test_parquet_categories_numbers_dates_and_metadata(app, compliance, world, monkeypatch):
    monkeypatch.setitem(app.config, "EXPORT_PARQUET_ROWS", 4)
    response = _get(compliance, f"/exports/wide/{world['version']}.parquet?labels=1")
    assert response.is_streamed and response.mimetype == "application/vnd.apache.parquet"
    raw = io.BytesIO(response.data)
    assert pq.ParquetFile(raw).num_row_groups == 2
    table = pq.read_table(raw)
    assert table.schema.field("id_access").metadata[b"description"].decode() == (
        "আপনি কি আপনার পরিচয়পত্র পেতে পারেন?"
    )
    metadata = table.schema.metadata
    assert b"4 responses of this survey version" in metadata[b"notes"]
    assert metadata[b"answers"] == b"labels" and metadata[b"language"] == b"bn"
    frame = table.to_pandas()
    assert isinstance(frame["id_access"].dtype, pd.CategoricalDtype)
    assert list(frame["id_access"].cat.categories) == ["হ্যাঁ", "না", "জানি না"]
    assert Counter(frame["id_access"]) == {"হ্যাঁ": 4, "না": 2}
    assert str(frame["hours"].dtype) == "int64" and str(frame["pay"].dtype) == "float64"
    assert sorted(frame["hours"]) == [40, 45, 50, 55, 60, 65]
    assert set(frame["submitted_on"]) == {utc_today()}
    assert sorted(frame["problems/threats"].dropna()) == [1, 1]
    assert len(frame) == 6 and set(frame["site_code"]) == {world["big"].code}


def test_stata_free_text_beyond_2045_bytes_and_multiple_choice_labels(compliance, world,
                                                                       tmp_path):  # fmt: skip
    url = f"/exports/wide/{world['version']}.dta?free_text=1&labels=1&language=ar"
    path = tmp_path / "wide.dta"
    path.write_bytes(_get(compliance, url).data)
    frame = pd.read_stata(path)
    assert set(frame["comment"]) == {FORMULA, "ভালো কাজ", LONG_TEXT, ""}  # as stored
    assert set(frame["problems"]) == {"رسوم; تهديدات", "تهديدات", ""}
    assert Counter(frame["id_access"]) == {"نعم": 4, "لا": 2}
    _data, meta = pyreadstat.read_dta(str(path))  # a second, independent reader
    assert "4 responses of this survey version were left out" in " ".join(meta.notes)
    assert meta.variable_value_labels["id_access"] == {1: "نعم", 2: "لا", 3: "لا أعرف"}


def test_spss_has_a_size_limit_the_others_do_not(app, compliance, world, monkeypatch):
    monkeypatch.setitem(app.config, "EXPORT_FRAME_MAX_RESPONSES", 5)
    response = compliance.get(f"/exports/wide/{world['version']}.sav")
    assert response.status_code == 400
    assert "Download it as Stata, Parquet or CSV" in response.text
    for fmt in ("dta", "parquet", "csv", "xlsx"):
        assert compliance.get(f"/exports/wide/{world['version']}.{fmt}").status_code == 200


# --- the page, the form, bad requests ---------------------------------------------------------


def test_exports_page_offers_versions_with_responses(compliance, world):
    page = compliance.get("/exports")
    assert page.status_code == 200
    text = page.text
    assert 'action="/exports/wide"' in text and 'method="get"' in text
    assert f'<option value="{world["version"]}">' in text and "wide-test" in text
    assert "every-type" not in text  # deployed, but without responses
    assert 'value="parquet"' in text and 'value="sav"' in text and 'value="dta"' in text
    assert 'name="free_text"' in text and "download progress" in text
    response = compliance.get(f"/exports/wide?version={world['version']}&fmt=dta&labels=1"
                              "&language=ar&free_text=1")  # fmt: skip
    assert response.status_code == 302
    assert response.headers["Location"].startswith(f"/exports/wide/{world['version']}.dta?")
    assert "language=ar" in response.headers["Location"]
    assert "labels=1" in response.headers["Location"]


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        ("/exports/wide/999999.csv", 404, "no survey version with this number"),
        (f"/exports/wide/{'9' * 25}.csv", 404, "no survey version with this number"),
        ("/exports/wide/{version}.pdf", 404, "no such file format"),
        ("/exports/wide/{version}.csv?language=xx", 400, "no text in the language"),
        ("/exports/wide/{version}.csv?language=en_GB", 400, "Its languages: en, bn, ar"),
        ("/exports/wide/{version}.csv?labels=yes", 400, "must be 0 or 1"),
        ("/exports/wide/{version}.parquet?free_text=2", 400, "must be 0 or 1"),
        ("/exports/wide?version=x&fmt=csv", 400, "Choose a survey version"),
        ("/exports/wide?version={version}&fmt=pdf", 400, "Choose a file format"),
        ("/exports/wide?version={version}&fmt=csv&language=zz", 400, "no text in the language"),
    ],
)
def test_bad_requests_are_refused_with_a_message(compliance, world, query, status, message):
    response = compliance.get(query.format(version=world["version"]))
    assert response.status_code == status
    assert message in response.text


def test_supplier_questionnaires_have_no_wide_export(app, compliance, world, deploy):
    from tests.surveys.test_saq import SAQ

    campaign, _sites = deploy(SAQ, group="suppliers", sites=[world["big"]])
    response = compliance.get(f"/exports/wide/{campaign.survey_version_id}.csv")
    assert response.status_code == 404


@pytest.mark.parametrize("role", ["supplier", "monitor", "admin"])
def test_other_roles_are_refused(app, factory, world, role):
    client = app.test_client()
    assert login(client, factory.user(role)).status_code == 302
    assert client.get(f"/exports/wide/{world['version']}.csv").status_code == 403
    assert client.get(f"/exports/wide?version={world['version']}&fmt=csv").status_code == 403


def test_the_dictionary_export_describes_the_wide_export(compliance, world):
    response = compliance.get("/exports/dictionary.csv")
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"), newline="")))
    columns = {row["column"] for row in rows if row["export"] == "wide" and row["type"] != "note"}
    assert set(HEAD) | {"<question>", "<question>/<choice>", "<question>_<n>"} == columns
    notes = " ".join(row["meaning"] for row in rows if row["export"] == "wide")
    assert "coded 1, 2, 3" in notes and "4 responses" in notes and "<question>_<n>" in notes
    assert {column.name for column in dictionary.every_column()["wide"]} == columns


def test_stat_names():
    assert stat_names(["problems/fees", "problems_fees", "_x", "9lives", "if", "a.b-c"]) == [
        "problems_fees", "problems_fees_2", "v_x", "v9lives", "if_", "a_b_c",
    ]  # fmt: skip
    long = ["q" * 40 + "/a", "q" * 40 + "/b"]
    assert stat_names(long) == ["q" * 32, "q" * 30 + "_2"]
