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
