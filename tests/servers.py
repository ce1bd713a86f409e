"""Real gunicorn servers for tests that need a process of their own (crash safety, the
production configuration): started on a free loopback port in their own process group."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from http.client import HTTPException
from pathlib import Path

import pytest

# Connection refused/reset, a response cut short: the server died under the request.
SERVER_GONE = (OSError, HTTPException)


def server_env(settings: dict[str, str]) -> dict[str, str]:
    """The environment for a server under test: this one without the developer's or CI's
    PORTAL_*/gunicorn settings (CSRF stays on, as in production), plus ``settings``."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PORTAL_", "GUNICORN_")) and key != "WEB_CONCURRENCY"
    }
    return {**env, **settings}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """gunicorn in its own process group, so that SIGKILL takes the master and every worker.

    ``options`` are gunicorn's own flags (workers, threads, ``--config FILE``...); the bind
    address is always a free loopback port, and the log goes to ``workdir/gunicorn.log``."""

    def __init__(self, env: dict[str, str], workdir: Path, options: list[str]):
        self.env, self.workdir, self.options = env, workdir, options
        self.process: subprocess.Popen | None = None
        self.log = workdir / "gunicorn.log"
        self.base = ""

    def start(self) -> str:
        port = free_port()
        executable = Path(sys.executable).with_name("gunicorn")
        command = [
            str(executable if executable.exists() else shutil.which("gunicorn")),
            *self.options,
            f"--bind=127.0.0.1:{port}",
            "--no-control-socket",  # gunicorn ≥ 24 would share one socket in $HOME otherwise
            "portal:create_app()",
        ]
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                command,
                cwd=self.workdir,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"gunicorn exited early:\n{self.log.read_text()[-3000:]}")
            try:
                health = self.base + "/healthz"  # http://127.0.0.1 only: S310 does not apply
                with urllib.request.urlopen(health, timeout=2) as reply:  # noqa: S310
                    if reply.status == 200:
                        return self.base
            except SERVER_GONE:
                time.sleep(0.1)
        pytest.fail(f"gunicorn did not answer:\n{self.log.read_text()[-3000:]}")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        if self.process is not None:
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
