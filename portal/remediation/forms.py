"""Forms of the plan pages. Uploaded files are read from ``request.files`` by the view (see
``PortalForm.wrap_formdata``); every other rule lives in ``services`` and ``actions``."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from portal.forms import NAME_FILTERS, MultiCheckboxField, PortalForm, options
from portal.grievances.services import clean_text
from portal.remediation import labels
from portal.remediation.models import ACTION_STATUSES, EVIDENCE_KINDS, OWNER_KINDS, SEVERITIES
from portal.remediation.services import MAX_TEXT

_STRIP = [lambda value: clean_text(value, MAX_TEXT) if isinstance(value, str) else value]
_TEXT = {"dir": "auto", "rows": 4}
_NO_NAMES = _l("Describe the situation, never a worker: no names, no details that single "
               "someone out.")  # fmt: skip


def _due(label):
    return DateField(label, validators=[InputRequired(_l("Enter a date (YYYY-MM-DD)."))])


def _finding_note(**kwargs):
    return TextAreaField(
        _l("Staff note on the finding (never shown to the supplier)"),
        filters=_STRIP,
        render_kw=_TEXT,
        validators=[Length(max=MAX_TEXT)],
        **kwargs,
    )


class PlanForm(PortalForm):
    """Opening a plan. The finding comes from the address (signal, case, questionnaire
    answer) and travels in hidden fields; a plan entered by hand names site and indicator."""

    source = HiddenField()
    activity = HiddenField()
    site = HiddenField()
    group = HiddenField()
    period = HiddenField()
    case = HiddenField()
    response = HiddenField()
    question = HiddenField()
    site_id = SelectField(_l("Site"), coerce=int, validators=[Optional()])
    indicator = SelectField(_l("Indicator"), validators=[Optional()])
    title = StringField(
        _l("Title"),
        filters=NAME_FILTERS,
        render_kw={"dir": "auto"},
        validators=[DataRequired(_l("Give the plan a title.")), Length(max=200)],
    )
    severity = SelectField(
        _l("Severity"),
        choices=options([(key, labels.SEVERITY_LABELS[key]) for key in SEVERITIES]),
        validators=[InputRequired(_l("Choose a severity."))],
    )
    due_on = _due(_l("The whole plan is due on"))
    summary = TextAreaField(
        _l("What must change"),
        description=_NO_NAMES,
        filters=_STRIP,
        render_kw=_TEXT,
        validators=[Length(max=MAX_TEXT)],
    )
    verification_plan = TextAreaField(
        _l("How the change will be verified"),
        description=_l("For example: documents, a visit, and a pulse survey of the workers."),
        filters=_STRIP,
        render_kw=_TEXT,
        validators=[Length(max=MAX_TEXT)],
    )
    note = _finding_note()


class EditForm(PortalForm):
    title = PlanForm.title
    severity = PlanForm.severity
    due_on = _due(_l("The whole plan is due on"))
    summary = PlanForm.summary
    verification_plan = PlanForm.verification_plan
    remedy_description = TextAreaField(
        _l("Remedy for affected workers"),
        description=_l("For example: recruitment fees repaid to every worker who paid them."),
        filters=_STRIP,
        render_kw=_TEXT,
        validators=[Length(max=MAX_TEXT)],
    )
    remedy_amount = DecimalField(
        _l("Amount repaid or paid (total)"),
        places=2,
        validators=[Optional(), NumberRange(min=0, max=10**12)],
    )
    remedy_currency = StringField(
        _l("Currency (ISO code, such as USD)"),
        filters=[lambda v: v.strip().upper() if isinstance(v, str) else v],
        validators=[
            Optional(),
            Regexp(r"^[A-Z]{3}$", message=_l("Give the currency as a three-letter code.")),
        ],
    )
    remedy_workers = IntegerField(
        _l("Number of workers remedied"), validators=[Optional(), NumberRange(min=0, max=10**7)]
    )


class FindingForm(PortalForm):
    indicator = SelectField(_l("Indicator"), validators=[InputRequired()])
    stakeholder_group = SelectField(_l("Stakeholder group"), validators=[InputRequired()])
    note = _finding_note(id="finding-note")  # the plan page holds several forms: unique ids


class TextForm(PortalForm):
    """One text: a root cause, a note."""

    body = TextAreaField(
        _l("Text"),
        description=_NO_NAMES,
        filters=_STRIP,
        render_kw=_TEXT,
        validators=[DataRequired(_l("Write something first.")), Length(max=MAX_TEXT)],
    )
    shared = BooleanField(_l("Share with the supplier"), default=False)


class ReviewForm(PortalForm):
    decision = RadioField(
        _l("Decision"),
        choices=options([("accept", _l("Accept")), ("return", _l("Return with a comment"))]),
        validators=[InputRequired(_l("Choose accept or return."))],
    )
    comment = TextAreaField(
        _l("Comment"), filters=_STRIP, render_kw=_TEXT, validators=[Length(max=2000)]
    )


class ActionForm(PortalForm):
    owner_kind = SelectField(
        _l("Who carries it out"),
        choices=options([(key, labels.OWNER_LABELS[key]) for key in OWNER_KINDS]),
        validators=[InputRequired(_l("Choose who carries out the action."))],
    )
    owner_name = StringField(
        _l("Name of the person or organisation (optional)"),
        filters=NAME_FILTERS,
        render_kw={"dir": "auto"},
        validators=[Length(max=200)],
    )
    description = TextAreaField(
        _l("What will be done"),
        description=_NO_NAMES,
        filters=_STRIP,
        render_kw=_TEXT,
        validators=[DataRequired(_l("Say what will be done.")), Length(max=MAX_TEXT)],
    )
    due_on = _due(_l("Due on"))


class ProgressForm(PortalForm):
    status = SelectField(
        _l("Progress"),
        choices=options([(key, labels.ACTION_STATUS_LABELS[key]) for key in ACTION_STATUSES]),
        validators=[InputRequired(_l("Choose a progress status."))],
    )
    note = TextAreaField(
        _l("What was done (optional)"),
        filters=_STRIP,
        render_kw={"dir": "auto", "rows": 2},
        validators=[Length(max=MAX_TEXT)],
    )


class EvidenceForm(PortalForm):
    kind = SelectField(
        _l("What the file proves"),
        choices=options([(key, labels.EVIDENCE_LABELS[key]) for key in EVIDENCE_KINDS]),
        validators=[InputRequired(_l("Choose what the file proves."))],
    )
    action_id = SelectField(_l("Action"), coerce=int, validators=[Optional()],
                            id="evidence-action")  # fmt: skip
    note = StringField(
        _l("Description (optional)"),
        id="evidence-note",
        render_kw={"dir": "auto"},
        filters=NAME_FILTERS,
        validators=[Length(max=300)],
    )


class ExtensionForm(PortalForm):
    action_id = SelectField(_l("Which due date"), coerce=int, validators=[Optional()],
                            id="extension-action")  # fmt: skip
    requested_due_on = _due(_l("New due date"))
    reason = TextAreaField(
        _l("Reason"),
        filters=_STRIP,
        render_kw={"dir": "auto", "rows": 3},
        validators=[DataRequired(_l("Give a reason.")), Length(max=2000)],
    )


class StatusForm(PortalForm):
    status = SelectField(_l("New status"), validators=[InputRequired(_l("Choose a status."))])
    note = TextAreaField(
        _l("Statement or reason"),
        id="status-note",
        description=_l("Required to close a plan without verification."),
        filters=_STRIP,
        render_kw={"dir": "auto", "rows": 3},
        validators=[Length(max=2000)],
    )


class VerifiersForm(PortalForm):
    verifiers = MultiCheckboxField(_l("Verifiers"), coerce=int, validators=[Optional()])
