"""The wide export for statistics programs: Stata (.dta), SPSS (.sav) and Parquet.

Parquet is streamed: one row group per ``EXPORT_PARQUET_ROWS`` responses goes out through
``pyarrow.parquet.ParquetWriter`` as soon as it is full. Stata and SPSS files have their row
count and column widths in the header, and neither pandas nor pyreadstat writes them in parts,
so the responses are gathered column by column in compact arrays (strings once each, with a
code per row; numbers as doubles; choices as small integers), turned into one data frame and
written to a temporary file, which is then streamed and deleted. ``bench/export.py`` measures
what that costs.

Single-choice answers carry the codes 1, 2, 3 … of their choice list in Stata and SPSS, with
value labels: SPSS users expect labelled numeric variables (string variables are refused by
most SPSS procedures and take no measurement level), and the same codes in both files keep
one codebook for both.
"""

from __future__ import annotations

import os
import re
import tempfile
from array import array
from collections.abc import Iterator
from datetime import date

from portal.exports import formats
from portal.exports.wide import WidePlan, codes, notes, raw_rows

DTA_MIMETYPE = "application/x-stata-dta"
SAV_MIMETYPE = "application/x-spss-sav"
PARQUET_MIMETYPE = "application/vnd.apache.parquet"
#: Rows gathered before they are turned into columns.
_BATCH = 2_000
#: Longest Stata str# (bytes); longer text columns are written as strL.
_STATA_STR = 2045
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


def _batches(rows) -> Iterator[list[list]]:
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) >= _BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _cut(text: str, limit: int) -> str:
    """At most ``limit`` bytes of UTF-8, cut between characters."""
    return text.encode("utf-8")[:limit].decode("utf-8", "ignore")


# --- Stata and SPSS: one frame ----------------------------------------------------------------


class _Strings:
    """A text column: each distinct string kept once, a code per row (-1: no answer)."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.codes = array("i")

    def extend(self, values) -> None:
        index = self.index
        self.codes.extend(-1 if v is None else index.setdefault(v, len(index)) for v in values)

    def result(self, missing=""):
        import numpy as np

        values = np.empty(len(self.index) + 1, dtype=object)
        values[: len(self.index)] = list(self.index)
        values[-1] = missing
        return values[np.frombuffer(self.codes, dtype=np.int32)]

    def widest(self) -> int:
        return max((len(text.encode("utf-8")) for text in self.index), default=0)


class _Numbers:
    def __init__(self, convert=None) -> None:
        self.values = array("d")
        self.convert = convert

    def extend(self, values) -> None:
        nan, convert = float("nan"), self.convert
        if convert is None:
            self.values.extend(nan if v is None else v for v in values)
        else:
            self.values.extend(nan if v is None else convert(v) for v in values)

    def result(self):
        import numpy as np

        return np.frombuffer(self.values, dtype=np.float64)


class _Days:
    def __init__(self) -> None:
        self.days = array("i")

    def extend(self, values) -> None:
        self.days.extend(0 if v is None else v.toordinal() for v in values)

    def result(self, as_objects: bool):
        import numpy as np

        ordinals = np.frombuffer(self.days, dtype=np.int32)
        if as_objects:  # SPSS: date objects make DATE variables (one object per distinct day)
            known = {day: date.fromordinal(int(day)) for day in np.unique(ordinals) if day}
            return np.array([known.get(day) for day in ordinals.tolist()], dtype=object)
        days = (ordinals - date(1970, 1, 1).toordinal()).astype("datetime64[D]")
        days[ordinals == 0] = np.datetime64("NaT")
        return days


def _frame(plan: WidePlan, names: list[str], for_spss: bool):
    """All responses as one DataFrame; returns (frame, widest text per string column)."""
    import pandas as pd

    stores = []
    for column in plan.columns:
        if column.kind in ("integer", "whole", "number", "flag"):
            stores.append(_Numbers())
        elif column.kind == "choice":
            stores.append(_Numbers(codes(column).get))
        elif column.kind == "date":
            stores.append(_Days())
        else:
            stores.append(_Strings())
    for batch in _batches(raw_rows(plan)):
        for store, values in zip(stores, zip(*batch, strict=True), strict=True):
            store.extend(values)
    data, widest = {}, {}
    for position, (name, store) in enumerate(zip(names, stores, strict=True)):
        if isinstance(store, _Days):
            data[name] = pd.Series(store.result(as_objects=for_spss), dtype=object if for_spss
                                   else None, copy=False)  # fmt: skip
        elif isinstance(store, _Strings):
            data[name] = pd.Series(store.result(), dtype=object, copy=False)
            widest[name] = store.widest()
        else:
            data[name] = pd.Series(store.result(), copy=False)
        stores[position] = None  # each store goes once its column is made
    return pd.DataFrame(data, copy=False), widest


def _value_labels(plan: WidePlan, names: list[str]) -> dict[str, dict[int, str]]:
    return {
        name: {code: (label if plan.labels else choice) or choice
               for (choice, label), code in zip(column.choices, codes(column).values(),
                                                strict=True)}
        for name, column in zip(names, plan.columns, strict=True)
        if column.kind == "choice" and column.choices
    }  # fmt: skip


def dta_file(plan: WidePlan, spool_bytes: int):
    """The wide export as a Stata 118 file (UTF-8), in a rewound temporary file."""
    names = stat_names([column.name for column in plan.columns])
    frame, widest = _frame(plan, names, for_spss=False)
    labels = {name: column.label[:80] for name, column in zip(names, plan.columns, strict=True)}
    dates = {name: "td" for name, column in zip(names, plan.columns, strict=True)
             if column.kind == "date"}  # fmt: skip
    target = tempfile.SpooledTemporaryFile(max_size=spool_bytes)  # noqa: SIM115 (streamed)
    try:
        frame.to_stata(
            target, version=118, write_index=False, convert_dates=dates,
            variable_labels=labels, value_labels=_value_labels(plan, names) or None,
            data_label=f"{plan.title} ({plan.form_id} {plan.version_label})"[:80],
            convert_strl=[name for name, width in widest.items() if width > _STATA_STR],
        )  # fmt: skip
    except BaseException:
        target.close()
        raise
    target.seek(0)
    return target


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


def sav_file(plan: WidePlan):
    """The wide export as an SPSS file, in a rewound temporary file (deleted on close)."""
    import pyreadstat

    names = stat_names([column.name for column in plan.columns])
    frame, _widest = _frame(plan, names, for_spss=True)
    measure = {"integer": "scale", "whole": "scale", "number": "scale", "date": "scale"}
    folder = tempfile.mkdtemp(prefix="portal-sav-")
    path = os.path.join(folder, "export.sav")
    try:
        pyreadstat.write_sav(
            frame, path, file_label=_cut(plan.title, 64),
            column_labels={name: _cut(column.label, 255)
                           for name, column in zip(names, plan.columns, strict=True)},
            variable_value_labels=_value_labels(plan, names),
            variable_measure={name: measure.get(column.kind, "nominal")
                              for name, column in zip(names, plan.columns, strict=True)},
            note=_note_lines(notes(plan, spreadsheet=False)),
        )  # fmt: skip
        del frame
        handle = open(path, "rb")  # noqa: SIM115 (streamed, then closed)
    finally:
        if os.path.exists(path):
            os.unlink(path)  # the open handle keeps the data until it is closed
        os.rmdir(folder)
    return handle


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


def _schema(plan: WidePlan, notes_text: str):
    import pyarrow as pa

    category = pa.dictionary(pa.int32(), pa.string())
    types = {"integer": pa.int64(), "category": category, "choice": category,
             "flag": pa.int8(), "whole": pa.int64(), "number": pa.float64(),
             "date": pa.date32()}  # fmt: skip
    fields = [
        pa.field(column.name, types.get(column.kind, pa.string()),
                 metadata={"description": column.label})
        for column in plan.columns
    ]  # fmt: skip
    metadata = {"notes": notes_text, "form_id": plan.form_id,
                "survey_version": plan.version_label, "language": plan.language,
                "answers": "labels" if plan.labels else "values"}  # fmt: skip
    return pa.schema(fields, metadata=metadata)


def _arrays(plan: WidePlan, schema, batch: list[list]):
    import pyarrow as pa

    arrays = []
    for column, field, values in zip(plan.columns, schema, zip(*batch, strict=True),
                                     strict=True):  # fmt: skip
        if column.kind == "choice":
            position = {name: index for index, name in enumerate(codes(column))}
            dictionary = [label if plan.labels else name for name, label in column.choices]
            indices = pa.array([None if v is None else position.get(v) for v in values],
                               pa.int32())  # fmt: skip
            arrays.append(
                pa.DictionaryArray.from_arrays(indices, pa.array(dictionary, pa.string()))
            )
        elif column.kind == "category":
            arrays.append(pa.array(values, pa.string()).dictionary_encode())
        elif column.kind == "whole":
            arrays.append(pa.array(values, pa.float64()).cast(pa.int64()))
        else:
            arrays.append(pa.array(values, field.type))
    return pa.Table.from_arrays(arrays, schema=schema)


def parquet_stream(plan: WidePlan, rows_per_group: int) -> Iterator[bytes]:
    """The wide export as Parquet: a row group per ``rows_per_group`` responses, each sent
    as soon as it is written."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = _schema(plan, "\n".join(notes(plan, spreadsheet=False)))
    sink = _ArrowSink()
    writer = pq.ParquetWriter(pa.PythonFile(sink, mode="w"), schema)
    try:
        yield sink.take()
        group: list[list] = []
        for row in raw_rows(plan):
            group.append(row)
            if len(group) >= rows_per_group:
                writer.write_table(_arrays(plan, schema, group))
                group = []
                yield sink.take()
        if group:
            writer.write_table(_arrays(plan, schema, group))
    finally:
        writer.close()
    yield sink.take()
