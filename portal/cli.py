"""``flask --app portal <command>``: demo data, staff users, translation catalogs, and
backup, restore and retention purge (logic in ``portal.maintenance.services``)."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

users_cli = AppGroup("users", help="Create and manage staff accounts.")
risk_cli = AppGroup("risk", help="Maintain the risk rollups behind signals and dashboards.")


@risk_cli.command("rebuild")
def risk_rebuild() -> None:
    """Recount every rollup from the stored answers (after a bulk load or for repairs).

    Submissions keep the rollups up to date by themselves. Do not run it after a retention
    purge: the rollups would lose the counts of the purged answers, which they must keep."""
    import sys

    from portal.risk import rebuild, rollup

    total = rebuild.complete_responses()
    with click.progressbar(length=total, label="Recounting responses", file=sys.stderr) as bar:
        counted = rollup.rebuild(progress=bar.update)
    click.echo(f"Counted {counted:,} responses.")


@click.command("demo")
@with_appcontext
@click.option(
    "--if-new",
    is_flag=True,
    help="Only load the demo when the database has no users yet (used by 'make run').",
)
@click.option(
    "--responses",
    default=600,
    show_default=True,
    type=click.IntRange(0, 2_000_000),
    help="Simulated worker survey responses, spread over the sites by headcount.",
)
@click.option("--seed", default=2026, show_default=True, help="Random seed of the simulation.")
def demo_command(if_new: bool, responses: int, seed: int) -> None:
    """Load the demonstration data set and print the demo logins.

    One buying company, 9 suppliers and 15 sites in 9 countries with their workers'
    languages, one account per role, the shipped surveys deployed as campaigns, and simulated
    answers submitted through the same code as real ones (a few sites planted with high risk),
    grievance cases at different steps, and corrective action plans in every status (one
    verified by a pulse survey whose signal fell, one verified while workers still report the
    problem), a year of engagement activities, half a year of earlier resolved cases and a
    bilingual draft public report with a partner's comment. Running it again creates nothing
    twice.
    """
    from portal.demo import (
        build_demo,
        build_demo_cases,
        database_is_new,
        demo_logins,
        deploy_surveys,
    )
    from portal.engagement.demo import build_demo_engagement
    from portal.remediation.demo import build_demo_plans
    from portal.reports.demo import EARLIER_CASES, build_demo_reports

    if if_new and not database_is_new():
        click.echo("The database already has accounts; demo data not loaded again.")
    else:
        counts = build_demo()
        counts.update(deploy_surveys(responses, seed))
        counts["cases"] = build_demo_cases()
        counts["plans"] = build_demo_plans(seed)
        counts["activities"] = build_demo_engagement(seed)
        counts["reports"] = build_demo_reports(seed)
        counts["cases"] += EARLIER_CASES if counts["reports"] else 0
        click.echo(
            "Demo data ready: {suppliers} suppliers, {sites} sites, {users} demo accounts, "
            "{campaigns} campaigns, {responses} new simulated responses, "
            "{cases} new grievance cases, {plans} new corrective action plans, "
            "{activities} engagement activities, {reports} draft public report.".format(**counts)
        )
    click.echo(demo_logins_table(demo_logins()))


def demo_logins_table(logins) -> str:
    """The demo logins as a table with headings, columns as wide as their widest cell."""
    rows = [("Role", "Email", "Password", "Sees")]
    rows += [(login.role, login.email, login.password, login.scope) for login in logins]
    widths = [max(len(row[column]) for row in rows) for column in range(4)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
             for row in rows]  # fmt: skip
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\nDemo logins (http://127.0.0.1:5000/login):\n" + "\n".join(
        "  " + line.rstrip() for line in lines
    )


@users_cli.command("create")
@click.option("--email", required=True, help="Login email address.")
@click.option("--name", required=True, help="Display name.")
@click.option(
    "--role",
    required=True,
    type=click.Choice(["admin", "compliance", "supplier", "monitor"]),
    help="admin: users and settings; compliance: everything about sites; "
    "supplier: one supplier's sites; monitor: assigned sites.",
)
@click.option("--supplier", help="Supplier name or id (required for --role supplier).")
@click.option(
    "--site", "sites", multiple=True, help="Site code to assign (monitors; repeat the option)."
)
@click.option("--locale", help="Preferred language code, e.g. en, ar, zh_Hans.")
@click.password_option(help="Initial password (prompted, twice, when omitted).")
def users_create(email, name, role, supplier, sites, locale, password) -> None:
    """Create a staff account."""
    from portal.accounts import services
    from portal.extensions import db
    from portal.suppliers.models import Site, Supplier

    supplier_id = None
    if supplier:
        found = db.session.scalar(
            select(Supplier).where(
                (Supplier.id == int(supplier))
                if supplier.isdigit()
                else (Supplier.name == supplier)
            )
        )
        if found is None:
            raise click.BadParameter(f"no supplier {supplier!r}", param_hint="--supplier")
        supplier_id = found.id
    site_ids = []
    for code in sites:
        site = db.session.scalar(select(Site).where(Site.code == code.upper()))
        if site is None:
            raise click.BadParameter(f"no site with code {code!r}", param_hint="--site")
        site_ids.append(site.id)
    try:
        user = services.create_user(
            services.UserData(
                email=email,
                name=name,
                role=role,
                supplier_id=supplier_id,
                site_ids=site_ids,
                locale=locale,
            ),
            password,
        )
    except services.AccountError as error:
        raise click.ClickException(_CLI_ERRORS.get(error.code, error.code)) from None
    click.echo(f"Created {user.role} account {user.email}.")


_CLI_ERRORS = {
    "password_short": "password too short (at least 10 characters)",
    "password_long": "password too long (at most 128 characters)",
    "password_is_email": "the password must not be the email address",
    "email_taken": "another account already uses this email address",
    "supplier_required": "--supplier is required for supplier accounts",
    "locale_unknown": "unknown --locale",
}


@users_cli.command("list")
def users_list() -> None:
    """List staff accounts."""
    from portal.accounts.models import User
    from portal.extensions import db

    for user in db.session.scalars(select(User).order_by(User.role, User.email)):
        scope = user.supplier.name if user.supplier else ", ".join(s.code for s in user.sites)
        state = "" if user.active else " (inactive)"
        click.echo(f"{user.role:<11} {user.email:<32} {scope}{state}")


@users_cli.command("set-password")
@click.argument("email")
@click.password_option(help="New password (prompted, twice, when omitted).")
def users_set_password(email, password) -> None:
    """Set a new password for EMAIL and sign out its sessions."""
    from portal.accounts import services
    from portal.accounts.models import User
    from portal.extensions import db

    user = db.session.scalar(select(User).where(User.email == services.normalise_email(email)))
    if user is None:
        raise click.ClickException(f"no account {email!r}")
    try:
        services.set_password(user, password)
    except services.AccountError as error:
        raise click.ClickException(_CLI_ERRORS.get(error.code, error.code)) from None
    click.echo(f"Password changed for {user.email}.")


@click.command("backup")
@click.option(
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    help="New folder to write (default: instance/backups/portal-<UTC time>).",
)
@with_appcontext
def backup_command(output: Path | None) -> None:
    """Copy the SQLite database and the uploads folder, safely while the app is serving.

    The folder gets portal.sqlite3 (a consistent copy made with SQLite's backup API) and
    uploads/ (survey evidence). The secret key is not included: back it up separately.
    On PostgreSQL this prints the pg_dump command to use and exits with status 1.
    """
    from flask import current_app

    from portal.maintenance import services

    config = current_app.config
    database = services.sqlite_path(config["SQLALCHEMY_DATABASE_URI"])
    if database is None:
        click.echo(
            services.pg_dump_command(
                config["SQLALCHEMY_DATABASE_URI"], f"portal-{services.timestamp()}.dump"
            )
        )
        raise click.ClickException(
            "this database is PostgreSQL: 'backup' only copies SQLite. Back it up with "
            "pg_dump as printed above (and the instance uploads folder with it); "
            "see docs/deploy.md."
        )
    target = (
        output or Path(current_app.instance_path) / "backups" / f"portal-{services.timestamp()}"
    )
    try:
        result = services.backup_sqlite(
            database, services.uploads_path(current_app.instance_path), target
        )
    except (services.MaintenanceError, FileExistsError) as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Backup written to {result.folder}")
    click.echo(f"  {result.database.name}  {result.database_bytes:,} bytes")
    click.echo(f"  {services.UPLOADS_FOLDER}/  {result.upload_files} files")
    click.echo("The secret key (instance/secret_key or SECRET_KEY) is not in it: keep a copy.")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore_command(path: Path, yes: bool) -> None:
    """Replace the SQLite database and the uploads folder with the backup at PATH.

    PATH is a folder written by 'backup' (or a bare portal.sqlite3). Stop the server first.
    It must be a database of this portal (it has an alembic_version table with a migration
    this code knows); run 'db upgrade' afterwards when it is older than the code.
    """
    from flask import current_app

    from portal.extensions import db
    from portal.maintenance import services

    database = services.sqlite_path(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if database is None:
        raise click.ClickException(
            "this database is PostgreSQL: restore it with pg_restore (see docs/deploy.md)."
        )
    try:
        info = services.check_backup(path)
    except services.MaintenanceError as error:
        raise click.ClickException(str(error)) from None
    uploads = services.uploads_path(current_app.instance_path)
    if not yes:
        click.confirm(
            f"Replace the database {database} and the folder {uploads} with the backup "
            f"{path}? Everything written since that backup is lost",
            abort=True,
        )
    db.session.remove()
    db.engine.dispose()  # no pooled connection may outlive the file it points at
    result = services.restore_sqlite(info, database, uploads)
    click.echo(f"Restored the database {result.database} (migration {result.revision}).")
    click.echo(f"Restored {uploads} ({result.upload_files} files).")
    if result.revision != result.head:
        click.echo("The backup is older than this code: run 'flask --app portal db upgrade'.")


@click.command("purge")
@click.option("--dry-run", is_flag=True, help="Count what would be deleted; delete nothing.")
@with_appcontext
def purge_command(dry_run: bool) -> None:
    """Delete closed cases and raw survey answers past their retention period (DESIGN §8).

    RETENTION_CLOSED_CASE_DAYS: closed, rejected and duplicate grievance cases closed longer
    ago are deleted with their messages, notes, audit entries and encrypted contact.
    RETENTION_RAW_ANSWER_DAYS: survey responses submitted longer ago are deleted with their
    answers and evidence files. None keeps that kind forever. The risk rollups (the
    aggregates behind dashboards and exports) are kept. Run it with --dry-run first.
    """
    from flask import current_app

    from portal.maintenance import services

    config = current_app.config
    limits = services.cutoffs(config)
    for label, setting, cutoff in (
        ("closed cases", "RETENTION_CLOSED_CASE_DAYS", limits.cases),
        ("survey responses", "RETENTION_RAW_ANSWER_DAYS", limits.responses),
    ):
        if cutoff is None:
            click.echo(f"{label}: kept forever ({setting} is None)")
        else:
            click.echo(f"{label}: older than {config[setting]} days (before {cutoff}) go")
    counts = services.purge(config, current_app.instance_path, dry_run=dry_run)
    click.echo("Would delete (dry run, nothing changed):" if dry_run else "Deleted:")
    for name, value in counts.items():
        click.echo(f"  {name.replace('_', ' '):<16} {value:>9,}")
    if not dry_run:
        click.echo("The risk rollups are kept; do not run 'risk rebuild' after a purge.")


def register_cli(app: Flask) -> None:
    app.cli.add_command(demo_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(purge_command)
    app.cli.add_command(risk_cli)
    app.cli.add_command(users_cli)
    from portal.i18n_cli import i18n_cli

    app.cli.add_command(i18n_cli)
