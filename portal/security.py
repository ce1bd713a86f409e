"""Who may see what, response headers, and the anonymity helpers.

Every view declares its audience with :func:`public` or :func:`allow`; :func:`check_access`
runs before every request and refuses (403) any view that declares nothing, so a new route is
closed until someone decides who may see it. Object-level scoping for supplier and monitor
accounts goes through :func:`scoped`.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import re
import time
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, Request, abort, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user
from sqlalchemy import Select
from werkzeug.datastructures import ImmutableMultiDict, iter_multi_items

ROLES = ("admin", "compliance", "supplier", "monitor")
STAFF = ROLES
PUBLIC = frozenset({"public"})

F = TypeVar("F", bound=Callable[..., Any])


def public(view: F) -> F:
    """Anyone, signed in or not, may see this view."""
    view.access = PUBLIC  # type: ignore[attr-defined]
    return view


def allow(*roles: str) -> Callable[[F], F]:
    """Only signed-in staff with one of ``roles`` may see this view."""
    unknown = set(roles) - set(ROLES)
    if unknown or not roles:
        raise ValueError(f"unknown roles {sorted(unknown)}")

    def decorate(view: F) -> F:
        view.access = frozenset(roles)  # type: ignore[attr-defined]
        return view

    return decorate


def accepts_uploads(max_bytes: int) -> Callable[[F], F]:
    """Raise the request body cap for one view (set before CSRF reads the form)."""

    def decorate(view: F) -> F:
        view.upload_limit = max_bytes  # type: ignore[attr-defined]
        return view

    return decorate


def access_of(app: Flask, endpoint: str) -> frozenset[str] | None:
    """The declared audience of an endpoint (``None`` when it declares nothing)."""
    if endpoint == "static" or endpoint.endswith(".static"):
        return PUBLIC
    view = app.view_functions.get(endpoint)
    return getattr(view, "access", None)


def check_access():
    """before_request: enforce the view's declaration, fail closed, expire idle staff."""
    if request.endpoint is None:  # routing failed: 404/405 follow
        return None
    if current_user.is_authenticated and _idle_expired():
        from portal.accounts.services import end_session  # accounts imports this module

        end_session(current_user._get_current_object())
        logout_user()
        session.clear()
        flash(_("You were signed out after a period of inactivity."), "info")
        return redirect(url_for("accounts.login", next=request.full_path))
    declared = access_of(current_app, request.endpoint)
    if declared is None:
        abort(403)
    if declared is PUBLIC:
        return None
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    if current_user.role not in declared:
        abort(403)
    limit = getattr(current_app.view_functions[request.endpoint], "upload_limit", None)
    if limit:
        request.max_content_length = limit
    return None


def _idle_expired() -> bool:
    now = int(time.time())
    last = session.get("seen")
    limit = int(current_app.config["STAFF_IDLE_MINUTES"]) * 60
    if last is not None and now - int(last) > limit:
        return True
    if last is None or now - int(last) > 60:  # avoid rewriting the cookie on every request
        session["seen"] = now
    return False


def scoped(
    stmt: Select,
    user: Any,
    *,
    site_id: Any = None,
    supplier_id: Any = None,
) -> Select:
    """Restrict ``stmt`` to the rows ``user`` may see.

    Pass the column that ties the queried rows to a site (``site_id``) and/or to a supplier
    (``supplier_id``). Compliance sees everything; a supplier account only its own supplier's
    rows; a monitor only the sites assigned to it; anyone else nothing.
    """
    from portal.accounts.models import monitor_sites
    from portal.suppliers.models import Site

    role = getattr(user, "role", None)
    if role == "compliance":
        return stmt
    if role == "supplier" and user.supplier_id is not None:
        if supplier_id is not None:
            return stmt.where(supplier_id == user.supplier_id)
        if site_id is not None:
            own_sites = Site.__table__.select().with_only_columns(Site.id)
            own_sites = own_sites.where(Site.supplier_id == user.supplier_id)
            return stmt.where(site_id.in_(own_sites.scalar_subquery()))
    if role == "monitor":
        assigned = (
            monitor_sites.select()
            .with_only_columns(monitor_sites.c.site_id)
            .where(monitor_sites.c.user_id == user.id)
        )
        if site_id is not None:
            return stmt.where(site_id.in_(assigned.scalar_subquery()))
        if supplier_id is not None:
            suppliers = (
                Site.__table__.select()
                .with_only_columns(Site.supplier_id)
                .where(Site.id.in_(assigned.scalar_subquery()))
            )
            return stmt.where(supplier_id.in_(suppliers.scalar_subquery()))
    # admins and unknown roles get no supplier or site data
    return stmt.where(False)


def rate_limit_address(address: str) -> str:
    """What a limit counts: the IPv4 address, or the /64 network of an IPv6 one.

    One IPv6 subscriber is routinely given a whole /64 (18 quintillion addresses), so keying on
    the full address would give one person a fresh budget per request."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:  # ::ffff:192.0.2.1 is the IPv4 visitor 192.0.2.1
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network((parsed, 64), strict=False))
    return str(parsed)


def rate_limit_key() -> str:
    """A keyed hash of the client address for rate limiting; the address is never stored."""
    address = rate_limit_address(request.remote_addr or "")  # hashed here, held by the limiter
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, b"rate:" + address.encode(), hashlib.sha256).hexdigest()[:32]


class _NoClientAddress(logging.Filter):
    """Blank the client address the development server puts at the start of each line."""

    pattern = re.compile(r"^\S+ - - ")

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = self.pattern.sub("- - - ", record.msg)
        return True


def drop_client_addresses_from_server_logs() -> None:
    """The werkzeug server (``make run``) logs every request with the client address."""
    logger = logging.getLogger("werkzeug")
    if not any(isinstance(f, _NoClientAddress) for f in logger.filters):
        logger.addFilter(_NoClientAddress())


CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data:",
        "style-src 'self'",
        "script-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def set_security_headers(response):
    """after_request: the headers DESIGN §8 promises, on every response."""
    headers = response.headers
    headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    headers["Referrer-Policy"] = "no-referrer"
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Cross-Origin-Resource-Policy"] = "same-origin"
    headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), interest-cohort=()"
    if request.endpoint == "static" and response.status_code == 200:
        headers["Cache-Control"] = "public, max-age=86400"
    else:
        headers["Cache-Control"] = "no-store"
        headers["Pragma"] = "no-cache"
    # The development server names Werkzeug's and Python's versions unless the app sets its
    # own; gunicorn sends plain "gunicorn" (no version) and would only add a second header.
    if request.environ.get("SERVER_SOFTWARE", "").lower().startswith("werkzeug"):
        headers["Server"] = "Worker Voice Portal"
    if request.is_secure:
        headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
    return response


def _without_nul(value: Any) -> Any:
    return value.replace("\x00", "") if isinstance(value, str) else value


class _NulFreeMultiDict(ImmutableMultiDict):
    """Query and form values without NUL characters. Nobody types one; PostgreSQL cannot
    store one in a text column (it raises, a 500) while SQLite would keep it, so the same
    input must mean the same on both: the character is dropped and the rest is kept."""

    def __init__(self, mapping=None):
        if mapping is not None:
            mapping = [(_without_nul(k), _without_nul(v)) for k, v in iter_multi_items(mapping)]
        super().__init__(mapping)


class PortalRequest(Request):
    parameter_storage_class = _NulFreeMultiDict


def refuse_nul_in_path(_endpoint: str | None, values: dict[str, Any] | None) -> None:
    """A path such as ``/s/%00`` names nothing: 404 before any query sees the NUL."""
    if values and any(isinstance(v, str) and "\x00" in v for v in values.values()):
        abort(404)
