"""Translated error pages for the statuses a visitor can meet."""

from __future__ import annotations

from flask import Flask, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

MESSAGES = {
    400: (_l("Bad request"), _l("We could not understand what was sent. Please try again.")),
    403: (_l("Not allowed"), _l("You do not have permission to see this page.")),
    404: (_l("Page not found"), _l("Check the address, or go back to the start page.")),
    405: (_l("Not allowed"), _l("This page cannot be used this way.")),
    413: (_l("Too large"), _l("What you sent is too large. Please send something smaller.")),
    429: (
        _l("Too many attempts"),
        _l("Please wait a few minutes, then try again."),
    ),
    500: (
        _l("Something went wrong"),
        _l("An error happened on our side. Nothing you sent was lost; please try again later."),
    ),
}


def render_error(status: int, detail: str | None = None):
    title, message = MESSAGES.get(status, MESSAGES[500])
    return (
        render_template("errors/error.html", status=status, title=title, message=detail or message),
        status,
    )


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(_error):
        return render_error(
            400, str(_l("This form expired or was sent from elsewhere. Please try again."))
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code in MESSAGES:
            return render_error(error.code)
        return error

    @app.errorhandler(InternalServerError)
    def server_error(_error):
        return render_error(500)
