"""Export views: the list page and one download route for every export and format.

Thin: ``services`` prepares the rows and writes them; here only the request is read and the
streamed response assembled (CSV straight from the row generator, XLSX from a temporary file).
"""

from __future__ import annotations

from flask import Response, abort, current_app, render_template, request, stream_with_context
from flask_login import current_user
from sqlalchemy import select

from portal.db import utcnow
from portal.exports import bp, services
from portal.extensions import db
from portal.security import allow


@bp.get("/exports")
@allow("compliance")
def index():
    from portal.risk.models import RiskCell
    from portal.risk.signals import current_period

    periods = set(db.session.scalars(select(RiskCell.period).distinct()))
    periods.add(current_period())
    return render_template(
        "exports/index.html",
        exports=services.EXPORTS,
        periods=sorted(periods, reverse=True),
        current_period=current_period(),
    )


def _attachment(prepared: services.Prepared, fmt: str) -> dict[str, str]:
    parts = [prepared.name, prepared.label, utcnow().date().isoformat()]
    filename = "-".join(part for part in parts if part) + "." + fmt
    return {"Content-Disposition": f'attachment; filename="{filename}"'}


@bp.get("/exports/<name>.<fmt>")
@allow("compliance")
def download(name: str, fmt: str):
    if name not in services.EXPORTS or fmt not in services.FORMATS:
        abort(404)
    options = services.Options(
        user=current_user._get_current_object(),
        period=request.args.get("period"),
        free_text=request.args.get("free_text") == "1",
        batch_size=int(current_app.config["EXPORT_BATCH_SIZE"]),
    )
    try:
        prepared = services.prepare(name, options)
    except services.ExportError:
        abort(400)
    headers = _attachment(prepared, fmt)
    if fmt == "csv":
        return Response(
            stream_with_context(services.csv_stream(prepared)),
            mimetype="text/csv",
            headers=headers,
        )
    handle = services.xlsx_file(prepared, int(current_app.config["EXPORT_SPOOL_BYTES"]))
    headers["Content-Length"] = str(services.file_size(handle))
    response = Response(
        services.file_chunks(handle), mimetype=services.XLSX_MIMETYPE, headers=headers
    )
    response.call_on_close(handle.close)  # also when the download never starts
    return response
