"""The writers that stream an export as CSV or XLSX, and the guard against formula injection.

Both writers take a ``services.Prepared`` (columns, lazy rows, notes) and yield bytes as the
rows come, so that the first byte leaves at once and memory stays flat however long the file.

XLSX is written without openpyxl: openpyxl saves a workbook only as a whole, so a download of
100,000 rows waited for the full file. Here the ZIP is written as a stream (``zipfile`` over a
non-seekable sink: each part's sizes and checksum follow it in a data descriptor) and the
sheet XML is written row by row with inline strings (no shared-strings table to hold in
memory). The package parts that name the sheets (workbook and its relationships) come last;
``[Content_Types].xml`` comes first and types every ``.xml`` part as a worksheet by default,
so it does not need to know how many sheets there will be.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import TYPE_CHECKING

from portal.exports import dictionary

if TYPE_CHECKING:
    from portal.exports.services import Prepared

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Bytes collected before a chunk is handed to the server.
CSV_CHUNK = 64 * 1024
#: Bytes read from a finished temporary file per chunk.
FILE_CHUNK = 256 * 1024
#: The UTF-8 byte order mark: spreadsheet programs need it to read Burmese, Bengali, Arabic...
BOM = "\ufeff"
#: Data rows per worksheet (Excel's limit is 1,048,576 rows including the header).
XLSX_MAX_ROWS = 1_048_575
#: Uncompressed XML per worksheet: a longer sheet continues in the next one, so that no ZIP
#: part needs Zip64 (its sizes are not known when its header is written).
XLSX_MAX_SHEET_BYTES = 1_500_000_000
#: Excel's limit on the characters in one cell; longer text is cut (Excel would refuse it).
XLSX_MAX_TEXT = 32_767
#: 1 = fastest deflate: the sheet XML compresses well anyway and writing is the slow part.
XLSX_COMPRESSLEVEL = 1

# --- injection guard ---------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
_XLSX_ERRORS = frozenset({"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A"})
_XLSX_ILLEGAL = re.compile(r"[\000-\010\013\014\016-\037]")


def neutralise(text: str) -> str:
    """Prefix an apostrophe to text a spreadsheet would read as a formula (CSV injection).

    Plain numbers such as ``-3`` or ``+1.5`` are not formulas and are left alone."""
    if text and text.startswith(_FORMULA_START) and not _PLAIN_NUMBER.match(text):
        return "'" + text
    return text


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return _number_text(value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)


def _number_text(value: float) -> str:
    if value != value or value in (float("inf"), float("-inf")):
        return ""
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def xlsx_text(value: str) -> str:
    """Text as an XLSX cell may hold it: no control characters, no formula, no error literal."""
    value = neutralise(_XLSX_ILLEGAL.sub("", value))
    return "'" + value if value in _XLSX_ERRORS else value


# --- CSV -----------------------------------------------------------------------------------


def csv_stream(prepared: Prepared) -> Iterator[bytes]:
    """The export as UTF-8 CSV (with a byte order mark), in chunks of about 64 KB."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow([column.name for column in prepared.columns])
    cell = _csv_cell
    for row in prepared.rows:
        writer.writerow([cell(value) for value in row])
        if buffer.tell() >= CSV_CHUNK:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


# --- XLSX ----------------------------------------------------------------------------------


class _Sink:
    """A write-only, non-seekable target for ``zipfile``: collects bytes until taken."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.size = 0

    def write(self, data) -> int:
        self.parts.append(bytes(data))
        self.size += len(data)
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts.clear()
        self.size = 0
        return data


_EPOCH = date(1899, 12, 30).toordinal()


def _column_letters(count: int) -> list[str]:
    letters = []
    for index in range(1, count + 1):
        name = ""
        while index:
            index, rest = divmod(index - 1, 26)
            name = chr(65 + rest) + name
        letters.append(name)
    return letters


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _text_cell(ref: str, text: str, style: str = "") -> str:
    text = _escape(xlsx_text(text)[:XLSX_MAX_TEXT])
    space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
    return f'<c r="{ref}"{style} t="inlineStr"><is><t{space}>{text}</t></is></c>'


def _cell(ref: str, value) -> str:
    """One ``<c>`` element (the empty string for an empty cell)."""
    if value is None:
        return ""
    kind = type(value)
    if kind is str:
        return _text_cell(ref, value) if value else ""
    if kind is bool:
        return _text_cell(ref, "yes" if value else "no")
    if kind is int or kind is float:
        if value != value or value in (float("inf"), float("-inf")):
            return ""
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    if kind is date:
        return f'<c r="{ref}" s="1"><v>{value.toordinal() - _EPOCH}</v></c>'
    if kind is datetime:
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        fraction = (value - datetime.combine(value.date(), time())).total_seconds() / 86400
        return f'<c r="{ref}" s="2"><v>{value.toordinal() - _EPOCH + fraction!r}</v></c>'
    if isinstance(value, Decimal | int | float):
        return _cell(ref, float(value))
    if isinstance(value, date):
        return _cell(ref, date(value.year, value.month, value.day))
    return _text_cell(ref, str(value))


_XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006"
_OFFICE = "application/vnd.openxmlformats-officedocument"
_CONTENT_TYPES = (
    f'{_XML}<Types xmlns="{_PKG}/content-types">'
    f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    f'relationships+xml"/>'
    f'<Default Extension="xml" ContentType="{_OFFICE}.spreadsheetml.worksheet+xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{_OFFICE}.spreadsheetml.sheet.main+xml"/>'
    f'<Override PartName="/xl/styles.xml" ContentType="{_OFFICE}.spreadsheetml.styles+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    f'{_XML}<Relationships xmlns="{_PKG}/relationships">'
    f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
#: Styles: 0 plain, 1 a day (yyyy-mm-dd), 2 a moment, 3 the bold header row.
_STYLES = (
    f'{_XML}<styleSheet xmlns="{_MAIN}">'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>'
    '<numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm:ss"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
_SHEET_START = (
    f'{_XML}<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}"><sheetViews>'
    '<sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
    'state="frozen"/></sheetView></sheetViews><sheetData>'
)
_SHEET_END = "</sheetData></worksheet>"


def _workbook(titles: list[str]) -> tuple[str, str]:
    sheets = "".join(
        f'<sheet name="{_escape(title).replace(chr(34), "&quot;")}" sheetId="{number}" '
        f'r:id="rId{number}"/>'
        for number, title in enumerate(titles, start=1)
    )
    workbook = (
        f'{_XML}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>{sheets}</sheets></workbook>'
    )
    links = "".join(
        f'<Relationship Id="rId{number}" Type="{_REL}/worksheet" '
        f'Target="worksheets/sheet{number}.xml"/>'
        for number in range(1, len(titles) + 1)
    )
    styles = len(titles) + 1
    links += f'<Relationship Id="rId{styles}" Type="{_REL}/styles" Target="styles.xml"/>'
    return workbook, f'{_XML}<Relationships xmlns="{_PKG}/relationships">{links}</Relationships>'


class _Book:
    """Sheets written one after the other into a streamed ZIP."""

    def __init__(self, sink: _Sink) -> None:
        self.sink = sink
        self.archive = zipfile.ZipFile(
            sink, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=XLSX_COMPRESSLEVEL
        )
        self.archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        self.archive.writestr("_rels/.rels", _ROOT_RELS)
        self.archive.writestr("xl/styles.xml", _STYLES)
        self.titles: list[str] = []
        self.part = None
        self.buffer: list[str] = []
        self.buffered = self.written = self.rows = 0

    def sheet(self, title: str, header: list[str]) -> None:
        self.end_sheet()
        self.titles.append(title)
        self.part = self.archive.open(f"xl/worksheets/sheet{len(self.titles)}.xml", "w")
        self.letters = _column_letters(len(header))
        self.buffer, self.buffered, self.written, self.rows = [_SHEET_START], 0, 0, 0
        letters = self.letters
        cells = "".join(_text_cell(f"{letters[i]}1", name, ' s="3"')
                        for i, name in enumerate(header))  # fmt: skip
        self.buffer.append(f'<row r="1">{cells}</row>')

    def append(self, row) -> None:
        self.rows += 1
        number = self.rows + 1
        letters = self.letters
        cells = [_cell(f"{letters[i]}{number}", value) for i, value in enumerate(row)]
        if cells and not cells[-1]:  # the last cell, even empty: rows read back full width
            cells[-1] = f'<c r="{letters[len(cells) - 1]}{number}"/>'
        line = f'<row r="{number}">{"".join(cells)}</row>'
        self.buffer.append(line)
        self.buffered += len(line)
        if self.buffered >= CSV_CHUNK:
            self.flush()

    def full(self) -> bool:
        return self.rows >= XLSX_MAX_ROWS or self.written >= XLSX_MAX_SHEET_BYTES

    def flush(self) -> None:
        data = "".join(self.buffer).encode("utf-8")
        self.part.write(data)
        self.written += len(data)
        self.buffer, self.buffered = [], 0

    def end_sheet(self) -> None:
        if self.part is not None:
            self.buffer.append(_SHEET_END)
            self.flush()
            self.part.close()
            self.part = None

    def finish(self) -> None:
        self.end_sheet()
        workbook, links = _workbook(self.titles)
        self.archive.writestr("xl/workbook.xml", workbook)
        self.archive.writestr("xl/_rels/workbook.xml.rels", links)
        self.archive.close()

    def abandon(self) -> None:
        """After an error or an aborted download: release the open part and write nothing
        more (what it still flushes goes to the sink, which nobody reads any more)."""
        try:
            if self.part is not None:
                self.part.close()
        finally:
            self.archive.fp = None


def xlsx_stream(prepared: Prepared) -> Iterator[bytes]:
    """The export and its dictionary sheet as an XLSX workbook, in chunks of about 64 KB.

    A data sheet holds at most ``XLSX_MAX_ROWS`` rows (Excel's limit); the next sheet, named
    ``<name> (2)`` and so on, continues with the same header."""
    sink = _Sink()
    book = _Book(sink)
    finished = False
    try:
        header = [column.name for column in prepared.columns]
        part = 1
        book.sheet(prepared.name[:31], header)
        yield sink.take()
        for row in prepared.rows:
            if book.full():  # a new sheet continues where Excel's row limit stops
                part += 1
                book.sheet(f"{prepared.name[:24]} ({part})", header)
            book.append(row)
            if sink.size >= CSV_CHUNK:
                yield sink.take()
        if prepared.name != "dictionary":  # the dictionary export is that sheet already
            book.sheet("dictionary", [column.name for column in dictionary.DICTIONARY])
            notes = {prepared.name: prepared.notes()}
            for row in dictionary.rows({prepared.name: prepared.columns}, notes):
                book.append(row)
        book.finish()
        finished = True
        yield sink.take()
    finally:
        if not finished:
            book.abandon()


def file_chunks(handle, chunk: int = FILE_CHUNK) -> Iterator[bytes]:
    """Read a temporary file out in chunks and close (delete) it at the end or on abort."""
    try:
        while block := handle.read(chunk):
            yield block
    finally:
        handle.close()


def file_size(handle) -> int:
    position = handle.tell()
    handle.seek(0, io.SEEK_END)
    size = handle.tell()
    handle.seek(position)
    return size
