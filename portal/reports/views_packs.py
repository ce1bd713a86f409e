"""Evidence packs (built in the background, progress shown by a page that refreshes itself
without JavaScript) and the industry benchmark file: download, and import as baseline."""

from __future__ import annotations

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from portal import uploads
from portal.extensions import db
from portal.forms import options
from portal.reports import benchmark, bp, pack
from portal.reports.forms import BenchmarkImportForm, PackForm, PeriodForm
from portal.reports.labels import PACK_STATUS_LABELS
from portal.reports.models import EvidencePack
from portal.reports.services import ERRORS, MAX_PERIOD_DAYS
from portal.reports.views import last_quarter
from portal.risk.models import RiskBaseline
from portal.security import accepts_uploads, allow
from portal.suppliers.models import Supplier

BENCHMARK_MAX_BYTES = uploads.UPLOAD_MAX_BYTES


def _pack_form() -> PackForm:
    form = PackForm()
    form.supplier.choices = options(
        [("", _("The whole programme"))]
        + [
            (str(s.id), s.name)
            for s in db.session.scalars(select(Supplier).order_by(Supplier.name))
        ]
    )
    if request.method == "GET":
        form.period_start.data, form.period_end.data = last_quarter()
    return form


def _period_ok(form) -> bool:
    start, end = form.period_start.data, form.period_end.data
    if start > end or (end - start).days > MAX_PERIOD_DAYS:
        form.period_end.errors = [str(ERRORS["period"])]
        return False
    return True


def _packs_page(form: PackForm, status: int = 200):
    pack.mark_stale()
    packs = list(db.session.scalars(
        select(EvidencePack).order_by(EvidencePack.id.desc()).limit(50)
    ))  # fmt: skip
    return render_template("reports/packs.html", form=form, packs=packs,
                           STATUS=PACK_STATUS_LABELS), status  # fmt: skip


@bp.get("/reports/packs")
@allow("compliance")
def packs():
    return _packs_page(_pack_form())


@bp.post("/reports/packs")
@allow("compliance")
def pack_new():
    form = _pack_form()
    if not form.validate_on_submit() or not _period_ok(form):
        return _packs_page(form, 400)
    supplier_id = int(form.supplier.data) if form.supplier.data else None
    created = pack.create(supplier_id, form.period_start.data, form.period_end.data,
                          current_user)  # fmt: skip
    if current_app.config["REPORTS_PACK_IN_BACKGROUND"]:
        pack.start_in_background(created)
    else:
        pack.build(created)
    return redirect(url_for(".pack_page", pack_id=created.id))


def _pack(pack_id: int) -> EvidencePack:
    return db.session.get(EvidencePack, pack_id) or abort(404)


@bp.get("/reports/packs/<int:pack_id>")
@allow("compliance")
def pack_page(pack_id: int):
    item = _pack(pack_id)
    db.session.refresh(item)
    return render_template("reports/pack.html", pack=item, STATUS=PACK_STATUS_LABELS)


@bp.get("/reports/packs/<int:pack_id>/download")
@allow("compliance")
def pack_download(pack_id: int):
    item = _pack(pack_id)
    path = pack.path_of(item) if item.stored_name else None
    if item.status != "done" or path is None or not path.is_file():
        abort(404)
    scope = f"supplier-{item.supplier_id}" if item.supplier_id else "programme"
    name = f"evidence-pack-{scope}-{item.period_start}-{item.period_end}.zip"
    return send_file(path, mimetype="application/zip", as_attachment=True, download_name=name,
                     max_age=0)  # fmt: skip


@bp.get("/reports/benchmark")
@allow("compliance")
def benchmark_page(*, import_form=None, errors=(), status: int = 200):
    form = PeriodForm(formdata=None, meta={"csrf": False})
    form.period_start.data, form.period_end.data = last_quarter()
    baselines = list(db.session.scalars(
        select(RiskBaseline).order_by(RiskBaseline.country, RiskBaseline.sector,
                                      RiskBaseline.stakeholder_group, RiskBaseline.indicator)
    ))  # fmt: skip
    return render_template("reports/benchmark.html", form=form, baselines=baselines,
                           import_form=import_form or BenchmarkImportForm(formdata=None),
                           errors=errors, min_sites=benchmark.MIN_SITES), status  # fmt: skip


@bp.get("/reports/benchmark.csv")
@allow("compliance")
def benchmark_file():
    form = PeriodForm(request.args, meta={"csrf": False})
    if not form.validate() or not _period_ok(form):
        first = next(iter(form.errors.values()), [str(ERRORS["period"])])
        return render_template("reports/benchmark_error.html", message=first[0]), 400
    start, end = form.period_start.data, form.period_end.data
    return Response(benchmark.benchmark_csv(start, end), mimetype="text/csv",
                    headers={"Content-Disposition":
                             f'attachment; filename="benchmark-{start}-{end}.csv"'})  # fmt: skip


@bp.post("/reports/benchmark")
@allow("compliance")
@accepts_uploads(BENCHMARK_MAX_BYTES + 1024 * 1024)
def benchmark_import():
    form = BenchmarkImportForm()
    if not form.validate_on_submit():
        abort(400)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return benchmark_page(import_form=form, errors=[_("Choose a file.")], status=400)
    try:
        data = uploads.read_upload(upload.stream, BENCHMARK_MAX_BYTES)
        text = data.decode("utf-8")
    except uploads.UploadRejected as error:
        return benchmark_page(import_form=form, errors=[error.message], status=400)
    except UnicodeDecodeError:
        return benchmark_page(import_form=form, errors=[_("The file is not UTF-8 text (CSV).")],
                              status=400)  # fmt: skip
    result = benchmark.import_benchmark(text, upload.filename)
    if result.errors:
        return benchmark_page(import_form=form, errors=result.errors[:50], status=400)
    flash(_("%(num)s baselines loaded: scores of matching sites use them from now on.",
            num=result.loaded), "success")  # fmt: skip
    return redirect(url_for(".benchmark_page"))
