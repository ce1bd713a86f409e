from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user

from portal import limits
from portal.accounts import bp, queries, services
from portal.accounts.forms import (
    ChangePasswordForm,
    LanguageForm,
    LoginForm,
    NewUserForm,
    SettingsForm,
    UserForm,
)
from portal.accounts.models import User
from portal.extensions import db, limiter
from portal.forms import options
from portal.i18n import LANGUAGES
from portal.listing import Listing
from portal.security import ROLES, STAFF, allow, public
from portal.suppliers import queries as supplier_queries

ROLE_LABELS = {
    "admin": _l("Administrator"),
    "compliance": _l("Compliance lead"),
    "supplier": _l("Supplier"),
    "monitor": _l("Independent monitor"),
}

ACCOUNT_ERRORS = {
    "password_short": _l("The new password is too short."),
    "password_long": _l("The new password is too long."),
    "password_is_email": _l("The password must not be your email address."),
    "password_wrong": _l("Your current password is not correct."),
    "email_taken": _l("Another account already uses this email address."),
    "supplier_required": _l("Choose the supplier this account belongs to."),
    "role_unknown": _l("Choose a role."),
    "locale_unknown": _l("Choose a language from the list."),
    "last_admin": _l("This is the last active administrator; keep it an active administrator."),
}


@bp.app_context_processor
def _labels():
    return {"ROLE_LABELS": ROLE_LABELS}


def _safe_next(target: str | None) -> str | None:
    """Only same-site relative paths, so the login form cannot bounce people elsewhere."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _email_key() -> str:
    """Per-account limit: stops a slow guess against one account from many addresses."""
    import hashlib
    import hmac

    email = services.normalise_email(request.form.get("email", ""))
    secret = current_app.config["SECRET_KEY"].encode()
    return "login:" + hmac.new(secret, email.encode(), hashlib.sha256).hexdigest()[:32]


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"])
@limiter.limit("30 per hour", methods=["POST"], key_func=_email_key)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("accounts.home"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is not None:
            language = session.get("lang")
            session.clear()  # no fixation: a fresh session for the signed-in user
            if language:
                session["lang"] = language
            session.permanent = True
            session["seen"] = int(time.time())
            services.open_session(user)
            login_user(user)
            return redirect(_safe_next(request.args.get("next")) or url_for("accounts.home"))
        form.password.errors.append(_l("The email or password is not correct."))
        status = 401
    elif form.is_submitted():
        status = 400
    return render_template("accounts/login.html", form=form), status


@bp.post("/logout")
@allow(*STAFF)
def logout():
    services.end_session(current_user._get_current_object())
    logout_user()
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language
    flash(_("You are signed out."), "info")
    return redirect(url_for("accounts.login"))


@bp.get("/home")
@allow(*STAFF)
def home():
    sites = supplier_queries.visible_sites(current_user)
    suppliers = supplier_queries.visible_suppliers(current_user)
    # A limit every address shares locks all reporters out while it holds: staff must know.
    breaches = (
        limits.recent_global_breaches() if current_user.role in ("admin", "compliance") else []
    )
    return render_template(
        "accounts/home.html",
        sites=sites,
        suppliers=suppliers,
        breaches=breaches,
        breach_label=limits.label,
    )


def _language_choices():
    return [("", _l("Automatic (from the browser)")), *list(LANGUAGES.items())]


@bp.route("/account", methods=["GET", "POST"])
@allow(*STAFF)
def account():
    language_form = LanguageForm(prefix="lang", locale=current_user.locale or "")
    language_form.locale.choices = options(_language_choices())
    password_form = ChangePasswordForm(prefix="pw")
    status = 200
    if request.method == "POST" and "lang-locale" in request.form:
        if language_form.validate_on_submit():
            try:
                services.set_locale(current_user, language_form.locale.data or None)
            except services.AccountError as error:
                # Optional() lets a blank-looking value (" ") past the choice check.
                language_form.locale.errors = [ACCOUNT_ERRORS[error.code]]
            else:
                session.pop("lang", None)  # the saved preference now decides
                flash(_("Your language preference is saved."), "success")
                return redirect(url_for("accounts.account"))
        status = 400
    elif request.method == "POST":
        if password_form.validate_on_submit():
            user = current_user._get_current_object()
            try:
                services.change_password(
                    user,
                    password_form.current_password.data,
                    password_form.new_password.data,
                )
            except services.AccountError as error:
                field = "current_password" if error.code == "password_wrong" else "new_password"
                getattr(password_form, field).errors.append(ACCOUNT_ERRORS[error.code])
                status = 400
            else:
                services.open_session(user)  # every session ended: keep this one, not the others
                login_user(user)
                flash(_("Your password is changed. Other sessions were signed out."), "success")
                return redirect(url_for("accounts.account"))
        else:
            status = 400
    return (
        render_template(
            "accounts/account.html", language_form=language_form, password_form=password_form
        ),
        status,
    )


# --- administration -------------------------------------------------------------------------


@bp.get("/users")
@allow("admin")
def users():
    listing = Listing.from_request("accounts.users", queries.USER_SORTS, "role")
    page = listing.paginate(queries.user_list(listing))
    return render_template("accounts/users.html", page=page, listing=listing)


def _fill_choices(form: UserForm) -> None:
    form.role.choices = options([(role, ROLE_LABELS[role]) for role in ROLES])
    form.supplier_id.choices = options(
        [(0, _l("None"))]
        + [(supplier.id, supplier.name) for supplier in supplier_queries.all_suppliers()]
    )
    form.site_ids.choices = options(
        [
            (site.id, f"{site.name} ({site.supplier.name}, {site.code})")
            for site in supplier_queries.visible_sites(_Everything())
        ]
    )
    form.locale.choices = options(_language_choices())


class _Everything:
    """Admins assign monitors to any site, though they cannot read site data themselves."""

    role = "compliance"


def _user_data(form: UserForm) -> services.UserData:
    return services.UserData(
        email=form.email.data,
        name=form.name.data,
        role=form.role.data,
        supplier_id=form.supplier_id.data or None,
        site_ids=list(form.site_ids.data or []),
        locale=form.locale.data or None,
        active=bool(form.active.data),
    )


def _attach_error(form: UserForm, error: services.AccountError) -> None:
    field = {
        "email_taken": form.email,
        "supplier_required": form.supplier_id,
        "role_unknown": form.role,
        "locale_unknown": form.locale,
        "last_admin": form.role,
    }.get(error.code, getattr(form, "password", form.email))
    field.errors = [*field.errors, ACCOUNT_ERRORS[error.code]]


@bp.route("/users/new", methods=["GET", "POST"])
@allow("admin")
def user_new():
    form = NewUserForm()
    _fill_choices(form)
    status = 200
    if form.validate_on_submit():
        try:
            user = services.create_user(_user_data(form), form.password.data)
        except services.AccountError as error:
            _attach_error(form, error)
            status = 400
        else:
            flash(_("Account %(email)s created.", email=user.email), "success")
            return redirect(url_for("accounts.users"))
    elif form.is_submitted():
        status = 400
    return render_template("accounts/user_form.html", form=form, user=None), status


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@allow("admin")
def user_edit(user_id: int):
    user = db.get_or_404(User, user_id)
    form = UserForm(obj=user)
    _fill_choices(form)
    if request.method == "GET":
        form.supplier_id.data = user.supplier_id or 0
        form.site_ids.data = [site.id for site in user.sites]
        form.locale.data = user.locale or ""
    status = 200
    if form.validate_on_submit():
        data = _user_data(form)
        demotes_last_admin = (
            user.role == "admin"
            and user.active
            and (data.role != "admin" or not data.active)
            and services.count_admins() <= 1
        )
        try:
            if demotes_last_admin:
                raise services.AccountError("last_admin")
            services.update_user(user, data)
        except services.AccountError as error:
            _attach_error(form, error)
            status = 400
        else:
            flash(_("Account %(email)s saved.", email=user.email), "success")
            return redirect(url_for("accounts.users"))
    elif form.is_submitted():
        status = 400
    return render_template("accounts/user_form.html", form=form, user=user), status


@bp.route("/settings", methods=["GET", "POST"])
@allow("admin")
def settings():
    form = SettingsForm(organisation_name=services.organisation_name())
    status = 200
    if form.validate_on_submit():
        services.set_setting("organisation_name", form.organisation_name.data.strip())
        flash(_("Settings saved."), "success")
        return redirect(url_for("accounts.settings"))
    if form.is_submitted():
        status = 400
    return render_template("accounts/settings.html", form=form), status
