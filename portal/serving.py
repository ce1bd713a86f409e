"""What a long-running server process does once, after it has loaded the app."""

from __future__ import annotations

import base64
import gc
import os
import struct
import time
import zlib

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import Flask
from flask.json.tag import TaggedJSONSerializer
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer


def freeze_startup_heap() -> int:
    """Move every object alive now (the app and the libraries it imported: SQLAlchemy, SciPy,
    Babel, Jinja...) into the garbage collector's permanent generation; returns how many
    objects that was. Templates and catalogs compiled by later requests are not frozen; the
    libraries are the bulk of it.

    Why: a full collection walks every tracked object, and after start-up about 175,000 of
    them live as long as the process. A dashboard page builds a few thousand signal objects,
    which sets off a full collection every few requests: at 1,000,000 answers those were
    pauses of up to 94 ms and made the whole p95 tail of the dashboard (docs/benchmarks.md).
    Frozen objects are never collected, so this is called once per process after loading
    (gunicorn's ``post_worker_init``), never per request.
    """
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


class SealedCookie:
    """Seals a session into an AES-GCM token: the cookie is unreadable and tamper-proof.

    A signed cookie (Flask's default) is only base64: anyone holding a worker's phone could
    read which survey it answered or the answers of one in progress. The token is
    ``v1.`` + base64url(nonce, ciphertext of [issued-at seconds, zlib flag, tagged JSON]).
    Keys come from SECRET_KEY and SECRET_KEY_FALLBACKS by HKDF; the current one seals, any
    opens. A signed cookie from before this format is still read once and rewritten sealed.
    """

    PREFIX = "v1."
    _AAD = b"portal session"

    def __init__(self, secrets: list[str | bytes], legacy: URLSafeTimedSerializer) -> None:
        self._ciphers = [AESGCM(_session_key(secret)) for secret in secrets]
        self._legacy = legacy
        self._json = TaggedJSONSerializer()

    def dumps(self, session: dict) -> str:
        data = self._json.dumps(session).encode()
        packed = zlib.compress(data)
        body = b"z" + packed if len(packed) < len(data) else b"." + data
        nonce = os.urandom(12)
        sealed = self._ciphers[0].encrypt(
            nonce, struct.pack(">Q", int(time.time())) + body, self._AAD
        )
        return self.PREFIX + base64.urlsafe_b64encode(nonce + sealed).decode().rstrip("=")

    def loads(self, token: str, max_age: int | None = None) -> dict:
        if not token.startswith(self.PREFIX):
            return self._legacy.loads(token, max_age=max_age)
        try:
            raw = base64.urlsafe_b64decode(token[len(self.PREFIX) :] + "==")
        except ValueError as error:
            raise BadSignature("not a sealed session") from error
        plain = None
        for cipher in self._ciphers:
            try:
                plain = cipher.decrypt(raw[:12], raw[12:], self._AAD)
                break
            except (InvalidTag, ValueError):
                continue
        if plain is None or len(plain) < 9:
            raise BadSignature("session sealed with another key, or changed")
        (issued,) = struct.unpack(">Q", plain[:8])
        if max_age is not None and time.time() - issued > max_age:
            raise SignatureExpired("session expired")
        body = zlib.decompress(plain[9:]) if plain[8:9] == b"z" else plain[9:]
        return self._json.loads(body.decode())


def _session_key(secret: str | bytes) -> bytes:
    secret = secret.encode() if isinstance(secret, str) else secret
    info = b"portal session cookie v1"
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(secret)


class SealedCookieSessions(SecureCookieSessionInterface):
    """Flask's cookie sessions, sealed (``SealedCookie``), the sealer built once per key set.

    Flask builds a new serializer (and derives its key again) for every request, twice when
    the session is saved: about a tenth of an anonymous survey screen's own time
    (docs/benchmarks.md). A change of SECRET_KEY or SECRET_KEY_FALLBACKS builds a new one."""

    def __init__(self) -> None:
        self._serializers: dict[tuple, SealedCookie | None] = {}

    def get_signing_serializer(self, app: Flask) -> SealedCookie | None:  # type: ignore[override]
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        found = self._serializers.get(keys)
        if found is None:
            if len(self._serializers) > 8:  # keys rotated several times in one process
                self._serializers.clear()
            legacy = super().get_signing_serializer(app)
            found = None if legacy is None else SealedCookie([keys[0], *keys[1]], legacy)
            self._serializers[keys] = found
        return found
