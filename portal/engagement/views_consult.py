"""Consultation views: compliance drafts, opens, reads, answers and publishes; suppliers and
monitors comment signed in; workers and communities comment anonymously on the site's public
page (no JavaScript, nothing about the client stored); anyone reads the published outcome."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from portal.audit import trail
from portal.engagement import bp, consult, queries, services
from portal.engagement.forms import (
    CommentForm,
    ConsultationForm,
    FileCommentForm,
    PublishForm,
    RespondForm,
    StatusForm,
    ThemeForm,
)
from portal.engagement.models import ConsultationComment, ConsultationTheme
from portal.engagement.views import refusal
from portal.extensions import db, limiter
from portal.forms import options
from portal.i18n import LANGUAGES
from portal.risk.catalogue import ANONYMOUS_GROUPS
from portal.risk.suppression import PUBLIC_THRESHOLD, STAFF_THRESHOLD
from portal.security import allow, public
from portal.suppliers import queries as supplier_queries

SIGNED = ("compliance", "supplier", "monitor")


def _language() -> str:
    return str(get_locale() or "en")


@bp.get("/engagement/consultations")
@allow(*SIGNED)
def consultations():
    return render_template("engagement/consultations.html",
                           consultations=queries.consultations_for(current_user),
                           today=services.today())  # fmt: skip


def _consultation_form(consultation=None) -> ConsultationForm:
    form = ConsultationForm()
    form.sites.choices = options([(s.id, f"{s.name} · {s.supplier.name}")
                          for s in supplier_queries.visible_sites(current_user)])  # fmt: skip
    if request.method == "GET" and consultation is not None:
        for name in ("document_kind", "groups", "languages", "areas", "opens_on", "closes_on"):
            form[name].data = getattr(consultation, name)
        form.sites.data = [s.id for s in consultation.sites]
        for code, texts in (consultation.draft or {}).items():
            for part in ("title", "body", "question"):
                if f"{part}_{code}" in form:
                    form[f"{part}_{code}"].data = texts.get(part)
    elif request.method == "GET":
        form.opens_on.data = services.today()
        form.languages.data = ["en"]
    return form


def _texts(form, parts, languages) -> dict:
    return {code: {part: form[f"{part}_{code}"].data or "" for part in parts}
            for code in languages if code in LANGUAGES}  # fmt: skip


def _save(form, consultation=None):
    if not form.validate_on_submit():
        return None
    # Languages in the order the form lists them, with the draft's language first.
    chosen = form.languages.data or []
    data = consult.ConsultationData(
        document_kind=form.document_kind.data, groups=form.groups.data or [],
        site_ids=form.sites.data or [], languages=chosen, opens_on=form.opens_on.data,
        closes_on=form.closes_on.data, areas=form.areas.data or [],
        texts=_texts(form, ("title", "body", "question"), chosen),
    )  # fmt: skip
    try:
        return consult.save_consultation(data, current_user, consultation)
    except services.EngagementError as error:
        db.session.rollback()
        first = chosen[0] if chosen and chosen[0] in LANGUAGES else "en"
        targets = {"groups": form.groups, "languages": form.languages,
                   "window_order": form.closes_on, "consultation_sites": form.sites,
                   "site": form.sites, "draft_text": form[f"body_{first}"]}  # fmt: skip
        target = targets.get(error.code, form.document_kind)
        target.errors = [refusal(error)]
        return None


@bp.route("/engagement/consultations/new", methods=["GET", "POST"])
@allow("compliance")
def consultation_new():
    form = _consultation_form()
    saved = _save(form)
    if saved is not None:
        flash(_("Consultation saved as a draft. Open it when the texts are ready."), "success")
        return redirect(url_for(".consultation", consultation_id=saved.id))
    status = 400 if request.method == "POST" else 200
    return render_template("engagement/consultation_form.html", form=form, consultation=None,
                           LANGUAGES=LANGUAGES), status  # fmt: skip


@bp.route("/engagement/consultations/<int:consultation_id>/edit", methods=["GET", "POST"])
@allow("compliance")
def consultation_edit(consultation_id: int):
    consultation = queries.consultation_for(current_user, consultation_id)
    if consultation.status == "published":
        abort(409)
    form = _consultation_form(consultation)
    saved = _save(form, consultation)
    if saved is not None:
        flash(_("Consultation saved."), "success")
        return redirect(url_for(".consultation", consultation_id=saved.id))
    status = 400 if request.method == "POST" else 200
    return render_template("engagement/consultation_form.html", form=form,
                           consultation=consultation, LANGUAGES=LANGUAGES), status  # fmt: skip


def consultation_page(consultation, *, status: int = 200, **forms):
    staff = current_user.role == "compliance"
    reading = consult.comments_for(consultation) if staff else None
    publish_form = forms.pop("publish_form", None) or PublishForm(prefix="publish")
    if staff and request.method == "GET":
        for code in consultation.languages:
            draft = (consultation.draft or {}).get(code) or {}
            publish_form[f"body_{code}"].data = draft.get("body")
    mine = [] if staff else list(db.session.scalars(db.select(ConsultationComment).where(
        ConsultationComment.consultation_id == consultation.id,
        ConsultationComment.user_id == current_user.id)))  # fmt: skip
    comment_form = forms.pop("comment_form", None) or CommentForm(prefix="comment")
    my_sites = queries.my_sites_in(consultation, current_user)
    comment_form.site.choices = options(
        [(0, _("All my sites"))] + [(s.id, s.name) for s in my_sites]
    )
    context = {
        "consultation": consultation, "reading": reading, "staff": staff, "mine": mine,
        "threshold": STAFF_THRESHOLD, "language": _language(), "publish_form": publish_form,
        "comment_form": comment_form, "status_form": StatusForm(prefix="status"),
        "theme_form": forms.pop("theme_form", None) or ThemeForm(prefix="theme"),
        "respond_forms": {t.id: RespondForm(prefix=f"respond-{t.id}", obj=t)
                          for t in consultation.themes},
        "file_form": FileCommentForm(prefix="file"), "LANGUAGES": LANGUAGES,
        "events": trail("consultation", consultation.id) if staff else [],
        "group": consult.signed_in_group(current_user), "today": services.today(), **forms,
    }  # fmt: skip
    return render_template("engagement/consultation.html", **context), status


@bp.get("/engagement/consultations/<int:consultation_id>")
@allow(*SIGNED)
def consultation(consultation_id: int):
    return consultation_page(queries.consultation_for(current_user, consultation_id))


def _back(consultation):
    return redirect(url_for(".consultation", consultation_id=consultation.id))


@bp.post("/engagement/consultations/<int:consultation_id>/status")
@allow("compliance")
def consultation_status(consultation_id: int):
    consultation = queries.consultation_for(current_user, consultation_id)
    form = StatusForm(prefix="status")
    if not form.validate():
        message = refusal(services.EngagementError("transition"))
        return consultation_page(consultation, status=400, status_error=message)
    try:
        consult.change_status(consultation, current_user, form.status.data)
    except services.EngagementError as error:
        db.session.rollback()
        return consultation_page(consultation, status=409, status_error=refusal(error))
    flash(_("Status changed."), "success")
    return _back(consultation)


@bp.post("/engagement/consultations/<int:consultation_id>/themes")
@allow("compliance")
def consultation_theme(consultation_id: int):
    consultation = queries.consultation_for(current_user, consultation_id)
    form = ThemeForm(prefix="theme")
    if not form.validate():
        return consultation_page(consultation, status=400, theme_form=form)
    try:
        consult.add_theme(consultation, current_user, form.title.data)
    except services.EngagementError as error:
        db.session.rollback()
        form.title.errors = [refusal(error)]
        return consultation_page(consultation, status=409, theme_form=form)
    flash(_("Theme added."), "success")
    return _back(consultation)


def _theme_of(consultation, theme_id: int) -> ConsultationTheme:
    return next((t for t in consultation.themes if t.id == theme_id), None) or abort(404)


@bp.post("/engagement/consultations/<int:consultation_id>/comments/<int:comment_id>")
@allow("compliance")
def consultation_file(consultation_id: int, comment_id: int):
    consultation = queries.consultation_for(current_user, consultation_id)
    comment = db.session.get(ConsultationComment, comment_id)
    if comment is None or comment.consultation_id != consultation.id:
        abort(404)
    form = FileCommentForm(prefix="file")
    theme = None
    if form.validate() and form.theme.data:
        theme = next((t for t in consultation.themes if t.id == form.theme.data), None)
    if not form.validate() or (form.theme.data and theme is None):
        return consultation_page(consultation, status=400, file_error=(
            comment.id, refusal(services.EngagementError("unknown_choice"))))  # fmt: skip
    consult.file_comment(comment, theme, current_user)
    return redirect(url_for(".consultation", consultation_id=consultation.id,
                            _anchor=f"comment-{comment.id}"))  # fmt: skip


@bp.post("/engagement/consultations/<int:consultation_id>/themes/<int:theme_id>")
@allow("compliance")
def consultation_respond(consultation_id: int, theme_id: int):
    consultation = queries.consultation_for(current_user, consultation_id)
    theme = _theme_of(consultation, theme_id)
    form = RespondForm(prefix=f"respond-{theme.id}")
    if not form.validate():
        errors = [e for field in form for e in field.errors]
        return consultation_page(consultation, status=400,
                                 respond_error=(theme.id, " ".join(map(str, errors))))  # fmt: skip
    try:
        consult.respond(theme, current_user, form.response.data, form.changed.data)
    except services.EngagementError as error:
        db.session.rollback()
        return consultation_page(consultation, status=409,
                                 respond_error=(theme.id, refusal(error)))  # fmt: skip
    flash(_("Response saved."), "success")
    return _back(consultation)


@bp.post("/engagement/consultations/<int:consultation_id>/publish")
@allow("compliance")
def consultation_publish(consultation_id: int):
    consultation = queries.consultation_for(current_user, consultation_id)
    form = PublishForm(prefix="publish")
    if consultation.status != "closed":
        message = refusal(services.EngagementError("publish_closed"))
        return consultation_page(consultation, status=409, publish_error=message)
    if not form.validate():
        return consultation_page(consultation, status=400, publish_form=form)
    try:
        consult.publish(consultation, current_user,
                        _texts(form, ("body", "changes"), consultation.languages))  # fmt: skip
    except services.EngagementError as error:
        db.session.rollback()
        return consultation_page(consultation, status=409, publish_form=form,
                                 publish_error=refusal(error))  # fmt: skip
    flash(_("Revision published. Its public page is linked below."), "success")
    return _back(consultation)


@bp.post("/engagement/consultations/<int:consultation_id>/comment")
@allow("supplier", "monitor")
def consultation_comment(consultation_id: int):
    """A signed-in comment: the supplier's, or a monitor's for its organisation."""
    consultation = queries.consultation_for(current_user, consultation_id)
    form = CommentForm(prefix="comment")
    my_sites = queries.my_sites_in(consultation, current_user)
    form.site.choices = options([(0, "")] + [(s.id, s.name) for s in my_sites])
    if not form.validate():
        return consultation_page(consultation, status=400, comment_form=form)
    site = next((s for s in my_sites if s.id == form.site.data), None)
    if form.site.data and site is None:
        abort(404)
    try:
        consult.add_comment(consultation, group=consult.signed_in_group(current_user),
                            body=form.comment.data, language=_language(), site=site,
                            user=current_user)  # fmt: skip
    except services.EngagementError as error:
        db.session.rollback()
        form.comment.errors = [refusal(error)]
        return consultation_page(consultation, status=409, comment_form=form)
    flash(_("Thank you. Your comment was sent."), "success")
    return _back(consultation)


# --- the public pages -------------------------------------------------------------------------


def _comment_limit() -> str:
    return current_app.config["CONSULTATION_COMMENT_RATE_LIMIT"]


def _public_consultation(code: str, consultation_id: int):
    site = supplier_queries.site_by_code(code.upper()) or abort(404)
    found = next((c for c in consult.open_for(site) if c.id == consultation_id), None)
    return site, found


@bp.route("/s/<code>/consultations/<int:consultation_id>", methods=["GET", "POST"])
@public
@limiter.limit(_comment_limit, methods=["POST"])
def comment(code: str, consultation_id: int):
    """The draft and the comment form, anonymous. Nothing about the visitor is kept."""
    site, consultation = _public_consultation(code, consultation_id)
    if consultation is None:
        return render_template("engagement/comment_closed.html", site=site), 404
    groups = [g for g in consultation.groups if g in ANONYMOUS_GROUPS]
    form = CommentForm()
    from portal.surveys.forms import GROUP_LABELS

    form.group.choices = options([(g, GROUP_LABELS[g]) for g in groups])
    if len(groups) == 1 and request.method == "GET":
        form.group.data = groups[0]
    del form.site
    status = 200
    if form.validate_on_submit():
        try:
            consult.add_comment(consultation, group=form.group.data or "", body=form.comment.data,
                                language=_language(), site=site)  # fmt: skip
        except services.EngagementError as error:
            db.session.rollback()
            field = form.group if error.code == "group" else form.comment
            field.errors = [refusal(error)]
            status = 400
        else:
            return redirect(url_for(".comment_sent", code=site.code))
    elif form.is_submitted():
        status = 400
    return render_template("engagement/comment.html", site=site, consultation=consultation,
                           form=form, language=_language()), status  # fmt: skip


@bp.get("/s/<code>/consultations/sent")
@public
def comment_sent(code: str):
    site = supplier_queries.site_by_code(code.upper()) or abort(404)
    return render_template("engagement/comment_sent.html", site=site)


@bp.get("/consultations/<int:consultation_id>")
@public
def outcome(consultation_id: int):
    """The published revision: what changed, each theme and its response, and how many
    comments came from each group (counts under 10 are not shown)."""
    consultation = queries.published(consultation_id)
    reading = consult.comments_for(consultation)
    counts = dict(reading.counts)
    shown = {g: (n if n >= PUBLIC_THRESHOLD else None) for g, n in counts.items()}
    hidden = sum(1 for n in shown.values() if n is None)
    # One hidden group: the total would give it back; a small total is itself a small count.
    total = reading.total if hidden != 1 and reading.total >= PUBLIC_THRESHOLD else None
    theme_counts = {}
    for section in reading.sections:
        for item in section.comments:
            if item.theme_id:
                theme_counts[item.theme_id] = theme_counts.get(item.theme_id, 0) + 1
    return render_template("engagement/outcome.html", consultation=consultation,
                           shown=shown, total=total, threshold=PUBLIC_THRESHOLD,
                           theme_counts=theme_counts, language=_language())  # fmt: skip
