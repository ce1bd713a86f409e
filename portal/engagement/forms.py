"""Forms of the engagement pages. Choices are filled by the views (sites, partners, monitor
accounts); every rule beyond the shape of a field is in ``services`` and ``consult``."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from portal.dashboard.queries import AREA_LABELS
from portal.engagement import labels
from portal.engagement.consult import COMMENTING_GROUPS, MAX_COMMENT
from portal.engagement.models import ACTIVITY_KINDS, DOCUMENT_KINDS, PARTNER_KINDS, TARGET_KINDS
from portal.engagement.services import MAX_TEXT
from portal.forms import NAME_FILTERS, MultiCheckboxField, PortalForm, options
from portal.grievances.services import clean_text
from portal.i18n import LANGUAGES
from portal.risk.catalogue import ENGAGEMENT_AREAS, STAKEHOLDER_GROUPS
from portal.surveys.forms import GROUP_LABELS

_STRIP = [lambda value: clean_text(value, MAX_TEXT) if isinstance(value, str) else value]
_TEXT = {"dir": "auto", "rows": 4}
_NO_NAMES = _l("Never name a worker or write anything that singles one out (a job, a line, "
               "a dormitory room): these notes are read by staff and partners.")  # fmt: skip
_DATE = _l("Enter a date (YYYY-MM-DD).")


def _choices(keys, names):
    return options((key, names[key]) for key in keys)


def _text(label, description=None, limit=MAX_TEXT, rows=4):
    return TextAreaField(label, description=description, filters=_STRIP,
                         render_kw={"dir": "auto", "rows": rows},
                         validators=[Optional(), Length(max=limit)])  # fmt: skip


def _countries():
    return StringField(_l("Countries"), description=_l("Two-letter ISO codes separated by "
                       "commas, for example BD, MY."), filters=NAME_FILTERS,
                       validators=[Optional(), Length(max=200)])  # fmt: skip


class PartnerForm(PortalForm):
    name = StringField(_l("Name of the organisation"), filters=NAME_FILTERS,
                       validators=[DataRequired(), Length(max=200)],
                       render_kw={"dir": "auto"})  # fmt: skip
    kind = SelectField(_l("Kind of organisation"),
                       choices=_choices(PARTNER_KINDS, labels.PARTNER_KIND_LABELS))  # fmt: skip
    stakeholder_group = SelectField(
        _l("Stakeholder group"), choices=_choices(STAKEHOLDER_GROUPS, GROUP_LABELS),
        description=_l("The group whose voice it brings (a union: workers; a CSO: "
                       "communities)."),
    )  # fmt: skip
    countries = _countries()
    sites = MultiCheckboxField(_l("Sites it works with"), coerce=int, validate_choice=False)
    members = MultiCheckboxField(
        _l("Monitor accounts that belong to it"), coerce=int, validate_choice=False,
        description=_l("A monitor speaks for its organisation when it comments on a "
                       "consultation."),
    )  # fmt: skip
    contact_name = StringField(_l("Contact person"), filters=NAME_FILTERS,
                               description=_l("Staff only: never shown publicly or exported."),
                               validators=[Optional(), Length(max=200)])  # fmt: skip
    contact_email = StringField(_l("Contact e-mail"), validators=[Optional(), Length(max=254)])
    contact_phone = StringField(_l("Contact phone"), validators=[Optional(), Length(max=40)])
    website = StringField(_l("Website"), validators=[Optional(), Length(max=300)])
    description = _text(_l("What the relationship is about"))
    active = BooleanField(_l("Active partner"), default=True)


class ActivityForm(PortalForm):
    kind = SelectField(_l("Kind of activity"),
                       choices=_choices(ACTIVITY_KINDS, labels.ACTIVITY_KIND_LABELS))  # fmt: skip
    title = StringField(_l("Title"), filters=NAME_FILTERS, render_kw={"dir": "auto"},
                        validators=[DataRequired(), Length(max=200)])  # fmt: skip
    held_on = DateField(_l("Date"), validators=[InputRequired(_DATE)])
    groups = MultiCheckboxField(_l("Stakeholder groups engaged"),
                                choices=_choices(STAKEHOLDER_GROUPS, GROUP_LABELS))  # fmt: skip
    areas = MultiCheckboxField(_l("Engagement areas"),
                               choices=_choices(ENGAGEMENT_AREAS, AREA_LABELS))  # fmt: skip
    sites = MultiCheckboxField(_l("Sites"), coerce=int, validate_choice=False)
    partners = MultiCheckboxField(_l("Partner organisations involved"), coerce=int,
                                  validate_choice=False)  # fmt: skip
    countries = _countries()
    summary = _text(_l("Summary"), _NO_NAMES)
    outcomes = _text(_l("Outcomes"), _NO_NAMES)
    follow_up = _text(_l("Follow-up actions"),
                      _l("A finding that needs remediation can open a corrective action plan "
                         "from the activity's page."))  # fmt: skip


_COUNT = [Optional(), NumberRange(min=0, max=1_000_000)]
for _group in STAKEHOLDER_GROUPS:
    for _part, _label in (("total", _l("People")), ("women", _l("Women")), ("men", _l("Men"))):
        setattr(ActivityForm, f"people_{_group}_{_part}", IntegerField(_label, validators=_COUNT))


class TargetForm(PortalForm):
    year = IntegerField(_l("Year"), validators=[InputRequired(), NumberRange(min=2000, max=2100)])
    stakeholder_group = SelectField(_l("Stakeholder group"),
                                    choices=_choices(STAKEHOLDER_GROUPS, GROUP_LABELS))  # fmt: skip
    area = SelectField(_l("Engagement area"), choices=_choices(ENGAGEMENT_AREAS, AREA_LABELS))
    kind = SelectField(_l("What counts"),
                       choices=_choices(TARGET_KINDS, labels.TARGET_KIND_LABELS))  # fmt: skip
    count = IntegerField(_l("How many"), validators=[InputRequired(), NumberRange(1, 1000)])
    per_site = BooleanField(_l("At every site (the count is per site)"))
    supplier = SelectField(_l("Sites"), coerce=int, validate_choice=False)
    due_on = DateField(_l("Due by"), validators=[Optional()],
                       description=_l("Empty: the end of the year."))  # fmt: skip
    note = StringField(_l("Note"), validators=[Optional(), Length(max=300)])


class ConsultationForm(PortalForm):
    document_kind = SelectField(
        _l("Document"), choices=_choices(DOCUMENT_KINDS, labels.DOCUMENT_KIND_LABELS)
    )
    groups = MultiCheckboxField(
        _l("Who is consulted"), choices=_choices(COMMENTING_GROUPS, GROUP_LABELS),
        description=_l("Workers and communities comment anonymously on the site's public page; "
                       "suppliers and monitors comment signed in."),
    )  # fmt: skip
    sites = MultiCheckboxField(_l("Sites"), coerce=int, validate_choice=False)
    languages = MultiCheckboxField(
        _l("Languages"), choices=options(LANGUAGES.items()),
        description=_l("The first one chosen is the language the draft is written in."),
    )  # fmt: skip
    areas = MultiCheckboxField(
        _l("Engagement areas"), choices=_choices(ENGAGEMENT_AREAS, AREA_LABELS),
        description=_l("Empty: chosen from the kind of document."),
    )  # fmt: skip
    opens_on = DateField(_l("Open for comments from"), validators=[InputRequired(_DATE)])
    closes_on = DateField(_l("Until"), validators=[InputRequired(_DATE)])


class PublishForm(PortalForm):
    pass


def add_language_fields(form_class, parts: dict):
    """One field per language and part (``title_bn``, ``body_bn``...), rendered per language."""
    for code in LANGUAGES:
        for part, make in parts.items():
            setattr(form_class, f"{part}_{code}", make())


add_language_fields(ConsultationForm, {
    "title": lambda: StringField(_l("Title"), validators=[Optional(), Length(max=200)],
                                 render_kw={"dir": "auto"}),
    "body": lambda: TextAreaField(_l("Draft text"), validators=[Optional(), Length(max=50_000)],
                                  render_kw={"dir": "auto", "rows": 10}),
    "question": lambda: StringField(_l("Question to the readers"),
                                    validators=[Optional(), Length(max=300)],
                                    render_kw={"dir": "auto"}),
})  # fmt: skip
add_language_fields(PublishForm, {
    "body": lambda: TextAreaField(_l("Revised text"), validators=[Optional(), Length(max=50_000)],
                                  render_kw={"dir": "auto", "rows": 10}),
    "changes": lambda: TextAreaField(_l("What we changed, and why"),
                                     validators=[Optional(), Length(max=MAX_TEXT)],
                                     render_kw={"dir": "auto", "rows": 5}),
})  # fmt: skip


class StatusForm(PortalForm):
    status = SelectField(choices=options([("open", ""), ("closed", "")]))


class ThemeForm(PortalForm):
    title = StringField(_l("New theme"), filters=NAME_FILTERS, render_kw={"dir": "auto"},
                        validators=[DataRequired(), Length(max=200)])  # fmt: skip


class RespondForm(PortalForm):
    response = _text(_l("Our response"))
    changed = BooleanField(_l("The revision changes the document on this point"))


class FileCommentForm(PortalForm):
    theme = SelectField(_l("Theme"), coerce=int, validate_choice=False)


class CommentForm(PortalForm):
    """The anonymous comment (public site page) and the signed-in one share this form."""

    group = RadioField(_l("I am speaking as"), validate_choice=False)
    site = SelectField(_l("Site"), coerce=int, validate_choice=False)
    comment = TextAreaField(
        _l("Your comment"),
        description=_l("Say what you think should change, or what is good as it is. Do not "
                       "write your name or anyone else's."),
        filters=[lambda v: clean_text(v, MAX_COMMENT) if isinstance(v, str) else v],
        render_kw={"dir": "auto", "rows": 6},
        validators=[DataRequired(_l("Write your comment.")), Length(max=MAX_COMMENT)],
    )  # fmt: skip


class FeedbackForm(PortalForm):
    """Starting the training-feedback survey (no fields: the CSRF token only)."""


class DeleteForm(PortalForm):
    confirm = BooleanField(_l("Yes, delete this activity and its files"),
                           validators=[DataRequired(_l("Tick the box to confirm."))])  # fmt: skip
