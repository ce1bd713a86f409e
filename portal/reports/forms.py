"""Forms of the report pages; every rule beyond the shape of a field is in ``services``."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from portal.engagement.forms import add_language_fields
from portal.forms import MultiCheckboxField, PortalForm, options
from portal.i18n import LANGUAGES
from portal.reports.labels import SECTION_LABELS
from portal.reports.models import SECTIONS
from portal.reports.services import MAX_COMMENT, MAX_NARRATIVE

_DATE = _l("Enter a date (YYYY-MM-DD).")


class PeriodForm(PortalForm):
    period_start = DateField(_l("From"), validators=[InputRequired(_DATE)])
    period_end = DateField(_l("To"), validators=[InputRequired(_DATE)])


class ReportForm(PeriodForm):
    languages = MultiCheckboxField(
        _l("Languages of the report"),
        description=_l("The narrative is written in each; the first is the report's own and "
                       "stands in for a language without a text."),
        choices=options(LANGUAGES.items()),
        validators=[InputRequired(_l("Choose at least one language."))],
    )  # fmt: skip
    with_effectiveness = BooleanField(
        _l("Include the effectiveness of the grievance mechanism (UNGP 31)"), default=True
    )


def _narrative(section: str):
    return lambda: TextAreaField(SECTION_LABELS[section],
                                 validators=[Optional(), Length(max=MAX_NARRATIVE)],
                                 render_kw={"dir": "auto", "rows": 4})  # fmt: skip


add_language_fields(ReportForm, {
    "title": lambda: StringField(_l("Title"), validators=[Optional(), Length(max=200)],
                                 render_kw={"dir": "auto"}),
    **{section: _narrative(section) for section in SECTIONS},
})  # fmt: skip


class CommentForm(PortalForm):
    section = SelectField(_l("Section"), choices=options([(key, SECTION_LABELS[key])
                                                  for key in ("general", *SECTIONS)]))  # fmt: skip
    body = TextAreaField(_l("Your comment on the accuracy of the draft"),
                         validators=[InputRequired(_l("Write your comment.")),
                                     Length(max=MAX_COMMENT)],
                         render_kw={"dir": "auto", "rows": 5})  # fmt: skip


class AnswerForm(PortalForm):
    answer = TextAreaField(_l("Answer"),
                           validators=[InputRequired(_l("Write the answer.")),
                                       Length(max=MAX_COMMENT)],
                           render_kw={"dir": "auto", "rows": 3})  # fmt: skip


class PublishForm(PortalForm):
    pass


class PackForm(PeriodForm):
    supplier = SelectField(_l("Supplier"), coerce=str)


class BenchmarkImportForm(PortalForm):
    """The file comes from ``request.files`` (read with the upload size limit)."""
