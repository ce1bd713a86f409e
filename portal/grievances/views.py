"""Grievance views: the anonymous channel (intake, receipt, follow-up); case management is in
views_cases.py.

The receipt never appears in a URL and never sits in the session in clear: the follow-up page is
rendered from a POST that carries it, and replies post it again as a hidden field. A new receipt
crosses the one redirect after intake encrypted in the signed session and is removed when shown.
"""

from __future__ import annotations

from cryptography.fernet import InvalidToken
from flask import (
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.extensions import limiter
from portal.grievances import bp, labels, queries, receipts, services
from portal.grievances.forms import (
    FeedbackForm,
    IntakeForm,
    ReceiptForm,
    ReporterReplyForm,
)
from portal.grievances.models import (
    REPORTER_GROUPS,
    Grievance,
)
from portal.i18n import current_language, parse_language
from portal.limits import global_key
from portal.security import public
from portal.suppliers import queries as supplier_queries
from portal.suppliers.services import normalise_site_code

SESSION_RECEIPT = "grievance_receipt"
RECEIPT_DISPLAY_SECONDS = 15 * 60


@bp.context_processor
def _labels():
    return labels.template_context()


@bp.url_value_preprocessor
def _load_site(endpoint, values):
    """The site named in the address steers the language choice, as on /s/<code>."""
    g.site = None
    if values and values.get("code"):
        code = normalise_site_code(values["code"])
        g.site = supplier_queries.site_by_code(code) if code else None
        if g.site is not None:
            g.context_languages = list(g.site.languages)


def _site_from_address(code: str | None):
    if code is not None and g.site is None:
        abort(404)
    return g.site


def _intake_limit() -> str:
    return current_app.config["GRIEVANCE_INTAKE_RATE_LIMIT"]


def _intake_refused_limit() -> str:
    return current_app.config["GRIEVANCE_INTAKE_REFUSED_RATE_LIMIT"]


def _accepted(response) -> bool:
    """A report was filed: the intake answers with a redirect to its receipt."""
    return response.status_code == 302 and "/report/receipt" in response.headers.get("Location", "")


def _refused(response) -> bool:
    return response.status_code == 400


def _lookup_limit() -> str:
    return current_app.config["GRIEVANCE_LOOKUP_RATE_LIMIT"]


def _lookup_global_limit() -> str:
    return current_app.config["GRIEVANCE_LOOKUP_GLOBAL_RATE_LIMIT"]


def _everyone() -> str:
    return global_key("grievance-lookup")


# Every request that presents a receipt (look-up, reply, feedback) counts against the same
# per-address and global budgets, so replies cannot be used to guess receipts faster.
_lookup_limits = (
    limiter.shared_limit(_lookup_limit, scope="grievance-lookup", methods=["POST"]),
    limiter.shared_limit(
        _lookup_global_limit,
        scope="grievance-lookup-global",
        key_func=_everyone,
        methods=["POST"],
    ),
)


def lookup_limited(view):
    for decorate in reversed(_lookup_limits):
        view = decorate(view)
    return view


# --- intake --------------------------------------------------------------------------------


@bp.route("/report", methods=["GET", "POST"], defaults={"code": None})
@bp.route("/s/<code>/report", methods=["GET", "POST"])
@public
# Only filed reports count against the intake limit: a worker who leaves a field out five
# times, or a dormitory behind one address, must still be able to report. Refused attempts
# (a 400 with the form and its errors) have their own, higher cap.
@limiter.shared_limit(_intake_limit, "grievance-intake", methods=["POST"], deduct_when=_accepted)
@limiter.shared_limit(
    _intake_refused_limit, "grievance-intake-refused", methods=["POST"], deduct_when=_refused
)
def submit(code: str | None):
    """Step 1 (no ``who``): who are you? Step 2: what happened."""
    site = _site_from_address(code)
    who = request.values.get("who", "")
    if who not in REPORTER_GROUPS:
        chosen_wrongly = "who" in request.values
        error = _l("Choose who you are.") if chosen_wrongly else None
        return render_template("grievances/choose.html", site=site, who_error=error), (
            400 if chosen_wrongly or request.method == "POST" else 200
        )
    form = IntakeForm(reporter=who, needs_place=site is None)
    if request.method == "GET":
        form.who.data = who
    if form.validate_on_submit():
        _grievance, receipt = services.create_grievance(
            services.IntakeData(
                reporter=who,
                category=form.category.data,
                description=form.description.data,
                language=current_language(),
                site_id=site.id if site else None,
                reported_place=None if site else form.reported_place.data,
                occurred_when=form.occurred_when.data,
                occurred_where=form.occurred_where.data,
                others_affected=form.others_affected.data,
                contact=form.contact.data if form.wants_contact.data else None,
            )
        )
        # Post/redirect/get, so that reloading the receipt page cannot file the report twice.
        token = receipts.session_cipher().encrypt(receipt.encode()).decode()
        session[SESSION_RECEIPT] = token
        return redirect(url_for("grievances.receipt", code=site.code if site else None))
    status = 400 if form.is_submitted() else 200
    return render_template("grievances/report.html", form=form, site=site, who=who), status


@bp.get("/report/receipt", defaults={"code": None})
@bp.get("/s/<code>/report/receipt")
@public
def receipt(code: str | None):
    """Show the new receipt once; it leaves the session as it is shown."""
    site = _site_from_address(code)
    token = session.pop(SESSION_RECEIPT, None)
    number = None
    if token:
        try:
            number = receipts.session_cipher().decrypt(token.encode(), ttl=RECEIPT_DISPLAY_SECONDS)
        except InvalidToken:
            number = None
    return render_template(
        "grievances/receipt.html",
        site=site,
        receipt=receipts.group(number.decode()) if number else None,
    )


# --- follow-up -----------------------------------------------------------------------------


def _reporter_language(grievance: Grievance) -> str:
    """The reporter's explicit language choice if any, else the language they reported in."""
    return parse_language(session.get("lang")) or grievance.language


def _thread(grievance: Grievance, receipt: str, site, *, status: int = 200, **forms):
    reply_form = forms.get("reply_form") or ReporterReplyForm(formdata=None)
    feedback_form = forms.get("feedback_form") or FeedbackForm(formdata=None)
    reply_form.receipt.data = feedback_form.receipt.data = receipts.group(receipt)
    messages = [message for message in grievance.messages if not message.internal]
    services.mark_seen(grievance)
    with force_locale(_reporter_language(grievance)):
        html = render_template(
            "grievances/thread.html",
            grievance=grievance,
            messages=messages,
            reply_form=reply_form,
            feedback_form=feedback_form,
            site=site,
            sent=forms.get("sent"),
            remediation=_remediation_line(grievance),
        )
    return html, status


def _case_from_receipt(form: ReceiptForm):
    """(case, receipt) or an error already attached to the form and the HTTP status."""
    try:
        receipt = receipts.normalise(form.receipt.data)
    except receipts.ReceiptError:
        form.receipt.errors = [
            _("Check the number: one of the digits is wrong or missing. It has 20 digits.")
        ]
        return None, None, 400
    grievance = queries.by_receipt(receipt)
    if grievance is None:
        # Neutral: says nothing about whether such a case ever existed.
        form.receipt.errors = [_("We could not open a report with this number.")]
        return None, None, 404
    return grievance, receipt, 200


def _receipt_page(form: ReceiptForm, site, status: int):
    if form.receipt.data:  # keep what was typed, but never more than a receipt's worth
        form.receipt.data = form.receipt.data[:40]
    return render_template("grievances/follow_up.html", form=form, site=site), status


def _back_to_receipt_entry(form: ReceiptForm, status: int):
    """A reply or answer whose receipt failed: show the receipt box with the error."""
    entry = ReceiptForm(formdata=None, receipt=form.receipt.data)
    entry.receipt.errors = list(form.receipt.errors)
    return _receipt_page(entry, None, status)


@bp.route("/follow-up", methods=["GET", "POST"], defaults={"code": None})
@bp.route("/s/<code>/follow-up", methods=["GET", "POST"])
@public
@lookup_limited
def follow_up(code: str | None):
    site = _site_from_address(code)
    form = ReceiptForm()
    if not form.validate_on_submit():
        return _receipt_page(form, site, 400 if form.is_submitted() else 200)
    grievance, receipt, status = _case_from_receipt(form)
    if grievance is None:
        return _receipt_page(form, site, status)
    return _thread(grievance, receipt, site)


@bp.post("/follow-up/reply")
@public
@lookup_limited
def reply():
    form = ReporterReplyForm()
    grievance, receipt, status = _case_from_receipt(form)
    if grievance is None:
        return _back_to_receipt_entry(form, status)
    if not form.validate():
        return _thread(grievance, receipt, None, status=400, reply_form=form)
    try:
        services.add_reporter_message(grievance, form.message.data)
    except services.GrievanceError:
        form.message.errors = [_("Write your message.")]
        return _thread(grievance, receipt, None, status=400, reply_form=form)
    return _thread(grievance, receipt, None, sent="reply")


@bp.post("/follow-up/feedback")
@public
@lookup_limited
def feedback():
    form = FeedbackForm()
    grievance, receipt, status = _case_from_receipt(form)
    if grievance is None:
        return _back_to_receipt_entry(form, status)
    if not form.validate():
        return _thread(grievance, receipt, None, status=400, feedback_form=form)
    try:
        services.record_satisfaction(grievance, form.satisfaction.data)
    except services.GrievanceError:
        return _thread(grievance, receipt, None, status=409)
    return _thread(grievance, receipt, None, sent="feedback")


def _remediation_line(grievance: Grievance):
    """What the reporter may read of the plans answering their case: one sentence, never the
    supplier's detail."""
    from portal.remediation import labels as plan_labels
    from portal.remediation import queries as plans

    state = plans.reporter_view(grievance.id)
    return plan_labels.REPORTER_REMEDIATION[state] if state else None
