"""Shared pieces of the attack-surface suite: database snapshots, CSRF tokens, an HTML reader."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from sqlalchemy import select

from portal.extensions import db
from tests.factories import PASSWORD

TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def snapshot(app) -> dict[str, list[tuple]]:
    """Every row of every table, so an update (not only an insert) shows as a change."""
    with app.app_context():
        tables = {
            table.name: sorted(
                (tuple(repr(value) for value in row) for row in db.session.execute(select(table))),
            )
            for table in db.metadata.sorted_tables
        }
        db.session.remove()
    return tables


def csrf_token(client, url: str = "/login") -> str:
    page = client.get(url).data.decode()
    match = TOKEN.search(page)
    assert match, f"no CSRF token on {url}"
    return match.group(1)


def login_with_token(client, user, password: str = PASSWORD):
    """Sign in through the real form, token included (for apps with CSRF switched on)."""
    response = client.post(
        "/login",
        data={"email": user.email, "password": password, "csrf_token": csrf_token(client)},
    )
    assert response.status_code == 302, response.status_code
    return response


class Page(HTMLParser):
    """What a browser would build from a page: elements with attributes, and text with the
    chain of elements around it (the standard-library parser, so no extra dependency)."""

    VOID = frozenset(
        ["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
         "track", "wbr"]
    )  # fmt: skip

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.texts: list[tuple[str, tuple[tuple[str, dict[str, str]], ...]]] = []
        self.script_bodies: list[str] = []
        self._stack: list[tuple[str, dict[str, str]]] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        element = (tag, {name: value or "" for name, value in attrs})
        self.elements.append(element)
        if tag not in self.VOID:
            self._stack.append(element)

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, {name: value or "" for name, value in attrs}))

    def handle_endtag(self, tag):
        for index in range(len(self._stack) - 1, -1, -1):
            if self._stack[index][0] == tag:
                del self._stack[index:]
                break

    def handle_data(self, data):
        if self._stack and self._stack[-1][0] == "script":
            self.script_bodies.append(data)
        self.texts.append((data, tuple(self._stack)))

    @property
    def text(self) -> str:
        return "".join(data for data, _ in self.texts)

    def attribute_values(self) -> str:
        return " ".join(value for _tag, attrs in self.elements for value in attrs.values())
