"""Exports through the test client, with data made by the real services."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from portal.exports import dictionary, services
from portal.extensions import db
from portal.grievances import services as grievances
from portal.risk.classify import period_of
from portal.surveys import services as surveys
from portal.surveys.models import Campaign
from tests.factories import login
from tests.surveys.conftest import utc_today

FORMULA = '=HYPERLINK("http://evil.example","click")'
CONTACT = "+880 1700 123456"
DESCRIPTION = "The supervisor keeps our passports in a locked drawer."


def _answers(index: int) -> dict[str, str]:
    answers = {"id_access": "no" if index < 2 else "yes", "hours": str(40 + index * 5)}
    if index == 0:
        answers.update({"problems": "fees threats", "fees_detail": FORMULA})
    return answers


@pytest.fixture
def world(app, deploy, factory):
    """Six responses at a big site, four at a small one (same group and quarter), two cases."""
    big = factory.site(name="Big Site", languages=["en", "ar"])
    small = factory.site(name="Small Site", languages=["en", "ar"])
    campaign, _sites = deploy(sites=[big, small])
    with app.app_context():
        stored = db.session.get(Campaign, campaign.id)
        for site, count in ((big, 6), (small, 4)):
            merged = db.session.merge(site)
            for index in range(count):
                surveys.submit_response(stored, merged, "en", _answers(index), utc_today())
        linked, _receipt = grievances.create_grievance(
            grievances.IntakeData(
                reporter="worker", category="documents", description=DESCRIPTION,
                language="en", site_id=big.id, contact=CONTACT,
            )
        )  # fmt: skip
        unlinked, _receipt = grievances.create_grievance(
            grievances.IntakeData(
                reporter="community", category="child_labour", description="-children at work",
                language="en", reported_place="@Fish market, back gate",
            )
        )  # fmt: skip
        cases = (linked.id, unlinked.id)
    return {"big": big, "small": small, "campaign": campaign, "cases": cases}


def _get(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.data[:500]
    assert response.is_streamed  # checked before the body is read (reading buffers it)
    return response


def _csv(client, url) -> tuple[list[str], list[dict[str, str]]]:
    response = _get(client, url)
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    assert utc_today().isoformat() in response.headers["Content-Disposition"]
    raw = response.data
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM for spreadsheet programs
    reader = csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline=""))
    rows = list(reader)
    return list(reader.fieldnames), rows


def _xlsx(client, url):
    response = _get(client, url)
    assert response.mimetype == services.XLSX_MIMETYPE
    assert ".xlsx" in response.headers["Content-Disposition"]
    return load_workbook(io.BytesIO(response.data))


def _sheet_rows(sheet) -> tuple[list[str], list[dict]]:
    values = list(sheet.iter_rows(values_only=True))
    header = list(values[0])
    return header, [dict(zip(header, row, strict=True)) for row in values[1:]]


# --- responses -----------------------------------------------------------------------------


def test_responses_csv_long_format_with_labels_and_suppression(compliance, world):
    header, rows = _csv(compliance, "/exports/responses.csv")
    assert header == [column.name for column in dictionary.RESPONSES]
    # The small site has 4 responses this quarter: all of them are left out.
    assert {row["site_code"] for row in rows} == {world["big"].code}
    assert "Small Site" not in {row["site_name"] for row in rows}
    numbers = sorted({int(row["response"]) for row in rows})
    assert numbers == [1, 2, 3, 4, 5, 6]  # opaque per-file sequence, not database ids
    first = rows[0]
    assert first["campaign"] == "every-type campaign"
    assert (first["form_id"], first["survey_version"]) == ("every-type", "1")
    assert first["site_name"] == "Big Site"
    assert first["country"] == "BD"
    assert first["supplier"].startswith("Supplier")
    assert (first["stakeholder_group"], first["language"]) == ("workers", "en")
    assert first["submitted_on"] == utc_today().isoformat()
    by_question = {}
    for row in rows:
        by_question.setdefault(row["question"], []).append(row)
    id_rows = by_question["id_access"]
    assert {row["question_label"] for row in id_rows} == {"Can you get your ID card?"}
    assert sorted(row["value_label"] for row in id_rows) == ["No", "No"] + ["Yes"] * 4
    assert {row["indicator"] for row in id_rows} == {"FL03"}
    (problems,) = by_question["problems"]
    assert (problems["value"], problems["value_label"]) == ("fees threats", "Fees; Threats")
    hours = sorted(by_question["hours"], key=lambda row: int(row["number"]))
    assert [row["number"] for row in hours] == ["40", "45", "50", "55", "60", "65"]
    assert {row["indicator"] for row in hours} == {"FL09"}
    # Answers to open questions are left out unless asked for: they can identify a writer.
    assert "fees_detail" not in by_question
    # Anonymous data carries only what is stored: no time, no user.
    assert not any(name in header for name in ("user", "user_id", "submitted_at", "id"))


def test_responses_with_free_text_include_open_answers_neutralised(compliance, world):
    _header, rows = _csv(compliance, "/exports/responses.csv?free_text=1")
    (detail,) = [row for row in rows if row["question"] == "fees_detail"]
    assert detail["value"] == "'" + FORMULA  # formula injection is neutralised


def test_responses_xlsx_has_data_and_dictionary_sheets(compliance, world):
    workbook = _xlsx(compliance, "/exports/responses.xlsx?free_text=1")
    assert workbook.sheetnames == ["responses", "dictionary"]
    header, rows = _sheet_rows(workbook["responses"])
    assert header == [column.name for column in dictionary.RESPONSES]
    assert len({row["response"] for row in rows}) == 6
    assert {row["site_code"] for row in rows} == {world["big"].code}
    detail = next(row for row in rows if row["question"] == "fees_detail")
    assert detail["value"] == "'" + FORMULA
    cell = next(
        row[13] for row in workbook["responses"].iter_rows(min_row=2)
        if row[11].value == "fees_detail"
    )  # fmt: skip
    assert cell.data_type == "s"  # a string, not a formula
    hours = next(row for row in rows if row["question"] == "hours")
    assert isinstance(hours["number"], int | float)
    _header, glossary = _sheet_rows(workbook["dictionary"])
    documented = {row["column"] for row in glossary if row["type"] != "note"}
    assert documented == set(header)
    notes = " ".join(row["meaning"] for row in glossary if row["type"] == "note")
    assert "4 responses" in notes
    assert "apostrophe" in notes


def test_a_quarter_reaching_five_responses_is_exported(app, compliance, world):
    with app.app_context():
        stored = db.session.get(Campaign, world["campaign"].id)
        surveys.submit_response(
            stored, db.session.merge(world["small"]), "en", _answers(5), utc_today()
        )
    _header, rows = _csv(compliance, "/exports/responses.csv")
    assert {row["site_code"] for row in rows} == {world["big"].code, world["small"].code}
    assert len({row["response"] for row in rows}) == 11


def test_snapshot_fails_closed(app, world):
    with app.app_context():
        snapshot = services.response_snapshot()
    period = period_of(utc_today())
    assert snapshot.allowed == {(world["big"].id, "workers", period)}
    assert (snapshot.left_out_responses, snapshot.left_out_cells) == (4, 1)
    assert snapshot.left_out_answers > 4


# --- signals -------------------------------------------------------------------------------


def test_signals_csv_hides_small_cells(compliance, world):
    period = period_of(utc_today())
    header, rows = _csv(compliance, f"/exports/signals.csv?period={period}")
    assert header == [column.name for column in dictionary.SIGNALS]
    big = {row["indicator"]: row for row in rows if row["site_code"] == world["big"].code}
    small = {row["indicator"]: row for row in rows if row["site_code"] == world["small"].code}
    shown = big["FL03"]
    assert shown["status"] == "shown"
    assert (shown["k"], shown["n"], shown["missing"]) == ("2", "6", "0")
    assert shown["period"] == period and shown["stakeholder_group"] == "workers"
    assert shown["indicator_name"] == "Retention of identity documents"
    assert float(shown["raw_rate"]) == pytest.approx(2 / 6, abs=1e-6)
    assert float(shown["posterior_low_90"]) < float(shown["posterior_mean"])
    assert float(shown["posterior_mean"]) < float(shown["posterior_high_90"])
    assert float(shown["wilson_low_95"]) < float(shown["wilson_high_95"])
    assert shown["band"] in ("low", "medium", "high", "critical")
    assert shown["score"] and shown["refusal_rate"] == "0"
    assert shown["discrepancy"] == "no"
    # n = 4 < 5: exported as suppressed, without a single number.
    hidden = small["FL03"]
    assert hidden["status"] == "suppressed"
    numbers = ("k", "n", "missing", "baseline", "posterior_mean", "posterior_low_90",
               "posterior_high_90", "raw_rate", "wilson_low_95", "wilson_high_95", "score",
               "band", "refusal_rate")  # fmt: skip
    assert all(hidden[name] == "" for name in numbers)
    # A zero-tolerance report inside the hidden cell shows as the site-level flag only.
    assert hidden["site_needs_attention"] == "yes"


def test_signals_xlsx_and_period(compliance, world):
    period = period_of(utc_today())
    workbook = _xlsx(compliance, "/exports/signals.xlsx")  # default: the current quarter
    _header, rows = _sheet_rows(workbook["signals"])
    assert {row["period"] for row in rows} == {period}
    assert {row["status"] for row in rows} == {"shown", "suppressed"}
    assert workbook.sheetnames == ["signals", "dictionary"]
    # An empty quarter is a header only; a malformed one is refused.
    _header, rows = _csv(compliance, "/exports/signals.csv?period=2001-Q1")
    assert rows == []
    assert compliance.get("/exports/signals.csv?period=2026-Q9").status_code == 400
    assert compliance.get("/exports/signals.csv?period=x").status_code == 400


# --- cases ---------------------------------------------------------------------------------


def test_cases_without_free_text_by_default(compliance, world):
    response = _get(compliance, "/exports/cases.csv")
    body = response.data.decode("utf-8-sig")
    assert DESCRIPTION not in body
    assert CONTACT not in body and "1700" not in body
    rows = list(csv.DictReader(io.StringIO(body, newline="")))
    assert "description" not in rows[0]
    linked, unlinked = sorted(rows, key=lambda row: int(row["case"]))
    assert int(linked["case"]) == world["cases"][0]
    assert (linked["site_code"], linked["site_name"]) == (world["big"].code, "Big Site")
    assert linked["reported_place"] == ""
    assert (linked["stakeholder_group"], linked["category"]) == ("workers", "documents")
    assert (linked["status"], linked["severity"], linked["indicators"]) == ("new", "", "FL03")
    assert linked["received_on"] == utc_today().isoformat()
    assert linked["acknowledge_due_on"] >= linked["received_on"]
    assert linked["resolve_due_on"] > linked["received_on"]
    assert (linked["acknowledged_on"], linked["resolved_on"]) == ("", "")
    assert (linked["overdue"], linked["overdue_step"], linked["satisfaction"]) == ("no", "", "")
    assert unlinked["site_code"] == ""
    assert unlinked["reported_place"] == "'@Fish market, back gate"  # neutralised
    assert unlinked["stakeholder_group"] == "communities"


def test_cases_with_free_text_include_the_description_only(compliance, world):
    header, rows = _csv(compliance, "/exports/cases.csv?free_text=1")
    assert header[-1] == "description"
    assert DESCRIPTION in {row["description"] for row in rows}
    assert "'-children at work" in {row["description"] for row in rows}
    workbook = _xlsx(compliance, "/exports/cases.xlsx?free_text=1")
    header, rows = _sheet_rows(workbook["cases"])
    assert DESCRIPTION in {row["description"] for row in rows}
    everything = " ".join(
        str(value) for sheet in workbook for row in sheet.iter_rows(values_only=True)
        for value in row if value is not None
    )  # fmt: skip
    assert CONTACT not in everything
    _header, glossary = _sheet_rows(workbook["dictionary"])
    notes = " ".join(row["meaning"] for row in glossary if row["type"] == "note")
    assert "descriptions" in notes and "never exported" in notes
    plain = _xlsx(compliance, "/exports/cases.xlsx")
    header, _rows = _sheet_rows(plain["cases"])
    assert "description" not in header


# --- dictionary ----------------------------------------------------------------------------


def test_dictionary_covers_every_column_of_every_export(compliance, world):
    header, rows = _csv(compliance, "/exports/dictionary.csv")
    assert header == ["export", "column", "meaning", "type"]
    documented = {(row["export"], row["column"]) for row in rows if row["type"] != "note"}
    assert all(row["meaning"] for row in rows)
    period = period_of(utc_today())
    for name, url in (
        ("responses", "/exports/responses.csv"),
        ("signals", f"/exports/signals.csv?period={period}"),
        ("cases", "/exports/cases.csv?free_text=1"),
        ("dictionary", "/exports/dictionary.csv"),
    ):
        columns, _rows = _csv(compliance, url)
        assert {(name, column) for column in columns} <= documented, name
    notes = {row["export"]: row["meaning"] for row in rows if row["type"] == "note"}
    assert "4 responses" in notes["responses"]
    assert "Free text" in notes["cases"]
    workbook = _xlsx(compliance, "/exports/dictionary.xlsx")
    assert workbook.sheetnames == ["dictionary"]
    _header, sheet_rows = _sheet_rows(workbook["dictionary"])
    assert len(sheet_rows) == len(rows)


# --- the page, refusals, guards ------------------------------------------------------------


def test_index_lists_every_export_with_both_formats(compliance, world):
    page = compliance.get("/exports").data.decode()
    for name in services.EXPORTS:
        assert f"/exports/{name}.csv" in page
        assert f"/exports/{name}.xlsx" in page
    assert "free_text=1" in page
    assert 'href="/exports"' in page  # the navigation entry


def test_unknown_exports_and_formats_are_404(compliance, world):
    assert compliance.get("/exports/answers.csv").status_code == 404
    assert compliance.get("/exports/responses.pdf").status_code == 404
    assert compliance.get("/exports/responses").status_code == 404


@pytest.mark.parametrize("role", ["supplier", "monitor", "admin"])
def test_other_roles_are_refused(app, factory, role):
    client = app.test_client()
    assert login(client, factory.user(role)).status_code == 302
    assert client.get("/exports").status_code == 403
    assert client.get("/exports/responses.csv").status_code == 403
    assert client.get("/exports/cases.xlsx?free_text=1").status_code == 403


def test_anonymous_visitors_are_sent_to_login(client):
    response = client.get("/exports/cases.csv")
    assert response.status_code == 302
    assert "/login?next=" in response.headers["Location"]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+SUM(A1)", "'+SUM(A1)"),
        ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("-3", "-3"),
        ("+1.5", "+1.5"),
        ("safe", "safe"),
        ("", ""),
    ],
)
def test_neutralise(given, expected):
    assert services.neutralise(given) == expected


def test_every_export_has_documented_columns():
    for name, columns in dictionary.every_column().items():
        assert len({column.name for column in columns}) == len(columns), name
        assert all(str(column.meaning) and column.type for column in columns)
