from __future__ import annotations

from datetime import date

import segno
from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select

from portal.extensions import db
from portal.forms import query_int
from portal.i18n import LANGUAGES
from portal.listing import Listing
from portal.security import allow, scoped
from portal.suppliers import bp, queries, services
from portal.suppliers.forms import SiteForm, SupplierForm
from portal.suppliers.models import Site, Supplier


@bp.app_context_processor
def _helpers():
    return {"SECTORS": services.SECTORS, "country_name": services.country_name}


# --- suppliers -------------------------------------------------------------------------------


@bp.get("/suppliers")
@allow("compliance")
def suppliers():
    listing = Listing.from_request("suppliers.suppliers", queries.SUPPLIER_SORTS, "name")
    page = listing.paginate(queries.supplier_list(current_user, listing))
    return render_template("suppliers/suppliers.html", page=page, listing=listing)


def _supplier_data(form: SupplierForm) -> services.SupplierData:
    return services.SupplierData(
        name=form.name.data.strip(),
        country=form.country.data,
        contact_name=(form.contact_name.data or "").strip() or None,
        contact_email=(form.contact_email.data or "").strip().lower() or None,
    )


def _save_supplier(form: SupplierForm, supplier: Supplier | None):
    try:
        if supplier is None:
            supplier = services.create_supplier(_supplier_data(form))
        else:
            services.update_supplier(supplier, _supplier_data(form))
    except services.DuplicateName:
        form.name.errors.append(_l("A supplier with this name already exists."))
        return None
    flash(_("Supplier %(name)s saved.", name=supplier.name), "success")
    return redirect(url_for("suppliers.supplier_detail", supplier_id=supplier.id))


@bp.route("/suppliers/new", methods=["GET", "POST"])
@allow("compliance")
def supplier_new():
    form = SupplierForm()
    if form.validate_on_submit() and (done := _save_supplier(form, None)):
        return done
    status = 400 if form.is_submitted() else 200
    return render_template("suppliers/supplier_form.html", form=form, supplier=None), status


@bp.get("/suppliers/<int:supplier_id>")
@allow("compliance", "supplier")
def supplier_detail(supplier_id: int):
    supplier = queries.supplier_for(current_user, supplier_id)
    sites = queries.visible_sites(current_user, supplier_id=supplier.id)
    return render_template("suppliers/supplier.html", supplier=supplier, sites=sites)


@bp.route("/suppliers/<int:supplier_id>/edit", methods=["GET", "POST"])
@allow("compliance")
def supplier_edit(supplier_id: int):
    supplier = queries.supplier_for(current_user, supplier_id)
    form = SupplierForm(obj=supplier)
    if form.validate_on_submit() and (done := _save_supplier(form, supplier)):
        return done
    status = 400 if form.is_submitted() else 200
    return render_template("suppliers/supplier_form.html", form=form, supplier=supplier), status


# --- sites -----------------------------------------------------------------------------------


@bp.get("/sites")
@allow("compliance", "supplier", "monitor")
def sites():
    listing = Listing.from_request("suppliers.sites", queries.SITE_SORTS, "supplier")
    filters = {key: request.args.get(key, "").strip() for key in ("country", "sector")}
    supplier_filter = request.args.get("supplier", type=query_int)
    stmt = queries.site_list(current_user, listing.q, supplier=supplier_filter, **filters)
    page = listing.paginate(listing.order(stmt, Site.id))
    countries_present = sorted(
        set(
            db.session.scalars(
                scoped(select(Site.country).distinct(), current_user, site_id=Site.id)
            )
        )
    )
    return render_template(
        "suppliers/sites.html",
        page=page,
        listing=listing,
        filters=filters,
        supplier_filter=supplier_filter,
        countries_present=countries_present,
    )


def _site_data(form: SiteForm) -> services.SiteData:
    return services.SiteData(
        supplier_id=form.supplier_id.data,
        name=form.name.data.strip(),
        country=form.country.data,
        sector=form.sector.data,
        headcount=form.headcount.data,
        languages=list(form.languages.data),
        locality=(form.locality.data or "").strip() or None,
    )


def _save_site(form: SiteForm, site: Site | None):
    if not form.supplier_id.data:
        form.supplier_id.errors.append(_l("Choose a supplier."))
        return None
    try:
        if site is None:
            site = services.create_site(_site_data(form))
        else:
            services.update_site(site, _site_data(form))
    except services.DuplicateName:
        form.name.errors.append(_l("This supplier already has a site with this name."))
        return None
    flash(_("Site %(name)s saved.", name=site.name), "success")
    return redirect(url_for("suppliers.site_detail", site_id=site.id))


@bp.route("/sites/new", methods=["GET", "POST"])
@allow("compliance")
def site_new():
    form = SiteForm(suppliers=queries.all_suppliers())
    if request.method == "GET":
        form.supplier_id.data = request.args.get("supplier", type=query_int) or 0
    if form.validate_on_submit() and (done := _save_site(form, None)):
        return done
    status = 400 if form.is_submitted() else 200
    return render_template("suppliers/site_form.html", form=form, site=None), status


@bp.get("/sites/<int:site_id>")
@allow("compliance", "supplier", "monitor")
def site_detail(site_id: int):
    site = queries.site_for(current_user, site_id)
    return render_template("suppliers/site.html", site=site, public_url=public_site_url(site))


@bp.route("/sites/<int:site_id>/edit", methods=["GET", "POST"])
@allow("compliance")
def site_edit(site_id: int):
    site = queries.site_for(current_user, site_id)
    form = SiteForm(obj=site, suppliers=queries.all_suppliers())
    if form.validate_on_submit() and (done := _save_site(form, site)):
        return done
    status = 400 if form.is_submitted() else 200
    return render_template("suppliers/site_form.html", form=form, site=site), status


def public_site_url(site: Site) -> str:
    base = current_app.config.get("PUBLIC_BASE_URL") or request.host_url
    return base.rstrip("/") + url_for("public.site", code=site.code)


@bp.get("/sites/<int:site_id>/poster")
@allow("compliance", "supplier", "monitor")
def site_poster(site_id: int):
    site = queries.site_for(current_user, site_id)
    url = public_site_url(site)
    qr = segno.make(url, error="m")
    svg = qr.svg_inline(scale=1, border=2, omitsize=True, title=url)
    languages = [code for code in site.languages if code in LANGUAGES] or ["en"]
    blocks = []
    for code in languages:
        with force_locale(code):
            html = render_template("suppliers/_poster_text.html", code=code, site=site)
            blocks.append({"code": code, "html": Markup(html)})  # noqa: S704 (autoescaped template output)
    if not blocks:
        abort(404)
    if site.poster_opened_on != date.today():
        site.poster_opened_on = date.today()
        db.session.commit()
    return render_template(
        "suppliers/poster.html",
        site=site,
        qr_svg=svg,
        short_url=url.split("://", 1)[-1],
        blocks=blocks,
    )
