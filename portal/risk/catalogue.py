"""The indicator catalogue of DESIGN §6, as data. Ids are stable: definitions, signals and
exports refer to them."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Indicator:
    id: str
    name: object  # lazy translated string
    #: ILO Declaration principle: forced_labour, child_labour, association, discrimination, osh;
    #: GV01 is about the grievance channel itself.
    principle: str
    #: Zero-tolerance indicators are scored against τ = 2 % instead of 10 %.
    zero_tolerance: bool


INDICATORS: dict[str, Indicator] = {
    item.id: item
    for item in (
        Indicator("FL01", _l("Deception"), "forced_labour", False),
        Indicator("FL02", _l("Debt bondage and recruitment fees"), "forced_labour", True),
        Indicator("FL03", _l("Retention of identity documents"), "forced_labour", True),
        Indicator("FL04", _l("Withholding of wages"), "forced_labour", True),
        Indicator("FL05", _l("Restriction of movement"), "forced_labour", True),
        Indicator("FL06", _l("Isolation"), "forced_labour", True),
        Indicator("FL07", _l("Physical and sexual violence"), "forced_labour", True),
        Indicator("FL08", _l("Intimidation and threats"), "forced_labour", True),
        Indicator("FL09", _l("Excessive overtime"), "forced_labour", False),
        Indicator("FL10", _l("Abusive working and living conditions"), "forced_labour", False),
        Indicator("FL11", _l("Abuse of vulnerability"), "forced_labour", False),
        Indicator("CL01", _l("Child labour"), "child_labour", True),
        Indicator("CL02", _l("Hazardous work by under-18s"), "child_labour", True),
        Indicator("FA01", _l("Freedom of association"), "association", False),
        Indicator("ND01", _l("Non-discrimination"), "discrimination", False),
        Indicator("OSH01", _l("Safe and healthy workplace"), "osh", False),
        Indicator("GV01", _l("Access to a trusted grievance channel"), "grievance", False),
    )
}

#: Involuntariness and coercion: the two halves of the FLX composite (ICLS 2018).
DIMENSIONS = ("INV", "COE")

STAKEHOLDER_GROUPS = ("workers", "suppliers", "employees", "communities", "ngos", "investors")
#: Groups that answer anonymously through /s/<code>; the others get a tokened campaign link.
ANONYMOUS_GROUPS = ("workers", "communities", "ngos")
ENGAGEMENT_AREAS = (
    "code_of_conduct",
    "risk_assessment",
    "training",
    "communication",
    "monitoring",
    "remediation",
    "public_reporting",
)
