"""Form base class whose built-in WTForms messages come from our own catalogs.

WTForms ships translations for few of our languages, so its messages are routed through
Flask-Babel; the markers below make ``pybabel extract`` put them in every catalog.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask import request
from flask_babel import get_translations, ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import CheckboxInput, ListWidget

EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"

#: Explicit bidi embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069). In a name
#: they only serve to spoof: "SITE\u202egnp.exe" reads "SITEexe.png", and an override left open
#: reverses whatever follows the name on the page (a table row, a heading, a form label).
_BIDI_CONTROLS = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A)])


def drop_bidi_controls(value):
    """WTForms filter for one-line names; marks (U+200E/U+200F) are harmless and stay."""
    return value.translate(_BIDI_CONTROLS) if isinstance(value, str) else value


NAME_FILTERS = [drop_bidi_controls]

#: Largest value of a 32-bit integer column (ids, page numbers): PostgreSQL raises on a bigger
#: one where SQLite quietly compares it, so a query parameter past it is treated as absent.
MAX_QUERY_INT = 2**31 - 1


def options(pairs: Iterable[tuple[Any, Any]] | Mapping[Any, Any]) -> list[SelectChoice]:
    """Choices for a select or radio field from (value, label) pairs or a mapping.

    WTForms 3.3 deprecates tuple choices and 3.4 removes them; every field here takes its
    choices through this one function, which a test holds the forms to."""
    items = pairs.items() if isinstance(pairs, Mapping) else pairs
    return [SelectChoice(value=value, label=label) for value, label in items]


def query_int(value: str) -> int:
    """``request.args.get(name, type=query_int)``: a positive integer a column can hold."""
    number = int(value)
    if not 1 <= number <= MAX_QUERY_INT:
        raise ValueError(value)
    return number


def page_number() -> int:
    """The ``page`` query parameter for ``db.paginate`` (1 when absent or out of range)."""
    return request.args.get("page", 1, type=query_int)


WTFORMS_MESSAGES = (
    _l("This field is required."),
    _l("Not a valid integer value."),
    _l("Not a valid decimal value."),
    _l("Not a valid date value."),
    _l("Not a valid choice."),
    _l("Invalid Choice: could not coerce."),
    _l("Invalid choice(s): one or more data inputs could not be coerced."),
    _l("Invalid input."),
    _l("Field must be between %(min)d and %(max)d characters long."),
    _l("Number must be between %(min)s and %(max)s."),
    _l("Number must be at least %(min)s."),
    _l("Number must be at most %(max)s."),
    _l("Field must be equal to %(other_name)s."),
)


def _plural_markers() -> None:  # never called: only here for extraction
    ngettext(
        "'%(value)s' is not a valid choice for this field.",
        "'%(value)s' are not valid choices for this field.",
        1,
    )
    ngettext(
        "Field cannot be longer than %(max)d character.",
        "Field cannot be longer than %(max)d characters.",
        1,
    )
    ngettext(
        "Field must be at least %(min)d character long.",
        "Field must be at least %(min)d characters long.",
        1,
    )


class _BabelTranslations:
    """Translate only; WTForms applies its ``%`` substitutions itself."""

    @staticmethod
    def gettext(string: str) -> str:
        return get_translations().gettext(string)

    @staticmethod
    def ngettext(singular: str, plural: str, n: int) -> str:
        return get_translations().ngettext(singular, plural, n)


#: Stands for "read the submitted form", Flask-WTF's default, without its private sentinel.
_FROM_REQUEST = object()


class PortalForm(FlaskForm):
    """Reads form fields only. Flask-WTF would also hand text fields an uploaded file or JSON
    values, and validators such as Length then raise (a 500); no form here has a file field
    (evidence and XLSForm files are read from ``request.files`` by their views)."""

    class Meta:
        def get_translations(self, form):
            return _BabelTranslations()

    def __init__(self, formdata=_FROM_REQUEST, **kwargs):
        if formdata is _FROM_REQUEST:
            formdata = request.form if self.is_submitted() and request.form else None
        super().__init__(formdata=formdata, **kwargs)


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes: easier than a multi-select on a phone."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()
