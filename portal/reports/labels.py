"""Translated names of the report sections, the UNGP 31 criteria and their figures. Stored
figures hold keys and numbers only; these words are looked up when a page is rendered, in the
reader's language."""

from flask_babel import lazy_gettext as _l

SECTION_LABELS = {
    "scope": _l("Scope"),
    "grievances": _l("Grievances"),
    "risks": _l("Main risks"),
    "remediation": _l("Remediation"),
    "engagement": _l("Engagement with stakeholders"),
    "effectiveness": _l("Effectiveness of the grievance mechanism"),
    "methodology": _l("Methodology"),
    "general": _l("The report as a whole"),
}

OUTCOME_LABELS = {
    "open": _l("Still open"),
    "resolved": _l("Resolved"),
    "closed": _l("Closed"),
    "rejected": _l("Rejected"),
    "duplicate": _l("Duplicate"),
    "total": _l("Total"),
}

PACK_STATUS_LABELS = {
    "queued": _l("Waiting"),
    "running": _l("Being built"),
    "done": _l("Ready"),
    "failed": _l("Failed"),
}

#: UNGP 31 (a)–(h): the criterion and what it asks of a grievance mechanism.
CRITERIA = {
    "legitimate": (_l("Legitimate"), _l(
        "Trusted by the people it is for, and accountable for fair conduct.")),
    "accessible": (_l("Accessible"), _l(
        "Known to everyone it is for, with help for those who face barriers to using it.")),
    "predictable": (_l("Predictable"), _l(
        "A clear procedure with a time frame for each stage, and a known outcome.")),
    "equitable": (_l("Equitable"), _l(
        "Reporters have fair access to information, advice and expertise.")),
    "transparent": (_l("Transparent"), _l(
        "Reporters are kept informed of progress, and the public of performance.")),
    "rights_compatible": (_l("Rights-compatible"), _l(
        "Outcomes and remedies accord with internationally recognised human rights.")),
    "learning": (_l("A source of continuous learning"), _l(
        "Lessons are drawn to improve the mechanism and to prevent future harm.")),
    "dialogue": (_l("Based on engagement and dialogue"), _l(
        "Designed with the people it is for, and solving grievances through dialogue.")),
}  # fmt: skip

#: Figure key → (label, how it is computed).
FIGURES = {
    "groups_using": (_l("Stakeholder groups that used the channel"), _l(
        "Distinct groups (workers, communities, NGOs…) among the cases received in the period.")),
    "handled_share": (_l("Cases with a named handler"), _l(
        "Share of the period's cases assigned to a compliance lead or a monitor.")),
    "partners_monitoring": (_l("Partner organisations with monitor accounts"), _l(
        "Unions, NGOs and other partners whose staff can read the cases of their sites.")),
    "languages_per_site": (_l("Languages per site (median)"), _l(
        "Languages each site's public page, surveys and report form are offered in.")),
    "sites_multilingual": (_l("Sites offering two or more languages"), _l(
        "Out of the sites in scope.")),
    "poster_share": (_l("Sites whose poster was printed"), _l(
        "Share of sites whose QR poster staff opened for printing at least once.")),
    "general_entry_share": (_l("Reports through the general entry"), _l(
        "Share of cases filed without a site code, by people who had no poster at hand.")),
    "reports_per_1000": (_l("Reports per 1,000 workers"), _l(
        "Cases received in the period per 1,000 workers of the sites' headcount.")),
    "clock_acknowledge": (_l("Published time to acknowledge"), _l(
        "The promise shown to reporters (critical cases: sooner).")),
    "acknowledged_in_time": (_l("Acknowledged within the published time"), _l(
        "Share of the period's cases acknowledged before their deadline.")),
    "median_hours_acknowledge": (_l("Time to acknowledge (median)"), _l(
        "From the hour a report arrived to its acknowledgement.")),
    "clock_resolve": (_l("Published time to resolve"), _l(
        "The time frame shown to reporters for an outcome.")),
    "resolved_in_time": (_l("Resolved within the published time"), _l(
        "Share of the resolved cases resolved before their deadline.")),
    "median_days_resolve": (_l("Time to resolve (median)"), _l(
        "From the hour a report arrived to its resolution, for the resolved cases.")),
    "reply_share": (_l("Cases with a written reply to the reporter"), _l(
        "Share of cases where staff wrote at least one message the reporter can read.")),
    "languages_used": (_l("Languages reporters wrote in"), _l(
        "Distinct languages of the period's reports.")),
    "callback_share": (_l("Reporters who asked to be called back"), _l(
        "Share of cases with a call-back contact, kept encrypted for the handler only.")),
    "saw_every_change": (_l("Reporters who saw every status change"), _l(
        "Share of cases with a status change where the reporter opened the case after each "
        "change, before the next one.")),
    "changes_seen": (_l("Status changes seen by the reporter"), _l(
        "Share of all status changes that the reporter saw on the follow-up page.")),
    "published_outcomes": (_l("Consultations with a published outcome"), _l(
        "Consultations of the period whose outcome and responses are public.")),
    "zero_tolerance_planned": (_l("Serious cases answered by a corrective action plan"), _l(
        "Share of credible cases about forced or child labour, violence or threats that a "
        "corrective action plan answers.")),
    "zero_tolerance_verified": (_l("Serious cases with a verified remedy"), _l(
        "Share of those cases whose plan was verified by asking the workers again.")),
    "satisfied_share": (_l("Reporters satisfied or partly satisfied"), _l(
        "Of the reporters who said whether the outcome satisfied them.")),
    "repeat_sites": (_l("Sites where an issue came back"), _l(
        "Sites with two or more cases of the same category in the period.")),
    "repeat_share": (_l("Cases repeating an issue"), _l(
        "Share of cases in a category already raised at the same site in the period.")),
    "plans_from_cases": (_l("Serious cases that led to a plan"), _l(
        "Corrective action plans opened from the period's serious cases.")),
    "procedure_consultations": (_l("Consultations on the grievance procedure"), _l(
        "Draft grievance procedures put to stakeholders for comment in the period.")),
    "procedure_comments": (_l("Comments on the grievance procedure"), _l(
        "Comments received on those drafts.")),
    "reporter_replied": (_l("Cases where the reporter wrote back"), _l(
        "Share of cases with at least one message from the reporter after the report.")),
}  # fmt: skip

AUDIT_LABELS = {
    "created": _l("Created"),
    "edited": _l("Edited"),
    "published": _l("Published"),
    "comment": _l("Partner comment"),
    "answer": _l("Comment answered"),
}
