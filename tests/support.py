"""Helpers for tests that run real processes: a free loopback port and a server started as a subprocess."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get_json(url: str, timeout: float = 5.0) -> dict:
    """GET url and return its JSON body."""
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return json.loads(response.read())


def wait_until_up(url: str, proc: subprocess.Popen, seconds: float = 30.0) -> None:
    """Wait until url answers, failing early if proc has exited."""
    deadline = time.monotonic() + seconds
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            get_json(url, timeout=1.0)
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


class ServerProcess:
    """`python server.py` (or another command serving the app) on a free loopback port, stopped at the end."""

    def __init__(
        self,
        *args: str,
        env: dict[str, str] | None = None,
        port: int | None = None,
        argv: list[str] | None = None,
        log_path: Path | None = None,
    ) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.args = argv or [sys.executable, str(ROOT / "server.py"), "--port", str(self.port), *args]
        self.env = {**os.environ, **(env or {})}
        self.log_path = log_path  # keep the server's output in this file (else a temporary one)
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> ServerProcess:
        """Start the server and wait until /healthz answers."""
        # Logs go to a file, not a pipe: a full pipe would stall a busy server.
        self._log = (
            open(self.log_path, "w+", encoding="utf-8")  # closed in __exit__
            if self.log_path
            else tempfile.TemporaryFile(mode="w+", encoding="utf-8")
        )
        self.proc = subprocess.Popen(self.args, cwd=ROOT, env=self.env, stdout=self._log, stderr=subprocess.STDOUT)
        try:
            # A first start trains the models: 2-3 minutes when a 2-core machine is busy with other work.
            wait_until_up(self.url + "/healthz", self.proc, seconds=300)
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc) -> None:
        """Stop the server and keep what it printed in `output`."""
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._log.seek(0)
        self.output = self._log.read()
        self._log.close()
