"""Staff digests through the pluggable mailer: the log backend, and SMTP against a real local
server (aiosmtpd) through the ``flask grievances digest`` command."""

from __future__ import annotations

import logging
import socket
from datetime import UTC, datetime, timedelta
from email import message_from_bytes

import pytest
from aiosmtpd.controller import Controller

from portal.extensions import db
from portal.grievances import mail, services
from portal.grievances.models import Grievance

SENT_FROM = "voice@buyer.example"


class _Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_server():
    inbox = _Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


@pytest.fixture
def mail_settings(app):
    saved = {key: app.config[key] for key in ("MAIL_BACKEND", "NOTIFY_EMAILS", "MAIL_FROM")}
    yield app.config
    app.config.update(saved)


def _case(app, site_id, *, hours_old=0, assignee_id=None) -> int:
    with app.app_context():
        case, _receipt = services.create_grievance(
            services.IntakeData(
                reporter="worker",
                category="documents",
                description="The agent keeps our passports.",
                language="bn",
                site_id=site_id,
            )
        )
        if hours_old:
            start = services.truncate_to_hour(datetime.now(UTC) - timedelta(hours=hours_old))
            case.clock_started_at = start
            case.acknowledge_due_at, case.resolve_due_at = services.deadlines(start, None)
        case.assignee_id = assignee_id
        db.session.commit()
        return case.id


def test_digest_command_over_smtp(app, factory, smtp_server, mail_settings):
    controller, inbox = smtp_server
    mail_settings.update(
        MAIL_BACKEND="smtp",
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=controller.port,
        MAIL_FROM=SENT_FROM,
        NOTIFY_EMAILS=["team@buyer.example"],
    )
    site = factory.site(languages=["bn"])
    handler = factory.user("compliance", email="handler@buyer.example")
    fresh = _case(app, site.id)
    late = _case(app, site.id, hours_old=72, assignee_id=handler.id)

    runner = app.test_cli_runner()
    help_text = runner.invoke(args=["grievances", "digest", "--help"])
    assert help_text.exit_code == 0 and "overdue" in help_text.output

    result = runner.invoke(args=["grievances", "digest"])
    assert result.exit_code == 0, result.output
    assert "2 new, 1 overdue" in result.output
    recipients = {tuple(rcpt): message for rcpt, message in inbox.messages}
    team = recipients[("team@buyer.example",)]
    assert team["From"] == SENT_FROM and team["Subject"] == "Staff digest"
    body = team.get_payload(decode=True).decode()
    assert f"#{fresh}" in body and f"#{late}" in body and "/cases/" in body
    assert "passports" not in body  # never what the reporter wrote
    handler_mail = recipients[("handler@buyer.example",)]
    assert f"#{late}" in handler_mail.get_payload(decode=True).decode()
    with app.app_context():
        assert all(case.notified_on for case in db.session.scalars(db.select(Grievance)))

    inbox.messages.clear()
    again = runner.invoke(args=["grievances", "digest", "--no-overdue"])
    assert "0 new" in again.output and inbox.messages == []  # each case announced once


def test_log_backend_is_the_default(app, factory, caplog, mail_settings):
    mail_settings.update(MAIL_BACKEND="log", NOTIFY_EMAILS=["team@buyer.example"])
    site = factory.site()
    case = _case(app, site.id)
    caplog.set_level(logging.INFO, logger="portal.mail")
    result = app.test_cli_runner().invoke(args=["grievances", "digest"])
    assert result.exit_code == 0
    assert f"#{case}" in caplog.text and "team@buyer.example" in caplog.text


def test_dry_run_sends_nothing_and_custom_backend(app, factory, mail_settings):
    sent = []
    mail.BACKENDS["memory"] = sent.append
    mail_settings.update(MAIL_BACKEND="memory", NOTIFY_EMAILS=["team@buyer.example"])
    try:
        site = factory.site()
        _case(app, site.id)
        runner = app.test_cli_runner()
        assert "Would send" in runner.invoke(args=["grievances", "digest", "--dry-run"]).output
        assert sent == []
        runner.invoke(args=["grievances", "digest"])
        assert len(sent) == 1 and sent[0]["To"] == "team@buyer.example"
    finally:
        del mail.BACKENDS["memory"]
