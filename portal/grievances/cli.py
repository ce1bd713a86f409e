"""``flask --app portal grievances ...``"""

from __future__ import annotations

import click
from flask.cli import AppGroup

grievances_cli = AppGroup("grievances", help="Grievance notifications.")


@grievances_cli.command("digest")
@click.option("--new/--no-new", default=True, help="Include cases not announced yet.")
@click.option("--overdue/--no-overdue", default=True, help="Include cases past a deadline.")
@click.option("--dry-run", is_flag=True, help="Count what would be sent; send nothing.")
def digest_command(new: bool, overdue: bool, dry_run: bool) -> None:
    """Mail the overdue-case digest (and new cases) to NOTIFY_EMAILS and to handlers.

    Run it from cron at fixed times (for example hourly on working days): new cases are
    announced here rather than on arrival, so mail timestamps do not date a report more
    precisely than the day.
    """
    from portal.grievances.notify import send_digest

    result = send_digest(new=new, overdue=overdue, dry_run=dry_run)
    verb = "Would send" if dry_run else "Sent"
    click.echo(
        f"{verb} digest: {result.new_cases} new, {result.overdue_cases} overdue, "
        f"{len(result.recipients)} recipients."
    )
