"""Translated names of the engagement package's stored keys, its refusals, and the seed 000
opportunity of each stakeholder group in each engagement area (the matrix cells' text)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

PARTNER_KIND_LABELS = {
    "union": _l("Trade union"),
    "worker_organisation": _l("Worker organisation"),
    "cso": _l("Civil society organisation"),
    "ngo": _l("NGO or INGO"),
    "industry_association": _l("Industry association"),
    "government": _l("Government body"),
    "trusted_trader": _l("Trusted-trader programme (such as CTPAT)"),
    "investor": _l("Investor"),
    "training_provider": _l("Training provider"),
    "auditor": _l("Auditor or verifier"),
}
ACTIVITY_KIND_LABELS = {
    "meeting": _l("Meeting"),
    "focus_group": _l("Focus group"),
    "worker_representatives": _l("Consultation with worker representatives"),
    "training": _l("Training"),
    "joint_audit": _l("Joint audit or verification"),
    "working_group": _l("Industry working group"),
    "government_review": _l("Government programme review"),
    "investor_dialogue": _l("Investor dialogue"),
    "community_meeting": _l("Community meeting"),
    "other": _l("Other"),
}
TARGET_KIND_LABELS = {
    "any": _l("Any activity"),
    **ACTIVITY_KIND_LABELS,
    "consultation": _l("Consultation on a document"),
    "campaign": _l("Survey campaign"),
}
DOCUMENT_KIND_LABELS = {
    "code_of_conduct": _l("Supplier code of conduct"),
    "grievance_procedure": _l("Grievance procedure"),
    "policy": _l("Policy"),
    "remediation_plan": _l("Remediation plan"),
    "other": _l("Other document"),
}
CONSULTATION_STATUS_LABELS = {
    "draft": _l("draft"),
    "open": _l("open for comments"),
    "closed": _l("closed"),
    "published": _l("published"),
}
AUDIT_LABELS = {
    "created": _l("Created"),
    "edited": _l("Edited"),
    "deleted": _l("Deleted"),
    "file": _l("File attached"),
    "feedback": _l("Feedback survey started"),
    "status": _l("Status"),
    "theme": _l("Theme added"),
    "response": _l("Response to a theme"),
}
ERRORS = {
    "unknown_choice": _l("One of the choices is not known. Reload the page and try again."),
    "name": _l("Enter the organisation's name."),
    "partner_exists": _l("An organisation with this name is already in the register."),
    "members": _l("Only monitor accounts can belong to a partner organisation."),
    "country": _l("Countries are two-letter ISO codes, for example BD, MY."),
    "site": _l("Choose sites from the list (a monitor records activities at its own sites)."),
    "title": _l("Enter a title."),
    "groups": _l("Choose at least one stakeholder group."),
    "areas": _l("Choose at least one engagement area."),
    "date": _l("The date is too far in the future."),
    "participants": _l("Numbers of participants cannot be negative."),
    "participants_sex": _l("Women and men together cannot be more than the total."),
    "not_training": _l("Feedback surveys follow trainings only."),
    "feedback_exists": _l("This training already has a feedback survey."),
    "feedback_sites": _l("Add the sites where the training took place first."),
    "feedback_survey": _l("The training feedback survey is not loaded. Run “flask surveys sync”."),
    "target_numbers": _l("Enter a year between 2000 and 2100 and a count between 1 and 1000."),
    "target_due": _l("The due date must be in the target's year."),
    "languages": _l("Choose at least one language."),
    "window_order": _l("The closing day cannot be before the opening day."),
    "consultation_sites": _l("Choose the sites whose workers and communities are consulted."),
    "draft_text": _l("Write the title and the draft text in the first language."),
    "published": _l("A published consultation can no longer be changed."),
    "transition": _l("This change is not possible now."),
    "publish_closed": _l("Close the consultation before publishing its revision."),
    "revision_text": _l("Write the revised text and what changed, in the first language."),
    "themes_unanswered": _l("Respond to every theme before publishing."),
    "closed": _l("This consultation is not taking comments."),
    "group": _l("Choose who you are speaking for."),
    "comment": _l("Write your comment (a few words at least)."),
    "response": _l("Write the response."),
}

#: Seed 000, "Engagement Opportunities with Key Stakeholders": what each group can bring to
#: each area. Shown as the description of the matrix cell.
_SHAPE_POLICY = _l(
    "Be involved in development, bringing credibility, expertise and experience to the process"
)
_INFORM_RISK = _l(
    "Provide information for the company's risk assessment, including information "
    "on sex, culture, community dynamics, and vulnerable individuals and groups"
)
_TRAIN_OTHERS = _l(
    "Provide training on child labour, forced labour, freedom of association, "
    "and other labour issues"
)
_COMMUNICATE = _l(
    "Ongoing communication with affected communities about workplace issues; "
    "collective bargaining and the ILO Declaration on Fundamental Principles and "
    "Rights at Work (freedom of association, freedom from discrimination, no forced "
    "or child labour, safe and healthy work)"
)
_HELP_AUDIT = _l(
    "Help carry out audits or independent verification, or support "
    "community-based monitoring systems"
)
_CONTRIBUTE = _l(
    "Contribute material, including statements on the importance of worker-driven social compliance"
)
_COMMENT_REPORT = _l("Provide comments on public reporting to enhance accuracy and credibility")
_ROOT_CAUSES = _l(
    "Develop or strengthen efforts and actions to address root causes of labour abuses"
)
_ACCOUNTABILITY = _l(
    "Advocate for and demand accountability or action when labour rights violations are identified"
)
OPPORTUNITIES = {
    ("employees", "code_of_conduct"): _l("Understand and implement the code of conduct"),
    ("employees", "risk_assessment"): _l("Integrate compliance data into decision-making"),
    ("employees", "training"): _l("Make sure the company's work follows social compliance"),
    ("employees", "communication"): _l("Understand how to communicate about the company's "
                                       "worker-driven social compliance system"),
    ("employees", "monitoring"): _l("Supplement worksite auditing programmes on field visits"),
    ("employees", "remediation"): _l("Share ideas for how the company's work can address root "
                                     "causes of labour abuses"),
    ("employees", "public_reporting"): _CONTRIBUTE,
    ("workers", "code_of_conduct"): _SHAPE_POLICY,
    ("workers", "risk_assessment"): _l("Monitor and help identify risks of child labour and "
                                       "forced labour at worksites, raise risks to management"),
    ("workers", "training"): _l("Participate fully in worker training and provide feedback"),
    ("workers", "communication"): _l("Engage in collective bargaining; communicate with "
                                     "management to report labour rights violations"),
    ("workers", "monitoring"): _l("Workers' organisations may act as independent monitors or "
                                  "verifiers where appropriate; use grievance and feedback "
                                  "mechanisms"),
    ("workers", "remediation"): _l("Be involved in remediation planning and implementation, "
                                   "when appropriate"),
    ("workers", "public_reporting"): _CONTRIBUTE,
    ("suppliers", "code_of_conduct"): _SHAPE_POLICY,
    ("suppliers", "risk_assessment"): _INFORM_RISK,
    ("suppliers", "training"): _l("Participate fully in worker training"),
    ("suppliers", "communication"): _COMMUNICATE,
    ("suppliers", "monitoring"): _l("Cooperate fully with auditors and independent verifiers"),
    ("suppliers", "remediation"): _l("Take an active role; develop corrective action plans "
                                     "(CAPs)"),
    ("suppliers", "public_reporting"): _CONTRIBUTE,
    ("communities", "code_of_conduct"): _SHAPE_POLICY,
    ("communities", "risk_assessment"): _INFORM_RISK,
    ("communities", "training"): _TRAIN_OTHERS,
    ("communities", "communication"): _COMMUNICATE,
    ("communities", "monitoring"): _HELP_AUDIT,
    ("communities", "remediation"): _l("Provide direct services for victims and advise the "
                                       "company on remediation"),
    ("communities", "public_reporting"): _COMMENT_REPORT,
    ("ngos", "code_of_conduct"): _SHAPE_POLICY,
    ("ngos", "risk_assessment"): _INFORM_RISK,
    ("ngos", "training"): _TRAIN_OTHERS,
    ("ngos", "communication"): _COMMUNICATE,
    ("ngos", "monitoring"): _HELP_AUDIT,
    ("ngos", "remediation"): _l("Provide direct services for victims and advise the company on "
                                "remediation; offer expertise on issue-specific remediation "
                                "approaches"),
    ("ngos", "public_reporting"): _COMMENT_REPORT,
    ("investors", "code_of_conduct"): _ACCOUNTABILITY,
    ("investors", "risk_assessment"): _ACCOUNTABILITY,
    ("investors", "training"): _l("Participate in training on the purpose and operations of a "
                                  "worker-driven social compliance system"),
    ("investors", "communication"): _ROOT_CAUSES,
    ("investors", "monitoring"): _ROOT_CAUSES,
    ("investors", "remediation"): _ROOT_CAUSES,
    ("investors", "public_reporting"): _l("Encourage the company to dedicate resources to public "
                                          "reporting"),
}  # fmt: skip


def template_context() -> dict:
    from portal.dashboard.queries import AREA_LABELS
    from portal.surveys.forms import GROUP_LABELS

    return {
        "PARTNER_KIND_LABELS": PARTNER_KIND_LABELS,
        "ACTIVITY_KIND_LABELS": ACTIVITY_KIND_LABELS,
        "TARGET_KIND_LABELS": TARGET_KIND_LABELS,
        "DOCUMENT_KIND_LABELS": DOCUMENT_KIND_LABELS,
        "CONSULTATION_STATUS_LABELS": CONSULTATION_STATUS_LABELS,
        "ENGAGEMENT_AUDIT_LABELS": AUDIT_LABELS,
        "OPPORTUNITIES": OPPORTUNITIES,
        "AREA_LABELS": AREA_LABELS,
        "GROUP_LABELS": GROUP_LABELS,
    }
