"""The wide export for statistics programs: Stata (.dta), SPSS (.sav) and Parquet.

Memory stays flat for Stata and Parquet, whatever the number of responses:

* Parquet is streamed: a row group per ``EXPORT_PARQUET_ROWS`` responses goes out through
  ``pyarrow.parquet.ParquetWriter`` as soon as it is full. The Arrow arrays are made from
  buffers, not from Python lists: converting lists makes pyarrow import pandas (50 MB).
* Stata is written row by row by ``stata.py`` into a temporary file (its header holds the row
  count), then streamed. Its text columns have fixed widths, so a query first finds the
  longest answer of each question.
* SPSS: pyreadstat writes a .sav only from a whole pandas data frame, so ``sav_child.py`` does
  it in a process of its own, fed with the rows through a pipe; the web worker does not import
  pandas and does not hold the frame. ``EXPORT_FRAME_MAX_RESPONSES`` bounds that process.

Single-choice answers carry the codes 1, 2, 3 … of their choice list in Stata and SPSS, with
value labels: SPSS users expect labelled numeric variables (most SPSS procedures refuse string
variables, which take no measurement level), and the same codes in both files keep one
codebook for both.
"""

from __future__ import annotations

import os
import pickle
import re
import subprocess
import sys
import tempfile
from array import array
from collections.abc import Iterator
from itertools import accumulate
from pathlib import Path

from sqlalchemy import LargeBinary, cast, func, select

from portal.exports import formats, stata
from portal.exports.wide import WidePlan, codes, notes, typed_rows
from portal.extensions import db

DTA_MIMETYPE = "application/x-stata-dta"
SAV_MIMETYPE = "application/x-spss-sav"
PARQUET_MIMETYPE = "application/vnd.apache.parquet"
#: Rows sent to the SPSS process at a time.
_BATCH = 2_000
#: Seconds the SPSS process may take once it has every row.
_CHILD_TIMEOUT = 900
_NAME_LIMIT = 32
#: Stata's and SPSS's reserved words (compared in lower case).
_WORDS = (
    "aggregate array boolean break byte case catch class colvector complex const continue "
    "default delegate delete do double else eltypedef end enum explicit export external float "
    "for friend function global goto if in inline int local long null pragma protected quad "
    "rowvector short typedef typename virtual _all _n _skip _b _pi str _pred strl _coef _rc "
    "using _cons _se with all and by eq ge gt le lt ne not or to"
)
_RESERVED = frozenset(_WORDS.split())


def stat_names(names: list[str], limit: int = _NAME_LIMIT) -> list[str]:
    """Variable names Stata and SPSS accept: letters, digits and _, starting with a letter, at
    most 32 characters, not a reserved word, unique (ignoring case) with _2, _3 …"""
    taken: set[str] = set()
    found = []
    for name in names:
        base = re.sub(r"[^A-Za-z0-9_]", "_", name)
        if not base[:1].isalpha():
            base = "v" + base
        base = base[:limit]
        if base.lower() in _RESERVED:
            base = base[: limit - 1] + "_"
        candidate, number = base, 1
        while candidate.lower() in taken:
            number += 1
            suffix = f"_{number}"
            candidate = base[: limit - len(suffix)] + suffix
        taken.add(candidate.lower())
        found.append(candidate)
    return found


def _cut(text: str, limit: int) -> str:
    """At most ``limit`` bytes of UTF-8, cut between characters."""
    return text.encode("utf-8")[:limit].decode("utf-8", "ignore")


def _choice_labels(plan: WidePlan, column) -> dict[int, str]:
    """Value labels of a single-choice column: its option labels, or names without labels."""
    return {code: (label if plan.labels else name) or name
            for (name, label), code in zip(column.choices, codes(column).values(),
                                           strict=True)}  # fmt: skip


# --- Stata ---------------------------------------------------------------------------------


def text_widths(plan: WidePlan) -> dict[str, int]:
    """The longest text (bytes of UTF-8) each text column of the file can hold."""
    from portal.exports.services import _site_lookup
    from portal.risk.catalogue import STAKEHOLDER_GROUPS
    from portal.surveys.models import Answer, Campaign, Response

    postgres = db.session.get_bind().dialect.name == "postgresql"
    size = func.octet_length(Answer.value) if postgres else func.length(
        cast(Answer.value, LargeBinary))  # fmt: skip
    stmt = (
        select(Answer.question, func.max(size))
        .join(Response, Response.id == Answer.response_id)
        .where(Response.status == "complete", Response.id <= plan.snapshot.max_id,
               Response.survey_version_id == plan.version_id)
        .group_by(Answer.question)
    )  # fmt: skip
    widths = {question: int(width or 0) for question, width in db.session.execute(stmt)}
    sites = list(_site_lookup().values()) or [("", "", "", "")]
    campaigns = db.session.scalars(
        select(Campaign.name).where(Campaign.survey_version_id == plan.version_id)
    ).all()  # fmt: skip
    longest = lambda texts: max((len(text.encode("utf-8")) for text in texts), default=0)  # noqa: E731
    widths.update({
        "campaign": longest(campaigns), "form_id": longest([plan.form_id]),
        "survey_version": longest([plan.version_label]),
        "site_code": longest(site[0] for site in sites),
        "site_name": longest(site[1] for site in sites),
        "country": longest(site[2] for site in sites),
        "supplier": longest(site[3] for site in sites),
        "stakeholder_group": longest(STAKEHOLDER_GROUPS), "language": 10,
    })  # fmt: skip
    for column in plan.columns:
        if column.kind == "choices" and plan.labels:  # every label, "; " between
            parts = [max(len(name.encode()), len(label.encode())) for name, label in column.choices]
            widths[column.name] = sum(parts) + 2 * len(parts)
    return widths


def dta_file(plan: WidePlan, spool_bytes: int):
    """The wide export as a Stata 118 file (UTF-8), in a rewound temporary file."""
    names = stat_names([column.name for column in plan.columns])
    widths = text_widths(plan)
    numeric = {"integer": stata.LONG, "whole": stata.DOUBLE, "number": stata.DOUBLE,
               "flag": stata.BYTE, "date": stata.DOUBLE}  # fmt: skip
    variables = []
    for name, column in zip(names, plan.columns, strict=True):
        if column.kind == "choice":
            kind = stata.integer_type(len(column.choices))
            labels = _choice_labels(plan, column) or None
            variables.append(stata.Variable(name, kind, column.label, labels))
        elif column.kind in numeric:
            kind = numeric[column.kind]
            variables.append(stata.Variable(name, kind, column.label, day=column.kind == "date"))
        else:
            width = max(widths.get(column.question or column.name, 0), 1)
            kind = width if width <= stata.MAX_STR else stata.STRL
            variables.append(stata.Variable(name, kind, column.label))
    target = tempfile.SpooledTemporaryFile(max_size=spool_bytes)  # noqa: SIM115 (streamed)
    try:
        stata.write(
            target, variables, _coded(plan, typed_rows(plan)), notes=notes(plan, spreadsheet=False),
            label=f"{plan.title} ({plan.form_id} {plan.version_label})",
        )  # fmt: skip
    except BaseException:
        target.close()
        raise
    target.seek(0)
    return target


def _coded(plan: WidePlan, rows) -> Iterator[list]:
    """Rows with single-choice answers as their codes."""
    coders = [(index, codes(column)) for index, column in enumerate(plan.columns)
              if column.kind == "choice"]  # fmt: skip
    for row in rows:
        for index, numbers in coders:
            value = row[index]
            if value is not None:
                row[index] = numbers.get(value)
        yield row


# --- SPSS ----------------------------------------------------------------------------------


def sav_file(plan: WidePlan):
    """The wide export as an SPSS file, written by ``sav_child.py`` in a process of its own;
    an open handle on it (the file itself is already deleted: closing the handle frees it)."""
    names = stat_names([column.name for column in plan.columns])
    text = {"category", "code", "text", "choices"}
    measure = {"integer": "scale", "whole": "scale", "number": "scale", "date": "scale"}
    folder = tempfile.mkdtemp(prefix="portal-sav-")
    path = os.path.join(folder, "export.sav")
    layout = {
        "path": path, "names": names, "file_label": _cut(plan.title, 64),
        "kinds": ["text" if column.kind in text else "date" if column.kind == "date"
                  else "number" for column in plan.columns],
        "labels": {name: _cut(column.label, 255)
                   for name, column in zip(names, plan.columns, strict=True)},
        "value_labels": {name: {float(code): _cut(label, 120)
                                for code, label in _choice_labels(plan, column).items()}
                         for name, column in zip(names, plan.columns, strict=True)
                         if column.kind == "choice" and column.choices},
        "measure": {name: measure.get(column.kind, "nominal")
                    for name, column in zip(names, plan.columns, strict=True)},
        "notes": _note_lines(notes(plan, spreadsheet=False)),
    }  # fmt: skip
    errors = tempfile.TemporaryFile()  # noqa: SIM115 (closed below)
    child = subprocess.Popen(  # noqa: S603 (our own script, no shell)
        [sys.executable, "-I", str(Path(__file__).with_name("sav_child.py"))],
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=errors,
    )  # fmt: skip
    try:
        with child.stdin:
            pickle.dump(layout, child.stdin)
            batch = []
            for row in _coded(plan, typed_rows(plan)):
                batch.append(row)
                if len(batch) >= _BATCH:
                    pickle.dump(list(zip(*batch, strict=True)), child.stdin)
                    batch = []
            if batch:
                pickle.dump(list(zip(*batch, strict=True)), child.stdin)
            pickle.dump(None, child.stdin)
        if child.wait(timeout=_CHILD_TIMEOUT):
            errors.seek(0)
            raise RuntimeError("SPSS export failed: " + errors.read().decode(errors="replace"))
        handle = open(path, "rb")  # noqa: SIM115 (streamed, then closed)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        errors.close()
        if os.path.exists(path):
            os.unlink(path)  # the open handle keeps the data until it is closed
        os.rmdir(folder)
    return handle


def _note_lines(texts: list[str]) -> list[str]:
    """SPSS document lines hold 80 bytes: the notes wrapped at spaces."""
    lines = []
    for text in texts:
        line = ""
        for word in text.split():
            candidate = f"{line} {word}" if line else word
            if len(candidate.encode("utf-8")) <= 80:
                line = candidate
                continue
            if line:
                lines.append(line)
            while len(word.encode("utf-8")) > 80:
                head = _cut(word, 80)
                lines.append(head)
                word = word[len(head) :]
            line = word
        if line:
            lines.append(line)
    return lines


# --- Parquet: streamed ---------------------------------------------------------------------


class _ArrowSink(formats._Sink):
    """What pyarrow writes into: it needs the position as well."""

    def __init__(self) -> None:
        super().__init__()
        self.position = 0
        self.closed = False

    def write(self, data) -> int:
        self.position += len(data)
        return super().write(data)

    def tell(self) -> int:
        return self.position

    def close(self) -> None:
        self.closed = True

    def writable(self) -> bool:
        return True


def _validity(values):
    """Arrow's validity bitmap (None where nothing is missing)."""
    import pyarrow as pa

    bits = bytearray((len(values) + 7) // 8)
    missing = False
    for index, value in enumerate(values):
        if value is None:
            missing = True
        else:
            bits[index >> 3] |= 1 << (index & 7)
    return pa.py_buffer(bits) if missing else None


def _fixed(kind, code: str, values, convert=None):
    import pyarrow as pa

    data = array(code, (0 if v is None else (convert(v) if convert else v) for v in values))
    return pa.Array.from_buffers(kind, len(values), [_validity(values), pa.py_buffer(data)])


def _strings(values):
    import pyarrow as pa

    encoded = [b"" if v is None else v.encode("utf-8") for v in values]
    offsets = array("i", accumulate(map(len, encoded), initial=0))
    buffers = [_validity(values), pa.py_buffer(offsets), pa.py_buffer(b"".join(encoded))]
    return pa.Array.from_buffers(pa.string(), len(values), buffers)


def _dictionary(values, position: dict[str, int] | None = None, words: list[str] = ()):
    """A dictionary array: over fixed ``words`` (``position``: value → index), or over the
    distinct values of this batch."""
    import pyarrow as pa

    if position is None:
        position = {}
        indices = [None if v is None else position.setdefault(v, len(position)) for v in values]
        words = list(position)
    else:
        indices = [None if v is None else position.get(v) for v in values]
    return pa.DictionaryArray.from_arrays(_fixed(pa.int32(), "i", indices), _strings(words))


def _table(plan: WidePlan, schema, batch: list[list]):
    import pyarrow as pa

    epoch = 719_163  # date(1970, 1, 1).toordinal()
    arrays = []
    for column, values in zip(plan.columns, zip(*batch, strict=True), strict=True):
        kind = column.kind
        if kind == "choice":
            words = [label if plan.labels else name for name, label in column.choices]
            position = {name: index for index, (name, _label) in enumerate(column.choices)}
            arrays.append(_dictionary(values, position, words))
        elif kind == "category":
            arrays.append(_dictionary(values))
        elif kind in ("integer", "whole"):
            arrays.append(_fixed(pa.int64(), "q", values, int))
        elif kind == "flag":
            arrays.append(_fixed(pa.int8(), "b", values))
        elif kind == "number":
            arrays.append(_fixed(pa.float64(), "d", values))
        elif kind == "date":
            arrays.append(_fixed(pa.date32(), "i", values, lambda day: day.toordinal() - epoch))
        else:
            arrays.append(_strings(values))
    return pa.Table.from_arrays(arrays, schema=schema)


def _schema(plan: WidePlan):
    import pyarrow as pa

    category = pa.dictionary(pa.int32(), pa.string())
    types = {"integer": pa.int64(), "category": category, "choice": category,
             "flag": pa.int8(), "whole": pa.int64(), "number": pa.float64(),
             "date": pa.date32()}  # fmt: skip
    fields = [pa.field(column.name, types.get(column.kind, pa.string()),
                       metadata={"description": column.label})
              for column in plan.columns]  # fmt: skip
    metadata = {"notes": "\n".join(notes(plan, spreadsheet=False)), "form_id": plan.form_id,
                "survey_version": plan.version_label, "language": plan.language,
                "answers": "labels" if plan.labels else "values"}  # fmt: skip
    return pa.schema(fields, metadata=metadata)


def parquet_stream(plan: WidePlan, rows_per_group: int) -> Iterator[bytes]:
    """The wide export as Parquet: a row group per ``rows_per_group`` responses, each sent
    as soon as it is written."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = _schema(plan)
    sink = _ArrowSink()
    writer = pq.ParquetWriter(pa.PythonFile(sink, mode="w"), schema)
    try:
        yield sink.take()
        group: list[list] = []
        for row in typed_rows(plan):
            group.append(row)
            if len(group) >= rows_per_group:
                writer.write_table(_table(plan, schema, group))
                group = []
                yield sink.take()
        if group:
            writer.write_table(_table(plan, schema, group))
    finally:
        writer.close()
    yield sink.take()
