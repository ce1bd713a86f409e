"""Extension points that let each capability add itself to shared pieces without editing them:
staff navigation entries, the actions offered on a public site page, sections of the staff
mail digest, and panels on the staff site page."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from flask import Flask, current_app


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: object  # a lazy translated string
    roles: frozenset[str]
    order: int = 50


@dataclass(frozen=True)
class SiteAction:
    """One thing a visitor can do on ``/s/<code>`` (answer a survey, report a problem...)."""

    url: str
    label: str
    description: str | None = None
    order: int = 50
    extra: dict = field(default_factory=dict)


SiteActionProvider = Callable[[object], Iterable[SiteAction]]


def register_nav(app: Flask, *items: NavItem) -> None:
    app.extensions.setdefault("portal.nav", []).extend(items)


def register_site_actions(app: Flask, provider: SiteActionProvider) -> None:
    app.extensions.setdefault("portal.site_actions", []).append(provider)


def nav_for(user) -> list[NavItem]:
    role = getattr(user, "role", None)
    items = current_app.extensions.get("portal.nav", [])
    return sorted((item for item in items if role in item.roles), key=lambda item: item.order)


def site_actions(site) -> list[SiteAction]:
    actions = [
        action
        for provider in current_app.extensions.get("portal.site_actions", [])
        for action in provider(site)
    ]
    return sorted(actions, key=lambda action: action.order)


@dataclass
class DigestSection:
    """One part of the staff mail digest (``flask digest``): a heading and one line per item,
    for the team; ``personal`` gives each responsible person (by e-mail) their own lines."""

    title: str
    lines: list[str]
    personal: dict[str, list[str]] = field(default_factory=dict)
    #: Called after the team's mail went out (for example to mark items as announced).
    sent: Callable[[], None] | None = None


DigestProvider = Callable[[], Iterable[DigestSection]]


def register_digest(app: Flask, provider: DigestProvider) -> None:
    app.extensions.setdefault("portal.digest", []).append(provider)


def digest_sections() -> list[DigestSection]:
    """Every capability's sections, in registration order, empty ones left out."""
    return [
        section
        for provider in current_app.extensions.get("portal.digest", [])
        for section in provider()
        if section.lines
    ]


@dataclass(frozen=True)
class SitePanel:
    """A section of the staff site page (``/sites/<id>``): a template and its variables."""

    template: str
    context: dict = field(default_factory=dict)
    order: int = 50


SitePanelProvider = Callable[[object, object], Iterable[SitePanel]]


def register_site_panel(app: Flask, provider: SitePanelProvider) -> None:
    app.extensions.setdefault("portal.site_panels", []).append(provider)


def site_panels(site, user) -> list[SitePanel]:
    """Every capability's panels for ``site`` as ``user`` may see them."""
    panels = [
        panel
        for provider in current_app.extensions.get("portal.site_panels", [])
        for panel in provider(site, user)
    ]
    return sorted(panels, key=lambda panel: panel.order)
