"""The anonymous entry: start page, site-code lookup and the public site page."""

from flask import Blueprint

bp = Blueprint("public", __name__, template_folder="templates")

from portal.public import views  # noqa: E402,F401
