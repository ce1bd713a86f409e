"""``flask --app portal i18n``: extract, update, compile and check the translation catalogs,
and record their review status (``portal.i18n_review``, docs/translations.md)."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from portal import ROOT

i18n_cli = AppGroup(
    "i18n", help="Extract, update, compile, check and mark the review of translation catalogs."
)

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
    """Print each language's complete % and reviewed %; fail when a catalog misses a string,
    leaves one fuzzy, changes its placeholders or has the wrong number of plural forms."""
    from portal.i18n import LANGUAGES, catalog_problems
    from portal.i18n_review import catalog_status, plural_problems

    problems = catalog_problems(TRANSLATIONS, ROOT)
    click.echo(f"{'language':<10} {'complete':>9} {'reviewed':>9}  status")
    for code in LANGUAGES:
        path = _catalog(code)
        if not path.exists():
            continue
        problems += plural_problems(path, code)
        status = catalog_status(path, code)
        said = status.status
        if status.reviewed_on:
            said += f" {status.reviewed_on}" + (
                f" by {status.reviewed_by}" if status.reviewed_by else ""
            )
        click.echo(
            f"{code:<10} {status.complete_percent:>8.1f}% {status.reviewed_percent:>8.1f}%  {said}"
        )
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        raise SystemExit(1)
    click.echo("All catalogs complete.")


@i18n_cli.command("review")
@click.argument("locale")
@click.option("--by", "reviewer", required=True, help="The fluent speaker who reviewed it.")
@click.option("--on", "day", type=click.DateTime(["%Y-%m-%d"]), help="Day of review (today).")
def i18n_review(locale: str, reviewer: str, day) -> None:
    """Mark LOCALE reviewed by a fluent speaker: the catalog's status line and every
    translated string not yet marked (strings added later stay unreviewed)."""
    from portal.i18n_review import mark

    marked = mark(_existing(locale), locale, "reviewed", reviewer, day.date() if day else None)
    click.echo(f"{locale}: reviewed; {marked} strings newly marked.")


@i18n_cli.command("draft")
@click.argument("locale")
def i18n_draft(locale: str) -> None:
    """Mark LOCALE machine-drafted (strings already marked reviewed keep their mark)."""
    from portal.i18n_review import mark

    mark(_existing(locale), locale, "machine-drafted")
    click.echo(f"{locale}: machine-drafted.")


def _catalog(code: str) -> Path:
    return TRANSLATIONS / code / "LC_MESSAGES" / "messages.po"


def _existing(locale: str) -> Path:
    path = _catalog(locale)
    if not path.exists():
        raise click.BadParameter(f"no catalog at {path}", param_hint="LOCALE")
    return path
