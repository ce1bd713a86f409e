from __future__ import annotations

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from portal.forms import EMAIL_PATTERN, NAME_FILTERS, MultiCheckboxField, PortalForm, options
from portal.i18n import LANGUAGES
from portal.suppliers.services import SECTORS, countries


def _country_choices():
    return [("", _l("Choose a country")), *countries(get_locale())]


class SupplierForm(PortalForm):
    name = StringField(
        _l("Supplier name"),
        filters=NAME_FILTERS,
        validators=[DataRequired(_l("Enter the supplier's name.")), Length(max=200)],
    )
    country = SelectField(
        _l("Country of registration"),
        validators=[DataRequired(_l("Choose a country."))],
    )
    contact_name = StringField(
        _l("Contact person"), filters=NAME_FILTERS, validators=[Optional(), Length(max=120)]
    )
    contact_email = StringField(
        _l("Contact email"),
        validators=[
            Optional(),
            Length(max=254),
            Regexp(EMAIL_PATTERN, message=_l("Enter an email address like name@example.org.")),
        ],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.country.choices = options(_country_choices())


class SiteForm(PortalForm):
    supplier_id = SelectField(
        _l("Supplier"), coerce=int, validators=[DataRequired(_l("Choose a supplier."))]
    )
    name = StringField(
        _l("Site name"),
        filters=NAME_FILTERS,
        validators=[DataRequired(_l("Enter the site's name.")), Length(max=200)],
    )
    country = SelectField(_l("Country"), validators=[DataRequired(_l("Choose a country."))])
    locality = StringField(
        _l("Town or region"), filters=NAME_FILTERS, validators=[Optional(), Length(max=200)]
    )
    sector = SelectField(_l("Sector"), validators=[DataRequired(_l("Choose a sector."))])
    headcount = IntegerField(
        _l("Number of workers"),
        validators=[
            DataRequired(_l("Enter the number of workers.")),
            NumberRange(
                min=1,
                max=1_000_000,
                message=_l("Enter a whole number of workers, at least 1."),
            ),
        ],
    )
    languages = MultiCheckboxField(
        _l("Languages the workers speak"),
        description=_l("Workers see the site page and poster in these languages first."),
        validators=[DataRequired(_l("Choose at least one language."))],
    )

    def __init__(self, *args, suppliers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.supplier_id.choices = options(
            [(0, _l("Choose a supplier"))]
            + [(supplier.id, supplier.name) for supplier in suppliers]
        )
        self.country.choices = options(_country_choices())
        self.sector.choices = options([("", _l("Choose a sector")), *SECTORS.items()])
        self.languages.choices = options(LANGUAGES.items())
