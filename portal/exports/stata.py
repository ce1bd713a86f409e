"""A Stata 118 (.dta, Stata 14 and later, UTF-8) writer that takes rows one at a time.

pandas writes a .dta only from a whole data frame, with copies of it on the way (a wide export
of 46,000 responses peaked at 375 MB); this writer keeps one row in hand. It writes into a
seekable file: the header's observation count and the map of section offsets are filled in
at the end, when they are known. The layout is the one pandas' ``StataWriterUTF8`` writes (the
tests compare the two byte for byte), plus the file's notes as ``_dta[note#]`` characteristics,
which Stata's ``notes`` command lists.

Columns are given with their storage type: a fixed string width (1 to 2045 bytes, known
beforehand), ``STRL`` for longer text, or one of the numeric types below.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime

DOUBLE, LONG, INT, BYTE, STRL = 65526, 65528, 65529, 65530, 32768
MAX_STR = 2045
#: Stata's system missing value (".") of each numeric type.
MISSING = {DOUBLE: 2.0**1023, LONG: 2_147_483_621, INT: 32_741, BYTE: 101}
_CODES = {DOUBLE: "d", LONG: "i", INT: "h", BYTE: "b", STRL: "Q"}
_FORMATS = {DOUBLE: "%10.0g", LONG: "%12.0g", INT: "%8.0g", BYTE: "%8.0g", STRL: "%9s"}
#: The largest valid value of each integer type (the ones above are missing codes).
_LARGEST = {LONG: 2_147_483_620, INT: 32_740, BYTE: 100}
_STATA_EPOCH = date(1960, 1, 1).toordinal()
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Variable:
    name: str
    #: 1…2045 (a string of that many bytes), STRL, DOUBLE, LONG, INT or BYTE
    type: int
    label: str = ""
    #: code → label, for a numeric variable
    value_labels: dict[int, str] | None = None
    #: a day (a ``date``), written with the %td format
    day: bool = False


def integer_type(largest: int) -> int:
    """The smallest integer type that holds 0…largest."""
    return next(kind for kind in (BYTE, INT, LONG) if largest <= _LARGEST[kind])


def _tag(name: str, content: bytes) -> bytes:
    return f"<{name}>".encode() + content + f"</{name}>".encode()


def _padded(text: str, size: int) -> bytes:
    encoded = text.encode("utf-8")[: size - 1].decode("utf-8", "ignore").encode("utf-8")
    return encoded + b"\0" * (size - len(encoded))


def _header(count: int, variables: int, label: str, stamp: datetime) -> bytes:
    label_bytes = label[:80].encode("utf-8")
    moment = f"{stamp:%d} {_MONTHS[stamp.month - 1]} {stamp:%Y %H:%M}"
    content = (
        _tag("release", b"118") + _tag("byteorder", b"LSF")
        + _tag("K", struct.pack("<H", variables)) + _tag("N", struct.pack("<Q", count))
        + _tag("label", struct.pack("<H", len(label_bytes)) + label_bytes)
        + _tag("timestamp", b"\x11" + moment.encode())
    )  # fmt: skip
    return _tag("header", content)


def _value_label_table(name: str, labels: dict[int, str]) -> bytes:
    texts = [text.encode("utf-8")[:32_000] for text in labels.values()]
    offsets, position = [], 0
    for text in texts:
        offsets.append(position)
        position += len(text) + 1
    body = struct.pack(f"<ii{len(texts)}i{len(texts)}i", len(texts), position, *offsets,
                       *labels.keys())  # fmt: skip
    body += b"".join(text + b"\0" for text in texts)
    return _tag("lbl", struct.pack("<i", len(body)) + _padded(name, 129) + b"\0" * 3 + body)


def _characteristic(variable: str, name: str, text: str) -> bytes:
    content = _padded(variable, 129) + _padded(name, 129) + text.encode("utf-8") + b"\0"
    return _tag("ch", struct.pack("<I", len(content)) + content)


def write(
    target,
    variables: list[Variable],
    rows: Iterable[list],
    *,
    label: str = "",
    notes: list[str] = (),
    stamp: datetime | None = None,
) -> int:
    """Write the rows (one value per variable: str, float/int, date or None) into ``target``
    (a seekable binary file at its start); returns the number of rows."""
    stamp = stamp or datetime.now(UTC)
    count = len(variables)
    target.write(b"<stata_dta>")
    target.write(_header(0, count, label, stamp))
    offsets = {"stata_data": 0, "map": target.tell()}
    target.write(_tag("map", b"\0" * 8 * 14))

    def section(name: str, content: bytes) -> None:
        offsets[name] = target.tell()
        target.write(_tag(name, content))

    section("variable_types", struct.pack(f"<{count}H", *(v.type for v in variables)))
    section("varnames", b"".join(_padded(v.name, 129) for v in variables))
    section("sortlist", b"\0" * 2 * (count + 1))
    formats = ["%td" if v.day else _FORMATS.get(v.type, f"%{v.type}s") for v in variables]
    section("formats", b"".join(_padded(fmt, 57) for fmt in formats))
    section("value_label_names", b"".join(_padded(v.name if v.value_labels else "", 129)
                                          for v in variables))  # fmt: skip
    section("variable_labels", b"".join(_padded(v.label[:80], 321) for v in variables))
    notes = list(notes)
    characteristics = [("note0", str(len(notes)))] if notes else []
    characteristics += [(f"note{number}", note) for number, note in enumerate(notes, start=1)]
    section("characteristics", b"".join(_characteristic("_dta", name, text)
                                        for name, text in characteristics))  # fmt: skip
    offsets["data"] = target.tell()
    target.write(b"<data>")
    packer = struct.Struct("<" + "".join(_CODES.get(v.type, f"{v.type}s") for v in variables))
    converters = [_converter(v) for v in variables]
    strls = [index for index, v in enumerate(variables) if v.type == STRL]
    texts: dict[str, tuple[int, int]] = {"": (0, 0)}
    observation = 0
    buffer = []
    for row in rows:
        observation += 1
        values = [convert(value) for convert, value in zip(converters, row, strict=True)]
        for index in strls:
            key = texts.setdefault(values[index], (index + 1, observation))
            values[index] = key[0] + (key[1] << 16)  # (v, o): 2 bytes of v, 6 of o
        buffer.append(packer.pack(*values))
        if len(buffer) >= 1024:
            target.write(b"".join(buffer))
            buffer = []
    target.write(b"".join(buffer) + b"</data>")
    section("strls", b"".join(
        b"GSO" + struct.pack("<IQBI", v, o, 130, len(text.encode("utf-8")) + 1)
        + text.encode("utf-8") + b"\0"
        for text, (v, o) in texts.items() if v
    ))  # fmt: skip
    section("value_labels", b"".join(_value_label_table(v.name, v.value_labels)
                                     for v in variables if v.value_labels))  # fmt: skip
    offsets["stata_data_close"] = target.tell()
    target.write(b"</stata_dta>")
    offsets["end-of-file"] = target.tell()
    target.seek(len(b"<stata_dta>"))
    target.write(_header(observation, count, label, stamp))
    target.seek(offsets["map"])
    order = ("stata_data", "map", "variable_types", "varnames", "sortlist", "formats",
             "value_label_names", "variable_labels", "characteristics", "data", "strls",
             "value_labels", "stata_data_close", "end-of-file")  # fmt: skip
    target.write(_tag("map", struct.pack("<14Q", *(offsets[name] for name in order))))
    target.seek(offsets["end-of-file"])
    return observation


def _converter(variable: Variable):
    kind = variable.type
    if kind == STRL:
        return lambda value: "" if value is None else str(value)
    if kind <= MAX_STR:
        width = kind

        def text(value) -> bytes:
            if value is None:
                return b""
            encoded = str(value).encode("utf-8")
            if len(encoded) > width:  # cut between characters, never inside one
                encoded = encoded[:width].decode("utf-8", "ignore").encode("utf-8")
            return encoded

        return text
    missing = MISSING[kind]
    if variable.day:
        return lambda value: missing if value is None else float(value.toordinal() - _STATA_EPOCH)
    if kind == DOUBLE:
        return lambda value: missing if value is None or value != value else float(value)
    largest = _LARGEST[kind]
    return lambda value: (
        missing if value is None or not -largest <= value <= largest else int(value)
    )
