from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from portal.forms import NAME_FILTERS, MultiCheckboxField, PortalForm, options
from portal.risk.catalogue import STAKEHOLDER_GROUPS

GROUP_LABELS = {
    "workers": _l("Workers and worker representatives"),
    "suppliers": _l("Supplier management"),
    "employees": _l("Our own employees"),
    "communities": _l("Communities and local organisations"),
    "ngos": _l("NGOs"),
    "investors": _l("Shareholders and investors"),
}


class CampaignForm(PortalForm):
    name = StringField(
        _l("Campaign name"),
        filters=NAME_FILTERS,
        validators=[DataRequired(_l("Give the campaign a name.")), Length(max=200)],
    )
    survey_version_id = SelectField(
        _l("Survey"), coerce=int, validators=[DataRequired(_l("Choose a survey."))]
    )
    stakeholder_group = SelectField(
        _l("Who answers"),
        choices=options([(group, GROUP_LABELS[group]) for group in STAKEHOLDER_GROUPS]),
        validators=[DataRequired(_l("Choose who answers."))],
    )
    opens_on = DateField(
        _l("First day"), validators=[DataRequired(_l("Enter the first day (YYYY-MM-DD)."))]
    )
    closes_on = DateField(
        _l("Last day"), validators=[DataRequired(_l("Enter the last day (YYYY-MM-DD)."))]
    )
    site_ids = MultiCheckboxField(
        _l("Sites"), coerce=int, validators=[DataRequired(_l("Choose at least one site."))]
    )
    languages = MultiCheckboxField(
        _l("Languages offered"),
        description=_l("Only languages the survey is written in can be offered."),
        validators=[DataRequired(_l("Choose at least one language."))],
    )


class SurveyUploadForm(PortalForm):
    """The files come from ``request.files`` (``form_file`` and ``attachments``)."""

    audience = SelectField(
        _l("Who answers"),
        description=_l("Leave as it is to use the 'audience' column of the settings sheet."),
        choices=options([("", _l("As the file says")), *GROUP_LABELS.items()]),
        default="",
    )
    areas = MultiCheckboxField(
        _l("Engagement areas"),
        description=_l("Leave empty to use the 'areas' column of the settings sheet."),
    )
    skip_refused = BooleanField(
        _l("Import the rest when some questions cannot be offered (they are left out)")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from portal.dashboard.queries import AREA_LABELS  # dashboard imports this module

        self.areas.choices = options(AREA_LABELS.items())
