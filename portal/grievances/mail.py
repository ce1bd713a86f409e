"""A small pluggable mailer for staff notifications.

``MAIL_BACKEND`` selects how mail leaves: ``log`` (the default: written to the
``portal.mail`` logger, for development and for installations without mail), ``smtp``
(``SMTP_*`` settings), or ``package.module:callable`` taking an ``EmailMessage``.
Staff notifications never contain what a reporter wrote, only case numbers and links.
"""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage
from importlib import import_module

from flask import current_app

log = logging.getLogger("portal.mail")


def build_message(to: list[str], subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_FROM"]
    message["To"] = ", ".join(to)
    message["Subject"] = subject
    message.set_content(body)
    return message


def _log_backend(message: EmailMessage) -> None:
    log.info("mail to %s: %s\n%s", message["To"], message["Subject"], message.get_content())


def _smtp_backend(message: EmailMessage) -> None:
    config = current_app.config
    with smtplib.SMTP(
        config["SMTP_HOST"], int(config["SMTP_PORT"]), timeout=config["SMTP_TIMEOUT"]
    ) as smtp:
        if config["SMTP_STARTTLS"]:
            smtp.starttls()
        if config["SMTP_USER"]:
            smtp.login(config["SMTP_USER"], config["SMTP_PASSWORD"] or "")
        smtp.send_message(message)


BACKENDS = {"log": _log_backend, "smtp": _smtp_backend}


def backend():
    name = current_app.config["MAIL_BACKEND"]
    if name in BACKENDS:
        return BACKENDS[name]
    module, _, attribute = name.partition(":")
    if not attribute:
        raise ValueError(f"unknown MAIL_BACKEND {name!r}")
    return getattr(import_module(module), attribute)


def send(to: list[str], subject: str, body: str) -> None:
    if to:
        backend()(build_message(to, subject, body))
