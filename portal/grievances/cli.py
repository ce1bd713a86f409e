"""``flask --app portal grievances ...``"""

from __future__ import annotations

import click
from flask.cli import AppGroup, with_appcontext

grievances_cli = AppGroup("grievances", help="Grievance notifications.")


@click.command("digest")
@with_appcontext
@click.option("--new/--no-new", default=True, help="Include cases not announced yet.")
@click.option(
    "--overdue/--no-overdue",
    default=True,
    help="Include cases past a deadline and the other overdue items (plans, targets).",
)
@click.option("--dry-run", is_flag=True, help="Count what would be sent; send nothing.")
def digest_command(new: bool, overdue: bool, dry_run: bool) -> None:
    """Mail the staff digest to NOTIFY_EMAILS, and each handler or owner their overdue items.

    New and overdue grievance cases, overdue corrective action plans and actions, and
    engagement targets past their date. Run it from cron at fixed times (for example hourly
    on working days): new cases are announced here rather than on arrival, so mail timestamps
    do not date a report more precisely than the day.
    """
    from portal.grievances.notify import send_digest

    result = send_digest(new=new, overdue=overdue, dry_run=dry_run)
    verb = "Would send" if dry_run else "Sent"
    others = "".join(f", {count} {title.lower()}" for title, count in result.other.items())
    click.echo(
        f"{verb} digest: {result.new_cases} new, {result.overdue_cases} overdue{others}, "
        f"{len(result.recipients)} recipients."
    )


# ``flask grievances digest`` is the name cron lines used before the digest covered more.
grievances_cli.add_command(digest_command)
