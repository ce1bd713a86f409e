"""Writes and checks for staff accounts; the logic views and the CLI share."""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass, field

from flask import current_app, g
from sqlalchemy import delete, func, select
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.security import check_password_hash, generate_password_hash

from portal.accounts.models import Setting, StaffSession, User
from portal.db import utcnow
from portal.extensions import db
from portal.i18n import LANGUAGES
from portal.security import ROLES
from portal.suppliers.models import Site

PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 128
# Compared against when the email is unknown, so both paths cost one KDF run: built once per
# method, outside the timed path (building it inline doubled the cost of an unknown email).
_DUMMY_HASH: dict[str, str] = {}


class AccountError(ValueError):
    """A request that breaks an account rule; ``code`` names the rule for messages."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def normalise_email(email: str) -> str:
    return email.strip().lower()


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def check_password_rules(password: str, email: str | None = None) -> None:
    if len(password) < PASSWORD_MIN_LENGTH:
        raise AccountError("password_short")
    if len(password) > PASSWORD_MAX_LENGTH:
        raise AccountError("password_long")
    if email and normalise_email(password) == normalise_email(email):
        raise AccountError("password_is_email")


def _key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def load_user(user_id: str) -> User | None:
    """Flask-Login loader: ``<id>.<account token>.<session key>``.

    The session key must still have its row (sign-out deletes it) and the account token must be
    current (a password change or a new role rotates it and signs every session out).
    """
    ident, token, key = [*user_id.split("."), "", ""][:3]
    if not ident.isdigit() or not token or not key:
        return None
    user = db.session.scalar(
        select(User)
        .join(StaffSession, StaffSession.user_id == User.id)
        .where(User.id == int(ident), StaffSession.key_hash == _key_hash(key))
    )
    if user is None or not user.active or user.session_token != token:
        return None
    user.session_key = key
    return user


def open_session(user: User) -> None:
    """Record a new sign-in for ``user`` (call before ``login_user``); prune expired ones."""
    lifetime = current_app.permanent_session_lifetime
    key = secrets.token_urlsafe(24)
    db.session.execute(
        delete(StaffSession).where(
            StaffSession.user_id == user.id, StaffSession.created_at < utcnow() - lifetime
        )
    )
    db.session.add(StaffSession(user_id=user.id, key_hash=_key_hash(key)))
    db.session.commit()
    user.session_key = key


def end_session(user: User) -> None:
    """Sign-out: delete this browser's row, so a copy of its cookie opens nothing afterwards."""
    if user.session_key:
        db.session.execute(
            delete(StaffSession).where(StaffSession.key_hash == _key_hash(user.session_key))
        )
        db.session.commit()
        user.session_key = None


def _end_all_sessions(user: User) -> None:
    user.rotate_session_token()
    db.session.execute(delete(StaffSession).where(StaffSession.user_id == user.id))


def _dummy_hash() -> str:
    method = current_app.config["PASSWORD_HASH_METHOD"]
    if method not in _DUMMY_HASH:
        _DUMMY_HASH[method] = generate_password_hash(secrets.token_hex(8), method=method)
    return _DUMMY_HASH[method]


def authenticate(email: str, password: str) -> User | None:
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        check_password_hash(_dummy_hash(), password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    user.last_login_at = utcnow()
    db.session.commit()
    return user


@dataclass
class UserData:
    email: str
    name: str
    role: str
    supplier_id: int | None = None
    site_ids: list[int] = field(default_factory=list)
    locale: str | None = None
    active: bool = True


def _validate(data: UserData, *, exclude_id: int | None = None) -> None:
    if data.role not in ROLES:
        raise AccountError("role_unknown")
    if data.role == "supplier" and data.supplier_id is None:
        raise AccountError("supplier_required")
    if data.role != "supplier":
        data.supplier_id = None
    if data.role != "monitor":
        data.site_ids = []
    if data.locale is not None and data.locale not in LANGUAGES:
        raise AccountError("locale_unknown")
    stmt = select(User.id).where(User.email == normalise_email(data.email))
    if exclude_id is not None:
        stmt = stmt.where(User.id != exclude_id)
    if db.session.scalar(stmt) is not None:
        raise AccountError("email_taken")


def _apply(user: User, data: UserData) -> None:
    user.email = normalise_email(data.email)
    user.name = data.name.strip()
    user.role = data.role
    user.supplier_id = data.supplier_id
    user.locale = data.locale
    user.active = data.active
    sites = data.site_ids and db.session.scalars(select(Site).where(Site.id.in_(data.site_ids)))
    user.sites = list(sites or [])


def create_user(data: UserData, password: str) -> User:
    _validate(data)
    check_password_rules(password, data.email)
    user = User(password_hash=hash_password(password))
    _apply(user, data)
    db.session.add(user)
    db.session.commit()
    return user


def update_user(user: User, data: UserData) -> User:
    _validate(data, exclude_id=user.id)
    scope_changed = (user.role, user.supplier_id, user.active) != (
        data.role,
        data.supplier_id,
        data.active,
    )
    _apply(user, data)
    if scope_changed:  # a changed role or a deactivation takes effect on every session at once
        _end_all_sessions(user)
    db.session.commit()
    return user


def set_password(user: User, password: str) -> None:
    check_password_rules(password, user.email)
    user.password_hash = hash_password(password)
    _end_all_sessions(user)
    db.session.commit()


def change_password(user: User, current: str, new: str) -> None:
    if not check_password_hash(user.password_hash, current):
        raise AccountError("password_wrong")
    set_password(user, new)


def set_locale(user: User, locale: str | None) -> None:
    if locale is not None and locale not in LANGUAGES:
        raise AccountError("locale_unknown")
    user.locale = locale
    db.session.commit()


def count_admins() -> int:
    return db.session.scalar(
        select(func.count(User.id)).where(User.role == "admin", User.active.is_(True))
    )


#: Seconds a worker process keeps the settings it read: the organisation name is on every
#: page, and a read per request was a fifth of an anonymous page's SQL. A change made in this
#: process shows at once; other workers show it within this many seconds.
SETTINGS_TTL = 30.0
_SETTINGS_CACHE = "portal.settings"


def organisation_name() -> str:
    if "organisation_name" not in g:
        cache = current_app.extensions.setdefault(_SETTINGS_CACHE, {})
        value, read_at = cache.get("organisation_name", (None, 0.0))
        if value is None or time.monotonic() - read_at > SETTINGS_TTL:
            try:
                stored = db.session.get(Setting, "organisation_name")
            except SQLAlchemyError:  # the error page must render even when the database is down
                db.session.rollback()
                g.organisation_name = current_app.config["ORGANISATION_NAME"]
                return g.organisation_name
            value = stored.value if stored else current_app.config["ORGANISATION_NAME"]
            cache["organisation_name"] = (value, time.monotonic())
        g.organisation_name = value
    return g.organisation_name


def forget_settings(app) -> None:
    """Drop the settings this process keeps (after they changed behind its back)."""
    app.extensions.pop(_SETTINGS_CACHE, None)


def set_setting(key: str, value: str) -> None:
    setting = db.session.get(Setting, key) or Setting(key=key, value=value)
    setting.value = value
    db.session.add(setting)
    db.session.commit()
    forget_settings(current_app)
    g.pop(key, None)
