"""Forms of the anonymous channel and of case management."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from portal.forms import MultiCheckboxField, PortalForm, options
from portal.grievances import labels, services
from portal.grievances.models import INDICATORS, SEVERITIES

_STRIP = [lambda value: services.clean_text(value, 10_000) if isinstance(value, str) else value]


class IntakeForm(PortalForm):
    """What happened. ``who`` comes from the first step; categories depend on it."""

    who = HiddenField()
    reported_place = StringField(
        _l("Which workplace is it, and where?"),
        render_kw={"dir": "auto"},
        description=_l("The company or facility name, and the town or area."),
        filters=_STRIP,
        validators=[Length(max=300)],
    )
    category = RadioField(
        _l("What is the problem about?"),
        validators=[InputRequired(_l("Choose what the problem is about."))],
    )
    description = TextAreaField(
        _l("What happened?"),
        render_kw={"dir": "auto", "rows": 6},
        description=_l("Write in your own language. Do not write your name."),
        filters=_STRIP,
        validators=[
            DataRequired(_l("Tell us what happened.")),
            Length(max=services.MAX_DESCRIPTION),
        ],
    )
    occurred_when = StringField(
        _l("When did it happen? (optional)"),
        render_kw={"dir": "auto"},
        filters=_STRIP,
        validators=[Length(max=200)],
    )
    occurred_where = StringField(
        _l("Where did it happen? (optional)"),
        description=_l("For example: which building, line or dormitory."),
        render_kw={"dir": "auto"},
        filters=_STRIP,
        validators=[Length(max=200)],
    )
    others_affected = RadioField(
        _l("Are other people affected? (optional)"),
        choices=options(labels.OTHERS_AFFECTED_LABELS.items()),
        validators=[Optional()],
    )
    wants_contact = BooleanField(_l("I want someone to contact me (optional)"), default=False)
    contact = StringField(
        _l("Phone number or other way to reach you"),
        render_kw={"dir": "auto", "autocomplete": "off"},
        description=_l(
            "Only if you ticked the box. It is stored encrypted and only the person handling "
            "your report can see it."
        ),
        filters=_STRIP,
        validators=[Length(max=200)],
    )

    def __init__(self, *args, reporter: str, needs_place: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.needs_place = needs_place
        self.category.choices = options(
            [(key, labels.CATEGORY_LABELS[key]) for key in labels.CATEGORIES_FOR[reporter]]
        )

    def validate_reported_place(self, field):
        if self.needs_place and not field.data:
            raise ValidationError(_l("Name the workplace and the town or area."))

    def validate_description(self, field):
        if field.data and not services.looks_like_words(field.data):
            raise ValidationError(
                _l("Please describe what happened in a few words (at least 10 letters).")
            )

    def validate_contact(self, field):
        if self.wants_contact.data and not field.data:
            raise ValidationError(_l("Write how we can reach you, or untick the box."))
        if field.data and not self.wants_contact.data:
            raise ValidationError(
                _l("Tick the box if you want to be contacted, or clear this field.")
            )


class ReceiptForm(PortalForm):
    receipt = StringField(
        _l("Receipt number"),
        description=_l("The 20 digits you wrote down when you sent your report."),
        render_kw={
            "inputmode": "numeric",
            "autocomplete": "off",
            "spellcheck": "false",
            "dir": "ltr",
            "class": "receipt-input",
        },
        validators=[DataRequired(_l("Enter your receipt number."))],
    )


class ReporterReplyForm(ReceiptForm):
    message = TextAreaField(
        _l("Reply or add information"),
        render_kw={"dir": "auto", "rows": 5},
        description=_l("Do not write your name."),
        filters=_STRIP,
        validators=[
            DataRequired(_l("Write your message.")),
            Length(max=services.MAX_MESSAGE),
        ],
    )


class FeedbackForm(ReceiptForm):
    satisfaction = RadioField(
        _l("Are you satisfied with the outcome?"),
        choices=options(labels.SATISFACTION_LABELS.items()),
        validators=[InputRequired(_l("Choose an answer."))],
    )


# --- staff ---------------------------------------------------------------------------------


class StatusForm(PortalForm):
    status = SelectField(_l("New status"), validators=[DataRequired(_l("Choose a status."))])
    reason = TextAreaField(
        _l("Reason"),
        description=_l(
            "Required when rejecting or marking as duplicate. Not shown to the reporter."
        ),
        filters=_STRIP,
        render_kw={"dir": "auto", "rows": 3},
        validators=[Length(max=2000)],
    )
    duplicate_of = StringField(
        _l("Duplicate of case number"), filters=_STRIP, validators=[Length(max=12)]
    )

    def __init__(self, *args, current_status: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.status.choices = options(
            [("", _l("Choose a status"))]
            + [(key, labels.STATUS_LABELS[key]) for key in services.TRANSITIONS[current_status]]
        )

    def validate_reason(self, field):
        if self.status.data in services.NEEDS_REASON and not field.data:
            raise ValidationError(_l("Give a reason."))

    def validate_duplicate_of(self, field):
        if field.data and not field.data.lstrip("#").isdigit():
            raise ValidationError(_l("Enter a case number."))


class TriageForm(PortalForm):
    severity = SelectField(_l("Severity"))
    indicators = MultiCheckboxField(_l("Indicators"))
    site_id = SelectField(_l("Site"), coerce=int)

    def __init__(self, *args, sites=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.severity.choices = options([("", _l("Not assessed")), *labels.SEVERITY_LABELS.items()])
        self.indicators.choices = options(
            [(key, f"{key} · {labels.INDICATOR_LABELS[key]}") for key in INDICATORS]
        )
        self.site_id.choices = options(
            [(0, _l("Not linked to a site"))]
            + [(site.id, f"{site.name} ({site.code})") for site in sites]
        )

    def validate_severity(self, field):
        if field.data and field.data not in SEVERITIES:
            raise ValidationError(_l("Not a valid choice."))


class AssignForm(PortalForm):
    assignee_id = SelectField(_l("Handled by"), coerce=int)

    def __init__(self, *args, users=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.assignee_id.choices = options(
            [(0, _l("Nobody"))] + [(user.id, f"{user.name} ({user.email})") for user in users]
        )


class MessageForm(PortalForm):
    body = TextAreaField(
        _l("Message"),
        render_kw={"dir": "auto", "rows": 4},
        filters=_STRIP,
        validators=[
            DataRequired(_l("Write a message.")),
            Length(max=services.MAX_MESSAGE),
        ],
    )
