"""What sealing the session cookie costs next to Flask's signed cookie: microseconds per dump
and per load, and bytes, for the sessions an anonymous worker's phone carries.

Usage: .venv/bin/python bench/session_cookie.py [--rounds 20000]

Flask's default (itsdangerous, HMAC-SHA1 over base64 JSON) against portal.serving.SealedCookie
(AES-GCM over the same tagged JSON, key from HKDF once per process), both built once as
SealedCookieSessions does. Prints figures; asserts nothing about time.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SESSIONS = {
    "after a survey": {"surveys_done": [1], "_lang": "bn"},
    "survey in progress": {
        "_lang": "ar",
        "survey:12:GZP4K": {"answers": {f"q{i}": "yes" for i in range(20)}, "screen": 14},
        "csrf_token": "5f1a" * 10,
    },
}


def per_call(function, rounds: int) -> float:
    """Median microseconds per call over five batches."""
    batches = []
    for _ in range(5):
        started = time.perf_counter()
        for _ in range(rounds):
            function()
        batches.append((time.perf_counter() - started) / rounds * 1e6)
    return statistics.median(batches)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=20_000, help="calls per batch")
    args = parser.parse_args()
    from flask import Flask
    from flask.sessions import SecureCookieSessionInterface

    from portal.serving import SealedCookieSessions

    app = Flask(__name__)
    app.secret_key = "bench-secret-key-of-reasonable-length"  # noqa: S105 (a bench key)
    signed = SecureCookieSessionInterface().get_signing_serializer(app)
    sealed = SealedCookieSessions().get_signing_serializer(app)
    print(f"{'session':<20} {'format':<7} {'dump µs':>8} {'load µs':>8} {'bytes':>6}")
    for name, session in SESSIONS.items():
        figures = {}
        for label, serializer in (("signed", signed), ("sealed", sealed)):
            token = serializer.dumps(session)
            assert serializer.loads(token) == session
            dump = per_call(lambda s=serializer, d=session: s.dumps(d), args.rounds)
            load = per_call(lambda s=serializer, t=token: s.loads(t), args.rounds)
            figures[label] = (dump, load)
            print(f"{name:<20} {label:<7} {dump:>8.1f} {load:>8.1f} {len(token):>6}")
        (sd, sl), (xd, xl) = figures["signed"], figures["sealed"]
        print(f"{'':<20} {'ratio':<7} {xd / sd:>7.2f}× {xl / sl:>7.2f}×")


if __name__ == "__main__":
    main()
