"""Paging, sorting and searching of staff list pages: one way for every list that can grow.

A list page declares its sortable columns (``Sort``), reads the request once with
``Listing.from_request`` and orders its select with ``Listing.order``; the templates use the
``list_search``, ``sort_header``, ``sort_select`` and ``pager`` macros of ``macros.html``.
Everything is a plain GET link or form, so it works without JavaScript and can be bookmarked.
Sorting happens in SQL, with the primary key as the last key so that pages never overlap.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import abort, request, url_for
from sqlalchemy import Select, case, func, select
from sqlalchemy.sql.elements import ColumnElement

from portal.extensions import db
from portal.forms import page_number

#: Rows per page of a staff list.
PER_PAGE = 50
#: Longest search text read; a longer one is cut rather than refused.
MAX_QUERY = 100
#: A filter menu with more options than this gives way to the search box (a menu of 10,000
#: sites weighs half a megabyte and nobody scrolls it).
MENU_LIMIT = 200


@dataclass(frozen=True)
class Sort:
    """A sortable column: its label and the SQL expressions it orders by."""

    label: Any
    by: Sequence[ColumnElement]
    #: The first click on the header sorts this way (dates and counts: largest first).
    descending_first: bool = False


def ranked(column: ColumnElement, order: Sequence[str]) -> ColumnElement:
    """Order a column of keys the way the portal lists them (a workflow, a scale), not
    alphabetically by key; empty and unknown keys go last either way (``nulls_last``)."""
    return case({key: rank for rank, key in enumerate(order)}, value=column, else_=None)


def contains(column: ColumnElement, text: str) -> ColumnElement:
    """Case-blind "column contains text", the user's own ``%``, ``_`` and ``\\`` taken
    literally (``ilike`` is ``LIKE`` on SQLite, which ignores case for ASCII only)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.ilike(f"%{escaped}%", escape="\\")


@dataclass
class Page:
    """One page of a select: entities for a one-entity select, rows (tuples) otherwise,
    which Flask-SQLAlchemy's ``paginate`` cannot give (it keeps the first column only)."""

    items: list
    page: int
    per_page: int
    total: int

    @classmethod
    def of(cls, stmt: Select, page: int, per_page: int) -> Page:
        total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
        if page > 1 and (page - 1) * per_page >= total:
            abort(404)  # past the last page, as db.paginate does
        result = db.session.execute(stmt.limit(per_page).offset((page - 1) * per_page))
        if len(stmt.column_descriptions) == 1:
            items = list(result.unique().scalars())
        else:
            items = [tuple(row) for row in result]
        return cls(items=items, page=page, per_page=per_page, total=total or 0)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


@dataclass
class Listing:
    endpoint: str
    sorts: dict[str, Sort]
    sort: str
    descending: bool
    q: str = ""
    #: Other query arguments of the page (its filters), kept in every link it makes.
    keep: dict[str, str] = field(default_factory=dict)
    endpoint_args: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_request(
        cls, endpoint: str, sorts: dict[str, Sort], default: str, **endpoint_args
    ) -> Listing:
        """Read ``sort`` (``key`` or ``-key`` for descending) and ``q``; an unknown sort key
        falls back to the default, so an old bookmark still opens."""
        raw = request.args.get("sort", "")
        key = raw.removeprefix("-")
        if key not in sorts:
            key, raw = default.removeprefix("-"), default
        keep = {
            name: value
            for name, value in request.args.items()
            if name not in ("sort", "page", "q") and value != ""
        }
        return cls(
            endpoint=endpoint,
            sorts=sorts,
            sort=key,
            descending=raw.startswith("-"),
            q=" ".join(request.args.get("q", "").split())[:MAX_QUERY],
            keep=keep,
            endpoint_args=endpoint_args,
        )

    @property
    def sort_value(self) -> str:
        return ("-" if self.descending else "") + self.sort

    def order(self, stmt: Select, *tiebreak: ColumnElement) -> Select:
        expressions = [*self.sorts[self.sort].by, *tiebreak]
        if self.descending:
            return stmt.order_by(*(e.desc().nulls_last() for e in expressions))
        return stmt.order_by(*(e.asc().nulls_last() for e in expressions))

    def paginate(self, stmt: Select, per_page: int = PER_PAGE) -> Page:
        return Page.of(stmt, page_number(), per_page)

    def url(self, **changes) -> str:
        args = {**self.keep, "q": self.q, "sort": self.sort_value, **changes}
        args = {name: value for name, value in args.items() if value not in ("", None)}
        return url_for(self.endpoint, **self.endpoint_args, **args)

    def sort_url(self, key: str) -> str:
        """The header link: the other direction when already sorted by this column."""
        if key == self.sort:
            descending = not self.descending
        else:
            descending = self.sorts[key].descending_first
        return self.url(sort=("-" if descending else "") + key, page=None)

    def aria_sort(self, key: str) -> str | None:
        if key != self.sort:
            return None
        return "descending" if self.descending else "ascending"

    def sort_options(self) -> list[tuple[str, Any, bool]]:
        """(value, column label, descending) for the sort menu, which phones use (their
        table headers are hidden) as well as keyboards."""
        return [
            (("-" if descending else "") + key, sort.label, descending)
            for key, sort in self.sorts.items()
            for descending in (sort.descending_first, not sort.descending_first)
        ]
