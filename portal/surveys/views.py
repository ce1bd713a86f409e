"""Survey views: anonymous responding on /s/<code>, and campaign management for compliance."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from flask import (
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from portal import uploads
from portal.extensions import db, limiter
from portal.forms import options
from portal.i18n import current_language
from portal.i18n_review import status_label
from portal.listing import Listing
from portal.security import accepts_uploads, allow, public
from portal.suppliers import queries as supplier_queries
from portal.suppliers.services import normalise_site_code
from portal.surveys import bp, engine, queries, saq, services
from portal.surveys.forms import GROUP_LABELS, CampaignForm

SESSION_KEY = "survey"
DONE_KEY = "surveys_done"


def today():
    """UTC day: campaign windows and stored submission dates are whole days."""
    return datetime.now(UTC).date()


@bp.app_context_processor
def _helpers():
    return {"text_in": engine.text_in, "fill_in": engine.fill_in, "GROUP_LABELS": GROUP_LABELS}


# --- anonymous responding ------------------------------------------------------------------


def _site_and_campaign(code: str, campaign_id: int, *, fresh: bool = False):
    """The site and campaign of a responding URL; from the process's short-lived copy unless
    ``fresh`` (the pages that store or start something read the database)."""
    lookup = queries.site_campaign if fresh else queries.responding_site_campaign
    site, campaign = lookup(normalise_site_code(code), campaign_id) or abort(404)
    # Invited groups arrive through their campaign link, which marks the session.
    invited_only = campaign.stakeholder_group not in ("workers", "communities", "ngos")
    if invited_only and campaign.id not in session.get("invited", []):
        abort(404)
    g.context_languages = list(campaign.languages)
    return site, campaign


def _language(campaign) -> str:
    """The survey's language: asked for (``?lang=``, any content language), else the
    interface language, else the campaign's first."""
    chosen = current_language()  # also remembers an interface language asked for
    asked = request.args.get("lang", "").replace("-", "_")
    if asked in campaign.languages:
        return asked
    return chosen if chosen in campaign.languages else campaign.languages[0]


def _progress(campaign_id: int, site_id: int) -> dict | None:
    state = session.get(SESSION_KEY)
    if state and state.get("c") == campaign_id and state.get("s") == site_id:
        return state
    return None


@bp.route("/s/<code>/survey/<int:campaign_id>", methods=["GET", "POST"])
@public
def start(code: str, campaign_id: int):
    site, campaign = _site_and_campaign(code, campaign_id, fresh=request.method == "POST")
    spec = campaign.survey_version.spec()
    language = _language(campaign)
    state = campaign.state(today())
    if request.method == "POST" and state == "open":
        session[SESSION_KEY] = {
            "c": campaign.id,
            "s": site.id,
            "l": language,
            "a": {},
            "k": secrets.token_hex(8),
        }
        form = engine.build_form(spec)
        first = engine.relevant_screens(form, {}, today())[0]
        return redirect(
            url_for(".screen", code=site.code, campaign_id=campaign.id, number=first.index)
        )
    already = campaign.id in session.get(DONE_KEY, [])
    return render_template(
        "surveys/start.html",
        site=site,
        campaign=campaign,
        spec=spec,
        language=language,
        state=state,
        already=already,
        in_progress=_progress(campaign.id, site.id),
        screens=len(engine.build_form(spec).screens),
    )


def _positions(form, answers, number):
    screens = engine.relevant_screens(form, answers, today())
    indexes = [screen.index for screen in screens]
    return screens, indexes


@bp.route("/s/<code>/survey/<int:campaign_id>/q/<int:number>", methods=["GET", "POST"])
@public
def screen(code: str, campaign_id: int, number: int):
    site, campaign = _site_and_campaign(code, campaign_id)
    state = _progress(campaign.id, site.id)
    if state is None or campaign.state(today()) != "open":
        return redirect(url_for(".start", code=site.code, campaign_id=campaign.id))
    if request.args.get("lang") in campaign.languages:
        state["l"] = request.args["lang"]
        session.modified = True
    language = state["l"]
    form = engine.build_form(campaign.survey_version.spec())
    if not 0 <= number < len(form.screens):
        abort(404)
    if state.get("p") != number:
        state["p"] = number  # where "continue" takes the respondent back to
        session.modified = True
    formdata = request.form if request.method == "POST" else None
    result = engine.step(form, number, state["a"], formdata, language, today())
    if formdata is not None:
        state["a"] = result.answers
        session.modified = True

    def screen_url(index: int) -> str:
        return url_for(".screen", code=site.code, campaign_id=campaign.id, number=index)

    if result.same:
        return redirect(request.path)  # the same screen, with the questions now asked
    if result.go_to is not None:
        return redirect(screen_url(result.go_to))
    if result.done:
        return redirect(url_for(".finish", code=site.code, campaign_id=campaign.id))
    return (
        render_template(
            "surveys/screen.html",
            site=site,
            campaign=campaign,
            spec=form.spec,
            screen=form.screens[number],
            questions=result.shown,
            choices=result.choices,
            answers=result.answers,
            values=engine.with_calculations(form, result.answers, today()),
            errors=result.errors,
            language=language,
            position=result.position,
            total=result.total,
            back_url=screen_url(result.back) if result.back is not None else None,
        ),
        400 if result.errors else 200,
    )


@bp.route("/s/<code>/survey/<int:campaign_id>/finish", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["SURVEY_SUBMIT_RATE_LIMIT"], methods=["POST"])
def finish(code: str, campaign_id: int):
    site, campaign = _site_and_campaign(code, campaign_id, fresh=True)
    state = _progress(campaign.id, site.id)
    if state is None:
        return redirect(url_for(".start", code=site.code, campaign_id=campaign.id))
    form = engine.build_form(campaign.survey_version.spec())
    missing = engine.unanswered_required(form, state["a"], today())
    if missing:
        first = next(
            s.index for s in form.screens if any(q.name == missing[0] for q in s.questions)
        )
        return redirect(url_for(".screen", code=site.code, campaign_id=campaign.id, number=first))
    _screens, indexes = _positions(form, state["a"], len(form.screens))
    if request.method == "POST":
        if request.form.get("k") != state.get("k"):
            abort(400)  # a replayed or stale form: the one-time key no longer matches
        # Read before the commit expires them (reloading both cost two more statements).
        code, campaign_id = site.code, campaign.id
        try:
            services.submit_response(campaign, site, state["l"], state["a"], today())
        except services.ResponseRejected as error:
            if error.code == "closed":
                return redirect(url_for(".start", code=code, campaign_id=campaign_id))
            abort(400)
        session.pop(SESSION_KEY, None)
        session[DONE_KEY] = [*session.get(DONE_KEY, [])[-19:], campaign_id]
        return redirect(url_for(".thanks", code=code, campaign_id=campaign_id))
    return render_template(
        "surveys/finish.html",
        site=site,
        campaign=campaign,
        spec=form.spec,
        key=state["k"],
        language=state["l"],
        back=indexes[-1] if indexes else None,
        total=len(indexes),
    )


@bp.get("/s/<code>/survey/<int:campaign_id>/thanks")
@public
def thanks(code: str, campaign_id: int):
    site, campaign = _site_and_campaign(code, campaign_id)
    return render_template(
        "surveys/thanks.html", site=site, campaign=campaign, spec=campaign.survey_version.spec()
    )


@bp.get("/c/<token>")
@public
def invited(token: str):
    """Employees and investors reach their campaign through an unguessable link."""
    from sqlalchemy import select

    from portal.extensions import db
    from portal.surveys.models import Campaign

    campaign = db.session.scalar(select(Campaign).where(Campaign.token == token)) or abort(404)
    session["invited"] = [*session.get("invited", [])[-9:], campaign.id]
    if len(campaign.sites) == 1:
        return redirect(url_for(".start", code=campaign.sites[0].code, campaign_id=campaign.id))
    g.context_languages = list(campaign.languages)
    return render_template(
        "surveys/invited.html", campaign=campaign, spec=campaign.survey_version.spec()
    )


def site_actions(site):
    """The open campaigns of a site, offered on its public page."""
    from portal.hooks import SiteAction

    descriptions = {
        "workers": _l("For people who work at this site. Anonymous."),
        "communities": _l("For neighbours and local organisations. Anonymous."),
        "ngos": _l("For NGOs that know this site. Anonymous."),
    }
    actions = []
    for campaign in queries.open_public_campaigns(site.id, today()):
        spec = campaign.survey_version.spec()
        language = _language(campaign)
        actions.append(
            SiteAction(
                url=url_for("surveys.start", code=site.code, campaign_id=campaign.id),
                label=_("Answer a survey: %(title)s", title=engine.text_in(spec.title, language)),
                description=str(descriptions[campaign.stakeholder_group]),
                order=10,
            )
        )
    return actions


# --- compliance: surveys and campaigns -------------------------------------------------------


@bp.get("/campaigns")
@allow("compliance")
def campaigns():
    listing = Listing.from_request("surveys.campaigns", queries.CAMPAIGN_SORTS, "-dates")
    page = listing.paginate(queries.campaign_list(listing))
    return render_template("surveys/campaigns.html", page=page, listing=listing, today=today())


CAMPAIGN_ERRORS = {
    "window_order": _l("The last day must not be before the first day."),
    "languages": _l("Offer only languages the survey is written in."),
    "sites": _l("Choose at least one site."),
    "version_unknown": _l("Choose a survey."),
    "group_unknown": _l("Choose who answers."),
}


@bp.route("/campaigns/new", methods=["GET", "POST"])
@allow("compliance")
def campaign_new():
    form = CampaignForm()
    versions = queries.latest_versions()
    form.survey_version_id.choices = options(
        [
            (v.id, f"{engine.text_in(v.spec().title, current_language())} ({v.label})")
            for v in versions
        ]
    )
    form.site_ids.choices = options(
        [
            (site.id, f"{site.name} ({site.supplier.name})")
            for site in supplier_queries.visible_sites(current_user)
        ]
    )
    if request.method == "GET" and request.args.get("version", type=int):
        form.survey_version_id.data = request.args.get("version", type=int)  # from the library
    chosen = next((v for v in versions if v.id == form.survey_version_id.data), None)
    chosen = chosen or (versions[0] if versions else None)
    spec = chosen.spec() if chosen else None
    form.languages.choices = options([
        (code, status_label(code, spec.translations.get(code))) for code in spec.languages
    ] if spec else [])  # fmt: skip
    if request.method == "GET":
        form.opens_on.data = today()
        if chosen is not None:
            form.stakeholder_group.data = chosen.spec().audience
            form.languages.data = list(chosen.spec().languages)
    status = 200
    if form.validate_on_submit():
        try:
            campaign = services.create_campaign(
                services.CampaignData(
                    name=form.name.data.strip(),
                    survey_version_id=form.survey_version_id.data,
                    stakeholder_group=form.stakeholder_group.data,
                    site_ids=list(form.site_ids.data),
                    opens_on=form.opens_on.data,
                    closes_on=form.closes_on.data,
                    languages=list(form.languages.data),
                ),
                created_by_id=current_user.id,
            )
        except services.CampaignInvalid as error:
            field = {
                "window_order": form.closes_on,
                "languages": form.languages,
                "sites": form.site_ids,
            }.get(error.code, form.survey_version_id)
            field.errors = [*field.errors, CAMPAIGN_ERRORS[error.code]]
            status = 400
        else:
            flash(_("Campaign %(name)s created.", name=campaign.name), "success")
            return redirect(url_for(".campaign_detail", campaign_id=campaign.id))
    elif form.is_submitted():
        status = 400
    return render_template("surveys/campaign_form.html", form=form), status


@bp.get("/campaigns/<int:campaign_id>")
@allow("compliance")
def campaign_detail(campaign_id: int):
    campaign = queries.campaign_or_404(campaign_id)
    rows = queries.responses_by_site_and_day(campaign)
    per_site: dict[str, int] = {}
    per_day: dict = {}
    for _site_id, name, day, count in rows:
        per_site[name] = per_site.get(name, 0) + count
        per_day[day] = per_day.get(day, 0) + count
    return render_template(
        "surveys/campaign.html",
        campaign=campaign,
        spec=campaign.survey_version.spec(),
        per_site=per_site,
        per_day=sorted(per_day.items()),
        today=today(),
    )


@bp.post("/campaigns/<int:campaign_id>/close")
@allow("compliance")
def campaign_close(campaign_id: int):
    campaign = queries.campaign_or_404(campaign_id)
    services.close_campaign(campaign)
    flash(_("Campaign %(name)s is closed.", name=campaign.name), "success")
    return redirect(url_for(".campaign_detail", campaign_id=campaign.id))


# --- supplier self-assessment questionnaires -------------------------------------------------

SAQ_STATUS = {
    "draft": _l("in progress"),
    "submitted": _l("submitted, waiting for review"),
    "returned": _l("returned for changes"),
    "accepted": _l("accepted"),
}


@bp.app_context_processor
def _saq_helpers():
    return {"SAQ_STATUS": SAQ_STATUS}


def _saq_context(campaign_id: int, site_id: int):
    """The campaign and the supplier's own site (404 for anything outside its scope)."""
    campaign = queries.campaign_or_404(campaign_id)
    site = supplier_queries.site_for(current_user, site_id)
    if campaign.stakeholder_group != "suppliers" or site.id not in {s.id for s in campaign.sites}:
        abort(404)
    return campaign, site


@bp.get("/saq")
@allow("supplier", "compliance")
def saq_index():
    listing = Listing.from_request("surveys.saq_index", queries.SAQ_SORTS, "-due")
    page = listing.paginate(queries.saq_list(current_user, listing))
    return render_template("surveys/saq_index.html", page=page, listing=listing)


@bp.route("/saq/<int:campaign_id>/<int:site_id>/section/<int:number>", methods=["GET", "POST"])
@allow("supplier")
@accepts_uploads(3 * saq.UPLOAD_MAX_BYTES + 1024 * 1024)
def saq_section(campaign_id: int, site_id: int, number: int):
    campaign, site = _saq_context(campaign_id, site_id)
    response = saq.draft_for(campaign, site, current_user)
    form = engine.build_form(response.campaign_version_spec())
    if not 0 <= number < len(form.screens):
        abort(404)
    screen_ = form.screens[number]
    language = _language(campaign)
    errors: dict[str, str] = {}
    editable = response.status in saq.EDITABLE and campaign.state(today()) == "open"
    if request.method == "POST":
        if not editable:
            abort(409)
        errors = saq.save_section(response, screen_, request.form, language, current_user,
                                  today()).errors  # fmt: skip
        for question in screen_.questions:
            upload = request.files.get(question.name)
            if question.base_type != "file" or upload is None or not upload.filename:
                continue
            try:
                data = saq.read_upload(upload.stream)
                saq.attach_evidence(response, question.name, upload.filename, data, current_user)
            except saq.UploadRejected as error:
                errors[question.name] = error.message
        if not errors:
            flash(_("Saved."), "success")
            if request.form.get("action") == "next":
                later = [s.index for s in engine.relevant_screens(
                    form, saq.answers_of(response), today()) if s.index > number]  # fmt: skip
                target = (
                    url_for(".saq_section", campaign_id=campaign.id, site_id=site.id,
                            number=later[0]) if later
                    else url_for(".saq_review", campaign_id=campaign.id, site_id=site.id)
                )  # fmt: skip
                return redirect(target)
            return redirect(request.path)
    answers = saq.answers_of(response)
    if request.method == "POST":  # show what was typed next to its error
        answers.update({key: " ".join(request.form.getlist(key)) for key in request.form})
    shown, choices = engine.screen_content(form, screen_, answers, today())
    relevant = engine.relevant_screens(form, answers, today())
    return (
        render_template(
            "surveys/saq_section.html",
            campaign=campaign,
            site=site,
            response=response,
            spec=form.spec,
            screen=screen_,
            questions=shown,
            choices=choices,
            answers=answers,
            errors=errors,
            language=language,
            sections=relevant,
            number=number,
            evidence={item.question: item for item in response.evidence},
            editable=editable,
        ),
        400 if errors else 200,
    )


@bp.route("/saq/<int:campaign_id>/<int:site_id>/submit", methods=["GET", "POST"])
@allow("supplier")
def saq_review(campaign_id: int, site_id: int):
    campaign, site = _saq_context(campaign_id, site_id)
    response = saq.draft_for(campaign, site, current_user)
    form = engine.build_form(response.campaign_version_spec())
    missing = saq.missing_answers(response, today())
    if request.method == "POST":
        if response.status not in saq.EDITABLE or campaign.state(today()) != "open":
            abort(409)
        missing = saq.submit(response, today())
        if not missing:
            flash(_("Thank you. The questionnaire was submitted for review."), "success")
            return redirect(url_for(".saq_index"))
    language = _language(campaign)
    labels = {q.name: engine.text_in(q.label, language) for q in form.spec.questions if q.label}
    where = {q.name: s.index for s in form.screens for q in s.questions}
    return (
        render_template(
            "surveys/saq_review.html",
            campaign=campaign,
            site=site,
            response=response,
            spec=form.spec,
            missing=missing,
            labels=labels,
            where=where,
            language=language,
        ),
        400 if request.method == "POST" and missing else 200,
    )


def _evidence_or_404(evidence_id: int):
    from portal.surveys.models import Evidence

    evidence = db.session.get(Evidence, evidence_id) or abort(404)
    supplier_queries.site_for(current_user, evidence.response.site_id)  # 404 outside scope
    return evidence


@bp.get("/saq/evidence/<int:evidence_id>")
@allow("supplier", "compliance")
def saq_evidence(evidence_id: int):
    evidence = _evidence_or_404(evidence_id)
    return uploads.send(evidence)


@bp.post("/saq/evidence/<int:evidence_id>/delete")
@allow("supplier")
def saq_evidence_delete(evidence_id: int):
    evidence = _evidence_or_404(evidence_id)
    response = evidence.response
    if response.status not in saq.EDITABLE:
        abort(409)
    form = engine.build_form(response.campaign_version_spec())
    number = next(s.index for s in form.screens for q in s.questions
                  if q.name == evidence.question)  # fmt: skip
    saq.remove_evidence(response, evidence)
    flash(_("The file was removed."), "success")
    return redirect(url_for(".saq_section", campaign_id=response.campaign_id,
                            site_id=response.site_id, number=number))  # fmt: skip


@bp.route("/saq/submissions/<int:response_id>", methods=["GET", "POST"])
@allow("compliance")
def saq_submission(response_id: int):
    from portal.surveys.models import Response

    response = db.session.get(Response, response_id) or abort(404)
    if response.stakeholder_group != "suppliers":
        abort(404)
    problem = None
    if request.method == "POST":
        comment = (request.form.get("comment") or "").strip()
        try:
            if request.form.get("decision") == "accept":
                saq.accept(response)
                flash(_("The questionnaire was accepted."), "success")
            elif request.form.get("decision") == "return":
                if not comment:
                    problem = _("Say what the supplier should change.")
                elif len(comment) > 2000:
                    problem = _("The comment is too long (2,000 characters at most).")
                else:
                    saq.return_for_changes(response, comment)
                    flash(_("The questionnaire was returned to the supplier."), "success")
            else:
                abort(400)
        except saq.NotEditable:
            abort(409)
        if problem is None:
            return redirect(url_for(".saq_submission", response_id=response.id))
    spec = response.campaign_version_spec()
    language = current_language() if current_language() in spec.languages else spec.languages[0]
    return (
        render_template(
            "surveys/saq_submission.html",
            response=response,
            spec=spec,
            language=language,
            answers=saq.answers_of(response),
            evidence={e.question: e for e in response.evidence},
            problem=problem,
            comment=request.form.get("comment", ""),
        ),
        400 if problem else 200,
    )
