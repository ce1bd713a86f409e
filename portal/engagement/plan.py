"""Progress of the yearly engagement plan: each target counts the events (activities,
consultations, campaigns) of its year that match its group, area and kind, over its scope
(every site, or one supplier's). A per-site target is met when every site of the scope has
reached the count; an unmet target past its due day is overdue and goes into the digest."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace

from portal.engagement import queries
from portal.engagement.matrix import Event, events
from portal.suppliers.queries import visible_sites

#: The digest's view of the plan: everything, as compliance sees it.
PROGRAMME = SimpleNamespace(role="compliance", id=None, sites=[], partner_id=None,
                            supplier_id=None)  # fmt: skip


@dataclass
class Progress:
    target: object
    done: int
    required: int
    sites_met: int = 0
    sites_total: int = 0
    overdue: bool = False

    @property
    def met(self) -> bool:
        return self.done >= self.required

    @property
    def percent(self) -> int:
        return 100 if not self.required else min(100, round(100 * self.done / self.required))


def _matches(target, event: Event) -> bool:
    if target.stakeholder_group not in event.groups or target.area not in event.areas:
        return False
    if target.kind == "any":
        return event.source == "activity"
    return event.kind == target.kind


def progress(user, year: int, *, today: date | None = None) -> list[Progress]:
    from portal.engagement.services import today as utc_today

    day = today or utc_today()
    targets = queries.targets(year)
    if not targets:
        return []
    found = events(user, date(year, 1, 1), date(year, 12, 31))
    sites = visible_sites(user)
    result = []
    for target in targets:
        scope = [
            s.id for s in sites if not target.supplier_id or s.supplier_id == target.supplier_id
        ]
        matching = [e for e in found if _matches(target, e)]
        if target.per_site:
            per_site = {sid: sum(sid in e.site_ids for e in matching) for sid in scope}
            done = sum(min(n, target.count) for n in per_site.values())
            item = Progress(target, done, target.count * len(scope),
                            sites_met=sum(n >= target.count for n in per_site.values()),
                            sites_total=len(scope))  # fmt: skip
        else:
            in_scope = set(scope)
            inside = [
                e for e in matching
                if (e.site_ids & in_scope) or (not e.site_ids and not target.supplier_id)
            ]  # fmt: skip
            item = Progress(target, min(len(inside), target.count), target.count)
        item.overdue = not item.met and target.due_on < day
        result.append(item)
    return result


def overdue(year: int, today: date) -> list[Progress]:
    return [item for item in progress(PROGRAMME, year, today=today) if item.overdue]
