"""``flask --app portal <command>``: demo data, staff users and translation catalogs."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from portal import ROOT

users_cli = AppGroup("users", help="Create and manage staff accounts.")
surveys_cli = AppGroup("surveys", help="Validate and load survey definitions (surveys/*.yaml).")
risk_cli = AppGroup("risk", help="Maintain the risk rollups behind signals and dashboards.")


@risk_cli.command("rebuild")
def risk_rebuild() -> None:
    """Recount every rollup from the stored answers (after a bulk load or a retention purge).

    Submissions keep the rollups up to date by themselves; this is for repairs."""
    from portal.risk import rollup

    click.echo(f"Counted {rollup.rebuild():,} responses.")


i18n_cli = AppGroup("i18n", help="Extract, update, compile and check translation catalogs.")


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
    answers submitted through the same code as real ones (a few sites planted with high risk).
    Running it again creates nothing twice.
    """
    from portal.demo import (
        build_demo,
        build_demo_cases,
        database_is_new,
        demo_logins,
        deploy_surveys,
    )

    if if_new and not database_is_new():
        click.echo("The database already has accounts; demo data not loaded again.")
    else:
        counts = build_demo()
        counts.update(deploy_surveys(responses, seed))
        counts["cases"] = build_demo_cases()
        click.echo(
            "Demo data ready: {suppliers} suppliers, {sites} sites, {users} demo accounts, "
            "{campaigns} campaigns, {responses} new simulated responses, "
            "{cases} new grievance cases.".format(**counts)
        )
    click.echo("\nDemo logins (http://127.0.0.1:5000/login):")
    for login in demo_logins():
        click.echo(f"  {login.role:<11} {login.email:<26} {login.password:<24} ({login.scope})")


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


TRANSLATIONS = ROOT / "translations"
POT = TRANSLATIONS / "messages.pot"


def _pybabel(*args: str) -> None:
    from babel.messages.frontend import CommandLineInterface

    CommandLineInterface().run(["pybabel", "-q", *args])


@i18n_cli.command("extract")
def i18n_extract() -> None:
    """Extract translatable strings into translations/messages.pot."""
    POT.parent.mkdir(exist_ok=True)
    _pybabel(
        "extract",
        "-F",
        str(ROOT / "babel.cfg"),
        "-k",
        "_l",
        "-k",
        "lazy_gettext",
        "--no-location",
        "--sort-output",
        "--omit-header",
        "-o",
        str(POT),
        str(ROOT),
    )
    click.echo(f"Wrote {POT.relative_to(ROOT)}")


@i18n_cli.command("update")
@click.option("--locale", "-l", help="Only this locale (default: all).")
def i18n_update(locale: str | None) -> None:
    """Extract, then merge new strings into every catalog (new locales are created)."""
    from portal.i18n import LANGUAGES

    i18n_extract.callback()
    for code in [locale] if locale else LANGUAGES:
        po = TRANSLATIONS / code / "LC_MESSAGES" / "messages.po"
        if po.exists():
            _pybabel(
                "update",
                "-i",
                str(POT),
                "-d",
                str(TRANSLATIONS),
                "-l",
                code,
                "--no-fuzzy-matching",
                "--ignore-obsolete",
            )
        else:
            _pybabel("init", "-i", str(POT), "-d", str(TRANSLATIONS), "-l", code)
    click.echo("Catalogs updated; translate the empty entries, then run 'i18n check'.")


@i18n_cli.command("compile")
def i18n_compile() -> None:
    """Compile every catalog to .mo (done by 'make'; .mo files are not committed)."""
    _pybabel("compile", "-d", str(TRANSLATIONS), "--statistics")


@i18n_cli.command("check")
def i18n_check() -> None:
    """Fail when a catalog misses, leaves fuzzy or mistranslates placeholders of a string."""
    from portal.i18n import catalog_problems

    problems = catalog_problems(TRANSLATIONS, ROOT)
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        raise SystemExit(1)
    click.echo("All catalogs complete.")


SURVEYS = ROOT / "surveys"


@surveys_cli.command("validate")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False))
def surveys_validate(files) -> None:
    """Check definition FILES (default: every surveys/*.yaml); errors name file, question, field."""
    from portal.surveys.definitions import DefinitionInvalid, definition_files, load_definition

    paths = [Path(name) for name in files] or definition_files(SURVEYS)
    failed = 0
    for path in paths:
        try:
            spec = load_definition(path)
        except DefinitionInvalid as error:
            failed += 1
            for item in error.errors:
                click.echo(str(item), err=True)
            continue
        click.echo(f"{path}: OK ({spec.form_id} {spec.version}, {len(spec.questions)} rows)")
    if failed:
        raise SystemExit(1)


@surveys_cli.command("sync")
def surveys_sync() -> None:
    """Load every surveys/*.yaml; a changed file becomes a new immutable survey version."""
    from portal.surveys.services import sync_folder

    result = sync_folder(SURVEYS)
    for line in result.created:
        click.echo(f"new version: {line}")
    for line in result.unchanged:
        click.echo(f"unchanged:   {line}")
    for line in result.errors:
        click.echo(line, err=True)
    if result.errors:
        raise SystemExit(1)


@surveys_cli.command("import-xlsform")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    help="Write the YAML definition here (default: print it).",
)
@click.option(
    "--audience",
    help="Stakeholder group (e.g. workers), when the settings sheet has no 'audience' column.",
)
@click.option(
    "--area",
    "areas",
    multiple=True,
    help="Engagement area (repeat the option), when the settings sheet has no 'areas' column.",
)
def surveys_import_xlsform(file, output, audience, areas) -> None:
    """Convert the XLSForm FILE (.xlsx: survey, choices, settings sheets) to a YAML definition.

    Translated columns such as 'label::Français (fr)' become the survey's languages; the
    columns risk_indicator, risk_adverse, risk_adverse_when and risk_dimension become the risk
    mapping; unknown columns are kept for export. Repeats, GPS, media capture and select from
    file are refused with the row; metadata (start, end, deviceid, username, ...) is dropped
    with a warning. The result is validated like 'surveys validate'.
    """
    from portal.surveys.definitions import DefinitionInvalid, dump_yaml
    from portal.surveys.xlsform import read_xlsform

    def warn(message: str) -> None:
        click.echo(f"warning: {message}", err=True)

    try:
        data = read_xlsform(file, audience=audience, areas=areas or None, warn=warn)
    except DefinitionInvalid as error:
        for item in error.errors:
            click.echo(str(item), err=True)
        raise SystemExit(1) from None
    text = dump_yaml(data)
    if output:
        Path(output).write_text(text, encoding="utf-8")
        click.echo(f"Wrote {output} ({data['form_id']} {data['version']}).", err=True)
    else:
        click.echo(text, nl=False)


@surveys_cli.command("export-xlsform")
@click.argument("form_id")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    help="Workbook to write (default: <form_id>.xlsx in the current folder).",
)
def surveys_export_xlsform(form_id, output) -> None:
    """Write the definition FORM_ID (surveys/<FORM_ID>.yaml, or a YAML file path) as XLSForm.

    The workbook has survey, choices and settings sheets that ODK and KoboToolbox tools read:
    one 'label::<language> (<code>)' column per language and translated field, our risk_*
    columns (ignored by those tools) and any columns kept from an import.
    """
    from portal.surveys.definitions import DefinitionInvalid, load_definition
    from portal.surveys.xlsform import write_xlsform

    path = Path(form_id)
    if not (path.suffix in (".yaml", ".yml") and path.is_file()):
        path = SURVEYS / f"{form_id}.yaml"
    if not path.is_file():
        raise click.BadParameter(f"no file {path}", param_hint="FORM_ID")
    try:
        spec = load_definition(path)
    except DefinitionInvalid as error:
        for item in error.errors:
            click.echo(str(item), err=True)
        raise SystemExit(1) from None
    target = write_xlsform(spec, output or f"{spec.form_id}.xlsx")
    click.echo(f"Wrote {target} ({spec.form_id} {spec.version}, {len(spec.questions)} rows).")


def register_cli(app: Flask) -> None:
    app.cli.add_command(demo_command)
    app.cli.add_command(surveys_cli)
    app.cli.add_command(risk_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(i18n_cli)
