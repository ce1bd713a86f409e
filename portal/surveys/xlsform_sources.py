"""Reading the sheets of an XLSForm from any file pyxform reads: ``.xlsx``, ``.xls``, and the
plain-text ``.csv`` and ``.md`` layouts, plus the choice files of ``select_one_from_file``.

Workbooks are read for their cell values only: no formula is evaluated (``data_only`` gives the
value the spreadsheet cached, or nothing) and no macro runs (neither openpyxl nor xlrd executes
anything). Each sheet comes back as its header row and its non-empty data rows with the row
number a spreadsheet shows, so that every error can say where to look.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

SHEETS = ("survey", "choices", "settings", "external_choices")
SUFFIXES = (".xlsx", ".xls", ".csv", ".md")

Rows = list[tuple[int, tuple]]


class SourceError(ValueError):
    """The file cannot be read as an XLSForm at all."""


def read_sheets(path: Path) -> dict[str, tuple[tuple, Rows]]:
    """``{sheet: (header, [(row number, values), ...])}`` for the XLSForm sheets present."""
    suffix = path.suffix.lower()
    if not path.is_file():
        raise SourceError("no such file")
    if suffix == ".xls":
        tables = _xls_tables(path)
    elif suffix in (".csv", ".md"):
        text = path.read_bytes().decode("utf-8-sig", errors="replace")
        tables = _text_tables(text, markdown=suffix == ".md")
    else:
        tables = _xlsx_tables(path)
    sheets = {}
    for name, rows in tables.items():
        key = name.strip().lower()
        if key not in SHEETS or key in sheets or not rows:
            continue
        header = rows[0][1]
        data = [(number, values) for number, values in rows[1:] if any(map(_filled, values))]
        sheets[key] = (header, data)
    return sheets


def _filled(value) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _xlsx_tables(path: Path) -> dict[str, Rows]:
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise SourceError(
            "not an XLSForm workbook (.xlsx, .xls, or pyxform's .csv or .md)"
        ) from None
    try:
        tables = {}
        for worksheet in workbook.worksheets:
            # Some spreadsheet tools write a wrong size into the file: read every row.
            worksheet.reset_dimensions()
            tables[worksheet.title] = list(
                enumerate(worksheet.iter_rows(values_only=True), start=1)
            )
        return tables
    finally:
        workbook.close()


def _xls_tables(path: Path) -> dict[str, Rows]:
    import xlrd

    try:
        book = xlrd.open_workbook(path, on_demand=True)
    except (xlrd.XLRDError, OSError, ValueError, AssertionError, IndexError):
        raise SourceError("not an .xls workbook") from None
    try:
        tables = {}
        for sheet in book.sheets():
            rows = []
            for index in range(sheet.nrows):
                values = []
                for cell in sheet.row(index):
                    value = cell.value
                    if cell.ctype == xlrd.XL_CELL_DATE:
                        value = xlrd.xldate.xldate_as_datetime(value, book.datemode)
                    elif cell.ctype == xlrd.XL_CELL_BOOLEAN:
                        value = bool(value)
                    elif cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
                        value = None
                    values.append(value)
                rows.append((index + 1, tuple(values)))
            tables[sheet.name] = rows
        return tables
    finally:
        book.release_resources()


def _text_tables(text: str, *, markdown: bool) -> dict[str, Rows]:
    """pyxform's text layouts: a row whose first cell is a sheet name starts that sheet; the
    rows under it leave the first cell empty (header first, then data)."""
    if markdown:
        lines = [
            (number, line.strip())
            for number, line in enumerate(text.splitlines(), start=1)
            if line.strip().startswith("|")
        ]
        cells = [
            (number, [cell.strip() for cell in re.split(r"(?<!\\)\|", line.strip("|"))])
            for number, line in lines
        ]
        cells = [
            (number, [cell.replace("\\|", "|") for cell in row])
            for number, row in cells
            if not all(re.fullmatch(r":?-*:?", cell) for cell in row)  # --- separator rows
        ]
    else:
        reader = csv.reader(io.StringIO(text))
        cells = [(reader.line_num, row) for row in reader]
    tables: dict[str, Rows] = {}
    current: Rows | None = None
    for number, row in cells:
        if not row:
            continue
        if row[0].strip():
            current = tables.setdefault(row[0].strip(), [])
        if current is not None and any(cell.strip() for cell in row[1:]):
            current.append((number, tuple(cell if cell.strip() else None for cell in row[1:])))
    return tables


def choice_file_rows(name: str, data: bytes) -> tuple[tuple, Rows]:
    """The rows of a ``select_one_from_file`` attachment: CSV with a header row, or the ODK
    XML layout ``<root><item><name>..</name><label>..</label></item></root>``."""
    text = data.decode("utf-8-sig", errors="replace")
    if name.lower().endswith(".xml"):
        if "<!DOCTYPE" in text or "<!ENTITY" in text:
            raise SourceError("XML with a DOCTYPE or entities is not read")
        try:
            root = ElementTree.fromstring(text)  # noqa: S314 (no DOCTYPE: nothing to expand)
        except ElementTree.ParseError as error:
            raise SourceError(f"not valid XML (line {error.position[0]})") from None
        items = list(root.iter("item"))
        columns = list(dict.fromkeys(child.tag for item in items for child in item))
        rows = [
            (index + 2, tuple((item.findtext(column) or None) for column in columns))
            for index, item in enumerate(items)
        ]
        return tuple(columns), rows
    reader = csv.reader(io.StringIO(text))
    rows = [(reader.line_num, tuple(row)) for row in reader]
    if not rows:
        raise SourceError("the file is empty")
    header = rows[0][1]
    return header, [
        (number, tuple(cell if cell.strip() else None for cell in values))
        for number, values in rows[1:]
        if any(cell.strip() for cell in values)
    ]
