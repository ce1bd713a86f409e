"""The writers on their own: the streamed XLSX workbook and the row-by-row Stata file."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime

import numpy as np
import pandas as pd
import pyreadstat
import pytest
from openpyxl import load_workbook

from portal.exports import formats, stata
from portal.exports.dictionary import Column
from portal.exports.services import Prepared

COLUMNS = (Column("text", "Text", "text"), Column("number", "Number", "number"),
           Column("day", "Day", "date"))  # fmt: skip
ROWS = [
    ["বাংলা & <ট্যাগ>", 1.5, date(2026, 1, 2)],
    ["=1+1", 3, None],
    [" العربية ", True, datetime(2026, 1, 2, 3, 4, 5)],
    ["#N/A", None, None],
    ["-3", -3, date(1950, 5, 6)],
]


def _workbook(app, rows, notes=("note ١",)):
    prepared = Prepared("responses", COLUMNS, iter(rows), notes=lambda: list(notes))
    with app.test_request_context():
        return b"".join(formats.xlsx_stream(prepared))


def test_xlsx_opens_with_inline_strings_and_guarded_text(app):
    raw = _workbook(app, ROWS)
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        names = archive.namelist()
        assert names[0] == "[Content_Types].xml"  # first, as file-type sniffers expect
        assert "xl/sharedStrings.xml" not in names
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
        assert archive.testzip() is None
    assert 't="inlineStr"' in sheet and "&lt;ট্যাগ&gt;" in sheet
    workbook = load_workbook(io.BytesIO(raw))
    assert workbook.sheetnames == ["responses", "dictionary"]
    values = list(workbook["responses"].iter_rows(values_only=True))
    assert values[0] == ("text", "number", "day")
    assert values[1] == ("বাংলা & <ট্যাগ>", 1.5, datetime(2026, 1, 2))
    assert values[2] == ("'=1+1", 3, None)  # a formula is text, with an apostrophe
    assert values[3] == (" العربية ", "yes", datetime(2026, 1, 2, 3, 4, 5))
    assert values[4] == ("'#N/A", None, None)
    assert values[5] == ("-3", -3, datetime(1950, 5, 6))  # a plain number is left alone
    assert workbook["responses"]["A3"].data_type == "s"
    glossary = list(workbook["dictionary"].iter_rows(values_only=True))
    assert glossary[1:] == [("responses", "text", "Text", "text"),
                            ("responses", "number", "Number", "number"),
                            ("responses", "day", "Day", "date"),
                            ("responses", None, "note ١", "note")]  # fmt: skip
    # Read-only mode (no dimension in the sheet) still sees full-width rows.
    quick = load_workbook(io.BytesIO(raw), read_only=True)
    assert [len(row) for row in quick["responses"].iter_rows(values_only=True)] == [3] * 6
    assert pd.read_excel(io.BytesIO(raw)).shape == (5, 3)


def test_xlsx_continues_on_a_new_sheet_at_the_row_limit(app, monkeypatch):
    monkeypatch.setattr(formats, "XLSX_MAX_ROWS", 2)
    workbook = load_workbook(io.BytesIO(_workbook(app, ROWS)))
    assert workbook.sheetnames == ["responses", "responses (2)", "responses (3)", "dictionary"]
    counts = [workbook[name].max_row for name in workbook.sheetnames[:3]]
    assert counts == [3, 3, 2]  # the header on each, then 2 + 2 + 1 rows
    assert [cell.value for cell in workbook["responses (3)"][1]] == ["text", "number", "day"]
    assert workbook["responses (3)"]["A2"].value == "-3"


def test_xlsx_sends_bytes_before_reading_every_row(app):
    """The point of streaming: the first chunks leave while rows are still to come."""
    consumed = []

    def rows():
        for index in range(20_000):
            consumed.append(index)
            yield [f"রো {index}", index, date(2026, 1, 1)]

    prepared = Prepared("responses", COLUMNS, rows(), notes=list)
    with app.test_request_context():
        stream = formats.xlsx_stream(prepared)
        chunks = [next(stream)]
        assert chunks[0].startswith(b"PK") and consumed == []
        chunks += [next(stream) for _ in range(3)]
        assert all(chunks) and len(consumed) < 20_000
        chunks += list(stream)
    assert len(consumed) == 20_000
    workbook = load_workbook(io.BytesIO(b"".join(chunks)), read_only=True)
    assert sum(1 for _row in workbook["responses"].iter_rows()) == 20_001


def test_an_abandoned_xlsx_download_is_closed_quietly(app):
    prepared = Prepared("responses", COLUMNS, iter(ROWS * 5000), notes=list)
    with app.test_request_context():
        stream = formats.xlsx_stream(prepared)
        next(stream)
        next(stream)
        stream.close()  # the client went away


# --- Stata ---------------------------------------------------------------------------------

STAMP = datetime(2026, 3, 4, 5, 6)
TEXT = "বড় কারখানা"
LONG = "long text " * 300


def _stata(variables, rows, **options) -> bytes:
    target = io.BytesIO()
    assert stata.write(target, variables, rows, stamp=STAMP, **options) == len(rows)
    return target.getvalue()


def test_stata_file_is_byte_for_byte_what_pandas_writes():
    rows = [[1, TEXT, 1, 0, date(2026, 1, 2), LONG, 3.5],
            [2, "موقع", None, 1, None, "", None],
            [3, "x", 2, None, date(1950, 5, 6), LONG, -2.25]]  # fmt: skip
    variables = [
        stata.Variable("response", stata.LONG, "Number"),
        stata.Variable("site", len(TEXT.encode()), "Site"),
        stata.Variable("id_access", stata.BYTE, "প্রশ্ন", {1: "হ্যাঁ", 2: "না"}),
        stata.Variable("flag", stata.BYTE, "Flag"),
        stata.Variable("day", stata.DOUBLE, "Day", day=True),
        stata.Variable("comment", stata.STRL, "Comment"),
        stata.Variable("pay", stata.DOUBLE),
    ]
    mine = _stata(variables, rows, label="Wide বাংলা")
    frame = pd.DataFrame({
        "response": np.array([1, 2, 3], dtype=np.int32),
        "site": pd.Series([TEXT, "موقع", "x"], dtype=object),
        "id_access": pd.Series([1, None, 2], dtype="Int8"),
        "flag": pd.Series([0, 1, None], dtype="Int8"),
        "day": pd.to_datetime(["2026-01-02", None, "1950-05-06"]),
        "comment": pd.Series([LONG, "", LONG], dtype=object),
        "pay": [3.5, np.nan, -2.25],
    })  # fmt: skip
    theirs = io.BytesIO()
    labels = {v.name: v.label for v in variables if v.label}
    frame.to_stata(theirs, version=118, write_index=False, convert_dates={"day": "td"},
                   time_stamp=STAMP, data_label="Wide বাংলা", variable_labels=labels,
                   value_labels={"id_access": {1: "হ্যাঁ", 2: "না"}},
                   convert_strl=["comment"])  # fmt: skip
    assert mine == theirs.getvalue()


def test_stata_notes_and_labels_read_back_with_readstat(tmp_path):
    variables = [stata.Variable("q", stata.BYTE, "السؤال", {1: "نعم", 2: "لا"}),
                 stata.Variable("t", 4, "")]  # fmt: skip
    path = tmp_path / "notes.dta"
    path.write_bytes(_stata(variables, [[1, "abcdefgh"], [None, None]],
                            notes=["Suppression: ৪ responses", "second"]))  # fmt: skip
    frame, meta = pyreadstat.read_dta(str(path))
    assert meta.notes == ["Suppression: ৪ responses", "second"]
    assert meta.column_names_to_labels["q"] == "السؤال"
    assert meta.variable_value_labels == {"q": {1: "نعم", 2: "لا"}}
    # A text longer than its column is cut between characters, never inside one.
    assert list(frame["t"]) == ["abcd", ""]
    assert list(pd.read_stata(path, convert_categoricals=False)["q"].fillna(0)) == [1, 0]


@pytest.mark.parametrize(
    ("largest", "kind"),
    [(3, stata.BYTE), (100, stata.BYTE), (101, stata.INT), (40_000, stata.LONG)],
)
def test_stata_integer_types(largest, kind):
    assert stata.integer_type(largest) == kind
