"""Staff accounts and operator settings."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import CheckConstraint as Check
from sqlalchemy import Column, DateTime, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db import utcnow
from portal.extensions import db
from portal.security import ROLES

if TYPE_CHECKING:
    from portal.engagement.models import Partner
    from portal.suppliers.models import Site, Supplier

#: Sites an independent monitor (role ``monitor``) is assigned to.
monitor_sites = Table(
    "monitor_sites",
    db.Model.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("site_id", ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True),
)

_ROLE_LIST = ", ".join(f"'{role}'" for role in ROLES)


def _new_session_token() -> str:
    return secrets.token_hex(16)


class User(UserMixin, db.Model):
    """A staff member. Workers never have accounts."""

    __tablename__ = "users"
    __table_args__ = (
        Check(f"role IN ({_ROLE_LIST})", name="role_known"),
        # A supplier account is scoped to exactly one supplier; no other role has one.
        Check(
            "(role = 'supplier' AND supplier_id IS NOT NULL)"
            " OR (role <> 'supplier' AND supplier_id IS NULL)",
            name="supplier_scope",
        ),
        Check("partner_id IS NULL OR role = 'monitor'", name="partner_monitors"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Login name, stored lower-cased.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    #: Werkzeug scrypt hash; never the password.
    password_hash: Mapped[str] = mapped_column(String(255))
    #: One of ``portal.security.ROLES``.
    role: Mapped[str] = mapped_column(String(20))
    #: Set for ``supplier`` accounts only.
    supplier_id: Mapped[int | None] = mapped_column(
        ForeignKey("suppliers.id", ondelete="RESTRICT"), index=True
    )
    #: Preferred UI language (a key of ``portal.i18n.LANGUAGES``); None follows the browser.
    locale: Mapped[str | None] = mapped_column(String(10))
    active: Mapped[bool] = mapped_column(default=True)
    #: Part of the login cookie; rotating it (password change) signs out every other session.
    session_token: Mapped[str] = mapped_column(String(32), default=_new_session_token)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    #: The partner organisation a monitor's account belongs to (a union, an NGO...).
    partner_id: Mapped[int | None] = mapped_column(
        ForeignKey("partners.id", ondelete="SET NULL"), index=True
    )

    supplier: Mapped[Supplier | None] = relationship(back_populates="users")
    partner: Mapped[Partner | None] = relationship(back_populates="members")
    #: Assigned sites (monitors only).
    sites: Mapped[list[Site]] = relationship(secondary=monitor_sites, order_by="Site.name")

    #: This request's sign-in (a key of ``staff_sessions``), set at login and by the loader.
    session_key = None

    def get_id(self) -> str:
        return f"{self.id}.{self.session_token}.{self.session_key}"

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    def rotate_session_token(self) -> None:
        self.session_token = _new_session_token()

    def __repr__(self) -> str:
        return f"<User {self.email} {self.role}>"


class Setting(db.Model):
    """Operator settings editable by admins (for example the organisation's name)."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class StaffSession(db.Model):
    """One signed-in browser: sign-out deletes its row, so a copied cookie stops working.

    The cookie carries the key; only its SHA-256 is stored, so a database reader cannot sign in.
    """

    __tablename__ = "staff_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
