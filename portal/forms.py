"""Form base class whose built-in WTForms messages come from our own catalogs.

WTForms ships translations for few of our languages, so its messages are routed through
Flask-Babel; the markers below make ``pybabel extract`` put them in every catalog.
"""

from __future__ import annotations

from flask_babel import get_translations, ngettext
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField
from wtforms.widgets import CheckboxInput, ListWidget

EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"

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


class PortalForm(FlaskForm):
    class Meta:
        def get_translations(self, form):
            return _BabelTranslations()


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes: easier than a multi-select on a phone."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()
