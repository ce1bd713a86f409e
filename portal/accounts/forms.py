from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp

from portal.accounts.services import PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH
from portal.forms import EMAIL_PATTERN, NAME_FILTERS, MultiCheckboxField, PortalForm


class LoginForm(PortalForm):
    email = EmailField(
        _l("Email"),
        validators=[DataRequired(_l("Enter your email address.")), Length(max=254)],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        _l("Password"),
        validators=[DataRequired(_l("Enter your password.")), Length(max=PASSWORD_MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )


def _new_password_field(label):
    return PasswordField(
        label,
        validators=[
            DataRequired(_l("Enter a new password.")),
            Length(
                min=PASSWORD_MIN_LENGTH,
                max=PASSWORD_MAX_LENGTH,
                message=_l(
                    "Use between %(min)d and %(max)d characters.",
                    min=PASSWORD_MIN_LENGTH,
                    max=PASSWORD_MAX_LENGTH,
                ),
            ),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class ChangePasswordForm(PortalForm):
    current_password = PasswordField(
        _l("Current password"),
        validators=[DataRequired(_l("Enter your current password."))],
        render_kw={"autocomplete": "current-password"},
    )
    new_password = _new_password_field(_l("New password"))
    confirm = PasswordField(
        _l("New password again"),
        validators=[EqualTo("new_password", message=_l("The two new passwords do not match."))],
        render_kw={"autocomplete": "new-password"},
    )


class LanguageForm(PortalForm):
    locale = SelectField(_l("Language"), validators=[Optional()])


class UserForm(PortalForm):
    email = EmailField(
        _l("Email"),
        validators=[
            DataRequired(_l("Enter an email address.")),
            Length(max=254),
            Regexp(EMAIL_PATTERN, message=_l("Enter an email address like name@example.org.")),
        ],
    )
    name = StringField(
        _l("Name"),
        filters=NAME_FILTERS,
        validators=[DataRequired(_l("Enter a name.")), Length(max=120)],
    )
    role = SelectField(_l("Role"))
    supplier_id = SelectField(
        _l("Supplier (for supplier accounts)"), coerce=int, validators=[Optional()]
    )
    site_ids = MultiCheckboxField(_l("Sites (for monitors)"), coerce=int)
    locale = SelectField(_l("Language"), validators=[Optional()])
    active = BooleanField(_l("Account is active"), default=True)


class NewUserForm(UserForm):
    password = _new_password_field(_l("Initial password"))


class SettingsForm(PortalForm):
    organisation_name = StringField(
        _l("Organisation name"),
        filters=NAME_FILTERS,
        validators=[DataRequired(_l("Enter the organisation's name.")), Length(max=120)],
    )
