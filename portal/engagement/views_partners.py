"""Partner organisations and the yearly engagement plan (compliance only)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from portal.audit import trail
from portal.engagement import bp, plan, queries, services
from portal.engagement.forms import FeedbackForm, PartnerForm, TargetForm
from portal.engagement.models import EngagementTarget
from portal.engagement.views import _split_countries, refusal
from portal.extensions import db
from portal.forms import options, query_int
from portal.security import allow
from portal.suppliers import queries as supplier_queries

# --- partners ---------------------------------------------------------------------------------


@bp.get("/engagement/partners")
@allow("compliance")
def partners():
    return render_template("engagement/partners.html", partners=queries.partners())


def _partner_form(partner=None) -> PartnerForm:
    from portal.accounts.models import User

    form = PartnerForm(obj=partner if request.method == "GET" else None)
    form.sites.choices = options([(s.id, f"{s.name} · {s.supplier.name}")
                          for s in supplier_queries.visible_sites(current_user)])  # fmt: skip
    monitors = db.session.scalars(db.select(User).where(User.role == "monitor").order_by(User.name))
    form.members.choices = options([(u.id, f"{u.name} <{u.email}>") for u in monitors])
    if request.method == "GET" and partner is not None:
        form.sites.data = [s.id for s in partner.sites]
        form.members.data = [u.id for u in partner.members]
        form.countries.data = ", ".join(partner.countries or [])
    return form


def _save_partner(form, partner=None):
    if not form.validate_on_submit():
        return None
    data = services.PartnerData(
        name=form.name.data, kind=form.kind.data, stakeholder_group=form.stakeholder_group.data,
        countries=_split_countries(form.countries.data), site_ids=form.sites.data or [],
        member_ids=form.members.data or [], contact_name=form.contact_name.data,
        contact_email=form.contact_email.data, contact_phone=form.contact_phone.data,
        website=form.website.data, description=form.description.data, active=form.active.data,
    )  # fmt: skip
    try:
        return services.save_partner(data, current_user, partner)
    except services.EngagementError as error:
        db.session.rollback()
        target = {"members": form.members, "country": form.countries,
                  "site": form.sites}.get(error.code, form.name)  # fmt: skip
        target.errors = [refusal(error)]
        return None


@bp.route("/engagement/partners/new", methods=["GET", "POST"])
@allow("compliance")
def partner_new():
    form = _partner_form()
    if _save_partner(form) is not None:
        flash(_("Organisation added."), "success")
        return redirect(url_for(".partners"))
    status = 400 if request.method == "POST" else 200
    return render_template("engagement/partner_form.html", form=form, partner=None), status


@bp.route("/engagement/partners/<int:partner_id>", methods=["GET", "POST"])
@allow("compliance")
def partner_edit(partner_id: int):
    partner = queries.partner_or_404(partner_id)
    form = _partner_form(partner)
    if _save_partner(form, partner) is not None:
        flash(_("Organisation saved."), "success")
        return redirect(url_for(".partners"))
    status = 400 if request.method == "POST" else 200
    return render_template("engagement/partner_form.html", form=form, partner=partner,
                           events=trail("partner", partner.id)), status  # fmt: skip


# --- the plan ---------------------------------------------------------------------------------


def _target_form() -> TargetForm:
    form = TargetForm()
    sites = supplier_queries.visible_sites(current_user)
    suppliers = sorted({(s.supplier.id, s.supplier.name) for s in sites}, key=lambda x: x[1])
    form.supplier.choices = options([(0, _("Every site")), *suppliers])
    return form


@bp.route("/engagement/plan", methods=["GET", "POST"])
@allow("compliance")
def plan_page():
    year = request.args.get("year", type=query_int) or services.today().year
    year = year if 2000 <= year <= 2100 else services.today().year
    form = _target_form()
    status = 200
    if request.method == "GET":
        form.year.data = year
    elif form.validate_on_submit():
        data = services.TargetData(
            year=form.year.data, stakeholder_group=form.stakeholder_group.data,
            area=form.area.data, kind=form.kind.data, count=form.count.data,
            per_site=form.per_site.data, supplier_id=form.supplier.data or None,
            due_on=form.due_on.data, note=form.note.data,
        )  # fmt: skip
        try:
            services.add_target(data, current_user)
        except services.EngagementError as error:
            db.session.rollback()
            form.count.errors = [refusal(error)]
            status = 409
        else:
            flash(_("Target added."), "success")
            return redirect(url_for(".plan_page", year=form.year.data))
    else:
        status = 400
    return render_template("engagement/plan.html", form=form, year=year,
                           progress=plan.progress(current_user, year)), status  # fmt: skip


@bp.post("/engagement/plan/<int:target_id>/delete")
@allow("compliance")
def target_delete(target_id: int):
    target = db.session.get(EngagementTarget, target_id) or abort(404)
    form = FeedbackForm(prefix=f"target-{target.id}")
    if not form.validate():
        abort(400)
    year = target.year
    services.delete_target(target, current_user)
    flash(_("Target removed."), "success")
    return redirect(url_for(".plan_page", year=year))
