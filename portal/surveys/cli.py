"""``flask --app portal surveys ...``: validate, load, import and export survey definitions."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from portal import ROOT

surveys_cli = AppGroup("surveys", help="Validate and load survey definitions (surveys/*.yaml).")


SURVEYS = ROOT / "surveys"


@surveys_cli.command("validate")
@click.argument("files", nargs=-1, type=click.Path(exists=True, dir_okay=False))
def surveys_validate(files) -> None:
    """Check definition FILES (default: every surveys/*.yaml); errors name file, question, field."""
    from portal.surveys.definitions import DefinitionInvalid, definition_files, load_definition
    from portal.surveys.lint import split_label_warnings

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
        for warning in split_label_warnings(path.read_text(encoding="utf-8")):
            click.echo(f"{path}: warning: {warning}", err=True)
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
@click.option(
    "--attach",
    "attachments",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False),
    help="A .csv or .xml file named by a select_one_from_file question (repeat the option).",
)
@click.option(
    "--skip-refused",
    is_flag=True,
    help="Import the rest when some questions cannot be offered (they are left out).",
)
def surveys_import_xlsform(file, output, audience, areas, attachments, skip_refused) -> None:
    """Convert the XLSForm FILE to a YAML definition: .xlsx or .xls workbooks (survey,
    choices, settings and external_choices sheets) or pyxform's .csv and .md layouts.

    Every type spelling pyxform accepts is read. Translated columns such as
    'label::Français (fr)' or 'label::Kiswahili (sw)' become the survey's languages (any
    language, named by code or by name); the columns risk_indicator, risk_adverse,
    risk_adverse_when and risk_dimension become the risk mapping; unknown columns are kept for
    export. Metadata (start, end, deviceid, username, ...) is dropped with a warning; a form
    without a version gets one made from its content. Questions the portal cannot offer (for
    example a location or a photo asked of anonymous workers) are refused with the row and the
    reason: fix them, or pass --skip-refused to leave them out. See docs/surveys.md. The
    result is validated like 'surveys validate'.
    """
    from portal.surveys.definitions import DefinitionInvalid, dump_yaml
    from portal.surveys.xlsform import read_xlsform

    def warn(message: str) -> None:
        click.echo(f"warning: {message}", err=True)

    try:
        data = read_xlsform(
            file,
            audience=audience,
            areas=areas or None,
            warn=warn,
            attachments={Path(path).name: Path(path).read_bytes() for path in attachments},
            skip_refused=skip_refused,
        )
    except DefinitionInvalid as error:
        for item in error.errors:
            prefix = "refused: " if item.refused else ""
            click.echo(prefix + str(item), err=True)
        if any(item.refused for item in error.errors):
            click.echo("Pass --skip-refused to import the rest without them.", err=True)
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
