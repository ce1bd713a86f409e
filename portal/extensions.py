"""Unbound extension objects; ``create_app`` binds them to an application."""

from flask_babel import Babel
from flask_compress import Compress
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from portal.db import Base
from portal.security import rate_limit_key


class _Compress(Compress):
    """Flask-Compress leaves every non-2xx response uncompressed; a form sent back with its
    errors (400) is a page a worker on a slow connection must load too, so compress those."""

    def after_request(self, response):
        status = response.status_code
        if 400 <= status < 500 and response.mimetype == "text/html":
            response.status_code = 200
            response = super().after_request(response)
            response.status_code = status
            return response
        return super().after_request(response)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
babel = Babel()
csrf = CSRFProtect()
login_manager = LoginManager()
compress = _Compress()
# Keyed on a salted hash of the client address that lives only in the limiter's storage
# (memory or Redis); the address itself is never stored (DESIGN §8).
limiter = Limiter(key_func=rate_limit_key, default_limits=[])
