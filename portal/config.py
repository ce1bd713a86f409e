"""Default settings.

Order of precedence (later wins): these defaults, ``instance/config.py``, ``PORTAL_*``
environment variables (values parsed as JSON where possible, e.g. ``PORTAL_STAFF_IDLE_MINUTES=30``),
then the conventional ``DATABASE_URL`` and ``RATELIMIT_STORAGE_URI``.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

#: Name of the buying company shown in the header; the demo and admins may override it.
ORGANISATION_NAME = "Worker Voice Portal"

#: ``None`` means the SQLite file ``instance/portal.sqlite3``.
SQLALCHEMY_DATABASE_URI: str | None = None
SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}

#: Flask-Limiter storage: ``memory://`` for one process, ``redis://...`` for several.
RATELIMIT_STORAGE_URI = "memory://"
RATELIMIT_KEY_PREFIX = "portal"
RATELIMIT_HEADERS_ENABLED = False
#: How many reverse proxies in front of the app set X-Forwarded-For and X-Forwarded-Proto
#: (werkzeug's ProxyFix). Behind nginx set 1: otherwise every request seems to come from the
#: proxy's address and all visitors share one rate-limit budget. Keep 0 when clients reach
#: the app directly, or they could pick any address to dodge the limits (docs/deploy.md).
TRUSTED_PROXIES = 0
#: Login attempts allowed per hashed client address.
LOGIN_RATE_LIMIT = "10 per minute; 60 per hour"
#: Survey submissions (the final Send) per hashed client address. Loose on purpose: a whole
#: shift may answer on the factory Wi-Fi behind one address; a refused Send keeps the answers
#: in the session, so the worker can send again later (docs/surveys.md).
SURVEY_SUBMIT_RATE_LIMIT = "120 per hour"

#: Upper bound for any request body; routes that take uploads raise it for themselves.
MAX_CONTENT_LENGTH = 1024 * 1024
MAX_FORM_MEMORY_SIZE = 512 * 1024

SESSION_COOKIE_NAME = "portal_session"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
#: Set to True when served over HTTPS (see docs/deploy.md).
SESSION_COOKIE_SECURE = False
#: Absolute lifetime of a staff login.
PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
#: A staff session unused for this long is logged out.
STAFF_IDLE_MINUTES = 120

WTF_CSRF_TIME_LIMIT = 8 * 3600

BABEL_DEFAULT_LOCALE = "en"
BABEL_DEFAULT_TIMEZONE = "UTC"

#: Shown on posters and QR codes, e.g. ``https://voice.example.org``; defaults to the request host.
PUBLIC_BASE_URL: str | None = None

COMPRESS_MIMETYPES = ["text/html", "text/css", "text/plain", "image/svg+xml", "application/json"]
COMPRESS_MIN_SIZE = 256
COMPRESS_ALGORITHM = ["br", "gzip", "deflate"]
#: Static files are streamed; Flask-Compress streams zstd, br or deflate (not gzip). Brotli
#: first: it makes the stylesheet ~25 % smaller than zstd does.
COMPRESS_ALGORITHM_STREAMING = ["br", "zstd", "deflate"]
COMPRESS_STREAMING_ENDPOINT_CONDITIONAL = ["static"]
SEND_FILE_MAX_AGE_DEFAULT = timedelta(days=1)


def normalise_database_url(url: str) -> str:
    """Accept the forms hosting platforms hand out and select the psycopg 3 driver."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def load_or_create_secret_key(instance_path: str) -> str:
    """Read the instance secret, creating it once with owner-only permissions."""
    path = Path(instance_path) / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another worker won the race
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    return key


#: Retention (DESIGN §8), applied by ``flask --app portal purge`` (run it from cron; see
#: docs/deploy.md). Closed, rejected and duplicate grievance cases closed more than this many
#: days ago are deleted with their messages, notes, audit entries and encrypted contact.
#: ``None`` keeps them forever.
RETENTION_CLOSED_CASE_DAYS: int | None = 730
#: Survey responses (anonymous answers and supplier questionnaires, with their evidence files)
#: submitted more than this many days ago are deleted; the risk rollups, which are the
#: aggregates dashboards and exports read, stay. ``None`` keeps them forever.
RETENTION_RAW_ANSWER_DAYS: int | None = 1095


#: Werkzeug hashing method for staff passwords (scrypt, a memory-hard KDF).
PASSWORD_HASH_METHOD = "scrypt:32768:8:1"  # noqa: S105 (a method name, not a secret)
