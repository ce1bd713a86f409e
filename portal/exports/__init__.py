"""Compliance data exports (DESIGN §9): answers, signals and the case register as CSV or XLSX,
streamed row by row, with small-group suppression applied and a data dictionary alongside;
the answers of one survey version also wide (one row per response) for statistics programs:
CSV, XLSX, Stata, SPSS and Parquet."""

from flask import Blueprint

bp = Blueprint("exports", __name__, template_folder="templates")

#: Settings of this package; instance config or ``PORTAL_<NAME>`` variables override them.
DEFAULTS = {
    # Responses fetched per batch while streaming (answers are read for one batch at a time).
    "EXPORT_BATCH_SIZE": 500,
    # A Stata file is written into a temporary file that stays in memory up to this size.
    "EXPORT_SPOOL_BYTES": 4 * 1024 * 1024,
    # Responses per Parquet row group (a group is gathered in memory, then sent).
    "EXPORT_PARQUET_ROWS": 5_000,
    # An SPSS file is built as a whole data frame (by a process of its own): a version with
    # more responses than this is refused as SPSS (Stata, Parquet and CSV have no limit).
    "EXPORT_FRAME_MAX_RESPONSES": 150_000,
}


def init_app(app) -> None:
    """Register configuration defaults and the navigation entry."""
    from flask_babel import lazy_gettext as _l

    from portal.hooks import NavItem, register_nav

    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    register_nav(app, NavItem("exports.index", _l("Exports"), frozenset({"compliance"}), order=30))


from portal.exports import views  # noqa: E402,F401
