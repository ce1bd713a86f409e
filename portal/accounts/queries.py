"""Reads for staff accounts (the admin's user list)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, or_, select
from sqlalchemy.orm import selectinload

from portal.accounts.models import User
from portal.listing import Sort, contains, ranked
from portal.security import ROLES

#: The columns of the user list; the scope column (a supplier or sites) is not sortable.
USER_SORTS = {
    "name": Sort(_l("Name"), [User.name, User.email]),
    "role": Sort(_l("Role"), [ranked(User.role, ROLES), User.email]),
    "login": Sort(_l("Last sign-in"), [User.last_login_at], descending_first=True),
}


def user_list(listing) -> Select:
    """Every account, searched by part of its name or e-mail, with what its scope column
    needs loaded in two statements whatever the page size."""
    stmt = select(User).options(selectinload(User.supplier), selectinload(User.sites))
    if listing.q:
        stmt = stmt.where(or_(contains(User.name, listing.q), contains(User.email, listing.q)))
    return listing.order(stmt, User.id)
