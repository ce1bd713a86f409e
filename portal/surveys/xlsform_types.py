"""What the ``type`` of an XLSForm row means here.

pyxform (the reference converter) accepts many spellings for one question type: ``int``,
``q int`` and ``add integer prompt`` are all integers; ``select all that apply from LIST`` is
``select_multiple LIST``. :func:`classify` maps every one of them to our question type, to
metadata (dropped with a warning: the portal never records device or respondent data), or to a
refusal whose reason a person can act on. ``tests/surveys/test_xlsform_types.py`` checks that
every type pyxform knows is classified, so a pyxform upgrade that adds one is noticed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pyxform import aliases

from portal.risk.catalogue import ANONYMOUS_GROUPS

#: Our question types as the XLSForm names them (the spelling export writes).
OWN_TYPES = {
    "integer": "integer",
    "decimal": "decimal",
    "range": "range",
    "text": "text",
    "date": "date",
    "time": "time",
    "datetime": "datetime",
    "note": "note",
    "acknowledge": "acknowledge",
    "calculate": "calculate",
    "file": "file",
    "geopoint": "geopoint",
    "barcode": "barcode",
    "begin group": "begin group",
    "end group": "end group",
}

#: pyxform's other spellings (``question_type_dictionary`` and legacy forms), lowercased.
TYPE_ALIASES = {
    **dict.fromkeys(
        (
            "int",
            "q int",
            "add integer prompt",
            "percentage",
            "number of days in last month",
            "number of days in last six months",
            "number of days in last year",
        ),
        "integer",
    ),
    **dict.fromkeys(("q decimal", "add decimal prompt"), "decimal"),
    **dict.fromkeys(("string", "q string", "add text prompt", "phone number"), "text"),
    **dict.fromkeys(("q date", "add date prompt"), "date"),
    **dict.fromkeys(
        ("date time", "q date time", "q datetime", "add date time prompt", "add datetime prompt"),
        "datetime",
    ),
    **dict.fromkeys(("q note", "add note prompt"), "note"),
    **dict.fromkeys(("trigger", "q acknowledge", "add acknowledge prompt"), "acknowledge"),
    **dict.fromkeys(("q calculate", "add calculate prompt"), "calculate"),
    **dict.fromkeys(
        ("gps", "location", "q location", "q geopoint", "add location prompt"), "geopoint"
    ),
    **dict.fromkeys(("q barcode", "add barcode prompt"), "barcode"),
    **dict.fromkeys(("add file prompt",), "file"),
    "begin_group": "begin group",
    "end_group": "end group",
}

#: Media questions: what each records.
MEDIA_TYPES = {
    **dict.fromkeys(
        ("image", "photo", "q image", "q picture", "add image prompt", "add photo prompt"), "image"
    ),
    **dict.fromkeys(("audio", "q audio", "add audio prompt"), "audio"),
    **dict.fromkeys(("video", "q video", "add video prompt"), "video"),
}

#: Metadata that identifies or tracks a respondent or their device.
METADATA_TYPES = frozenset(
    {
        "start",
        "end",
        "today",
        "deviceid",
        "device id",
        "get device id",
        "imei",
        "subscriberid",
        "subscriber id",
        "get subscriber id",
        "simserial",
        "sim id",
        "get sim id",
        "phonenumber",
        "get phone number",
        "username",
        "email",
        "audit",
        "start time",
        "end time",
        "get start time",
        "get end time",
        "get today",
        "start-geopoint",
        "background-audio",
        "background-geopoint",
        "uri:deviceid",
        "uri:email",
        "uri:phonenumber",
        "uri:simserial",
        "uri:subscriberid",
        "uri:username",
    }
)

#: Rows that hold no question and are left out with a warning.
DROPPED_TYPES = {
    "hidden": "a hidden field holds no answer",
    "xml-external": "external data files are not read (calculations that use them fail)",
    "csv-external": "external data files are not read (calculations that use them fail)",
}

PRIVACY = "it would identify an anonymous respondent"

#: Refused for every audience, with the reason.
REFUSED_TYPES = {
    "geotrace": "drawing a line needs a map, which the portal does not serve",
    "geoshape": "drawing a shape needs a map, which the portal does not serve",
    "q geotrace": "drawing a line needs a map, which the portal does not serve",
    "q geoshape": "drawing a shape needs a map, which the portal does not serve",
    "osm": "OpenStreetMap questions need the ODK Collect app",
    "video": "video answers are not accepted: the files are too large for a cheap phone",
}

_SELECT = re.compile(
    r"^(?P<command>"
    + "|".join(re.escape(key) for key in sorted(aliases.select, key=len, reverse=True))
    + r") (?P<list>\S+)(?: (?P<other>or specify other|or_other|or other))?$",
    re.IGNORECASE,
)
_CONTROL = re.compile(
    r"^(?P<edge>begin|end)[ _](?P<kind>group|repeat|loop|looped group|lgroup)"
    r"(?: (?:over )?(?P<list>\S+))?$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class RowType:
    #: question | metadata | dropped | refused | unknown | begin repeat | end repeat
    kind: str
    #: Our type for questions (``select_one colours``, ``integer``, ...).
    type: str = ""
    #: The feature as the form names it, for messages.
    feature: str = ""
    reason: str = ""
    #: ``select_one_from_file cities.csv``: the attached file the choices come from.
    source_file: str | None = None
    #: ``select_one_external``: choices from the ``external_choices`` sheet.
    external: bool = False
    #: ``select_one LIST or_other``: pyxform adds an "other" choice and a text question.
    or_other: bool = False
    #: ``begin loop over LIST``: one instance per choice of the list.
    loop_list: str | None = None


def classify(raw: str, audience: str | None) -> RowType:
    """The meaning of a ``type`` cell for a survey written for ``audience``."""
    text = " ".join(raw.split())
    lowered = text.lower()
    anonymous = audience in ANONYMOUS_GROUPS
    control = _CONTROL.match(text)
    if control:
        kind = control.group("kind").lower()
        edge = control.group("edge").lower()
        if kind == "group":
            return RowType("question", f"{edge} group")
        loop = kind == "loop"
        return RowType(
            f"{edge} repeat",
            feature=f"{edge} {'loop' if loop else 'repeat'}",
            loop_list=control.group("list") if loop else None,
        )
    own = OWN_TYPES.get(lowered) or TYPE_ALIASES.get(lowered)
    if own in ("geopoint", "barcode") and anonymous:
        what = "a location" if own == "geopoint" else "a scanned code (badge, ID card)"
        return RowType("refused", feature=text, reason=f"{what}: {PRIVACY}")
    if own == "file" and audience != "suppliers":
        return RowType("refused", feature=text, reason=_upload_reason(anonymous))
    if own:
        return RowType("question", own, feature=text)
    if lowered in METADATA_TYPES:
        return RowType("metadata", feature=lowered)
    if lowered in DROPPED_TYPES:
        return RowType("dropped", feature=lowered, reason=DROPPED_TYPES[lowered])
    if lowered in MEDIA_TYPES:
        medium = MEDIA_TYPES[lowered]
        if medium == "video":
            return RowType("refused", feature=text, reason=REFUSED_TYPES["video"])
        if audience == "suppliers" and medium == "image":
            return RowType("question", "file", feature=text)
        if audience == "suppliers":
            return RowType(
                "refused",
                feature=text,
                reason="recordings are not accepted: evidence files are PDF, JPEG or PNG",
            )
        return RowType("refused", feature=text, reason=_upload_reason(anonymous))
    if lowered in REFUSED_TYPES:
        return RowType("refused", feature=text, reason=REFUSED_TYPES[lowered])
    select = _SELECT.match(text)
    if select:
        return _select(select, text)
    if lowered.startswith("rank ") or lowered == "rank":
        return RowType(
            "refused",
            feature="rank",
            reason="ranking needs dragging; ask one select_one per place instead",
        )
    if lowered in aliases.select or _pyxform_tag(lowered) in ("select", "select1"):
        return RowType("unknown", feature=text, reason=f"write '{text} <list name>'")
    return RowType("unknown", feature=text)


def _select(match: re.Match, text: str) -> RowType:
    command = match.group("command").lower()
    kind = aliases.select[command]
    list_name = match.group("list")
    if kind == "rank":
        return RowType(
            "refused",
            feature="rank",
            reason="ranking needs dragging; ask one select_one per place instead",
        )
    ours = "select_multiple" if kind == "select all that apply" else "select_one"
    from_file = command in aliases.select_from_file
    if from_file and not re.search(r"\.(csv|xml)$", list_name, re.IGNORECASE):
        return RowType(
            "unknown",
            feature=text,
            reason="the choices file must be a .csv or .xml file ('.geojson' is not read)",
        )
    return RowType(
        "question",
        f"{ours} {list_name}",
        feature=text,
        source_file=list_name if from_file else None,
        external=kind == "select one external",
        or_other=match.group("other") is not None,
    )


def _pyxform_tag(lowered: str) -> str | None:
    from pyxform.question_type_dictionary import QUESTION_TYPE_DICT

    entry = next((v for k, v in QUESTION_TYPE_DICT.items() if k.lower() == lowered), None)
    return (entry or {}).get("control", {}).get("tag")


def _upload_reason(anonymous: bool) -> str:
    if anonymous:
        return f"file uploads are not taken from anonymous respondents: {PRIVACY}"
    return "file uploads are only for supplier questionnaires"
