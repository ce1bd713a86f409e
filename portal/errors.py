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
    409: (
        _l("Cannot be changed"),
        _l("This can no longer be changed: it has been sent, or its campaign has closed."),
    ),
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
    # A status without its own text gets the general one of its class, never werkzeug's
    # untranslated page.
    title, message = MESSAGES.get(status) or MESSAGES[400 if status < 500 else 500]
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
        if error.code is not None and error.code >= 400:
            return render_error(error.code)
        return error

    @app.errorhandler(InternalServerError)
    def server_error(_error):
        return render_error(500)
