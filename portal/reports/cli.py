"""``flask --app portal reports ...``: evidence packs and the industry benchmark from a
shell (for a cron job, or a programme too large to wait for in a browser)."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

reports_cli = AppGroup("reports", help="Evidence packs and the industry benchmark.")


def _day(_ctx, _param, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise click.BadParameter("use YYYY-MM-DD") from error


@reports_cli.command("pack")
@click.option("--start", required=True, callback=_day, help="First day (YYYY-MM-DD).")
@click.option("--end", required=True, callback=_day, help="Last day (YYYY-MM-DD).")
@click.option("--supplier", default=None, help="Supplier name; the whole programme if absent.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Also copy the zip here.")  # fmt: skip
def pack_command(start: date, end: date, supplier: str | None, output: Path | None) -> None:
    """Build a CTPAT / UFLPA evidence pack (zip with a SHA-256 manifest) and print its path.

    The pack is also listed on /reports/packs for download."""
    from sqlalchemy import select

    from portal.extensions import db
    from portal.reports import pack
    from portal.suppliers.models import Supplier

    if start > end:
        raise click.BadParameter("--start must not be after --end")
    supplier_id = None
    if supplier:
        supplier_id = db.session.scalar(select(Supplier.id).where(Supplier.name == supplier))
        if supplier_id is None:
            raise click.BadParameter(f"no supplier named {supplier!r}", param_hint="--supplier")
    created = pack.create(supplier_id, start, end, None)
    with (
        current_app.test_request_context("/"),
        click.progressbar(length=100, label="Evidence pack") as bar,
    ):
        done = 0

        def step(_name: str, progress: int) -> None:
            nonlocal done
            bar.update(progress - done)
            done = progress

        built = pack.build(created, on_step=step)
        bar.update(100 - done)
    if built.status != "done":
        raise click.ClickException(f"the pack failed: {built.error}")
    path = pack.path_of(built)
    if output:
        shutil.copyfile(path, output)
        path = output
    click.echo(f"{path}  sha256 {built.sha256}  {built.size} bytes")


@reports_cli.command("benchmark")
@click.option("--start", required=True, callback=_day, help="First day (YYYY-MM-DD).")
@click.option("--end", required=True, callback=_day, help="Last day (YYYY-MM-DD).")
@click.option(
    "--output", type=click.File("w"), default="-", help="File to write (default: stdout)."
)
def benchmark_command(start: date, end: date, output) -> None:
    """Write the industry benchmark CSV: indicator rates by country × sector × group, only
    cells pooling at least 5 sites and 10 answers, no site or supplier names."""
    from portal.reports.benchmark import benchmark_csv

    output.write(benchmark_csv(start, end))


@reports_cli.command("import-benchmark")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--replace", is_flag=True, help="Drop every imported baseline first.")
def import_benchmark_command(path: Path, replace: bool) -> None:
    """Load a benchmark CSV as the external baseline of the scoring prior (country ×
    sector × group × indicator). Nothing is stored if any row is wrong."""
    from portal.reports.benchmark import import_benchmark

    with current_app.test_request_context("/"):
        result = import_benchmark(path.read_text("utf-8"), path.name, replace=replace)
    if result.errors:
        for error in result.errors[:50]:
            click.echo(error, err=True)
        raise click.ClickException(f"{len(result.errors)} problems: nothing was imported")
    click.echo(f"{result.loaded} baselines loaded from {path.name}")
