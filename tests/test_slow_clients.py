"""Slow and idle clients do not starve the others (issue 11, F3), on waitress and on gunicorn.

A bounded slowloris: 200 connections that each send the start of a request and then one
more byte every second, never finishing it. Meanwhile ordinary clients must be served.
Before the fix 98 idle connections stopped waitress and 2 trickling ones stopped gunicorn.
"""

from __future__ import annotations

import contextlib
import socket
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from .conftest import ROOT
from .support import ServerProcess, free_port

SLOW_CLIENTS = 200


class Slowloris:
    """Hold `count` connections open, trickling one header byte each per second, until stopped."""

    def __init__(self, port: int, count: int) -> None:
        self.port, self.count = port, count
        self.socks: list[socket.socket] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._trickle, daemon=True)

    def __enter__(self) -> Slowloris:
        for _ in range(self.count):
            s = socket.create_connection(("127.0.0.1", self.port), timeout=5)
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            self.socks.append(s)
        self.thread.start()
        return self

    def _trickle(self) -> None:
        while not self.stop.wait(1.0):
            for s in self.socks:
                with contextlib.suppress(OSError):
                    s.sendall(b"X")  # a header that never ends

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join(5)
        for s in self.socks:
            s.close()


def _served(url: str, rounds: int = 10) -> int:
    """Return how many of `rounds` ordinary requests were answered within 5 seconds each."""
    ok = 0
    for _ in range(rounds):
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=5) as response:
                ok += response.status == 200
        except OSError:
            pass
        time.sleep(0.2)
    return ok


def test_waitress_serves_others_while_200_clients_trickle():
    with ServerProcess() as server, Slowloris(server.port, SLOW_CLIENTS):
        time.sleep(2)  # the trickle is under way
        assert _served(server.url) == 10


@pytest.mark.skipif(sys.platform != "linux", reason="gunicorn is Linux-only")
def test_gunicorn_with_its_config_serves_others_while_200_clients_trickle():
    port = free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    argv = [str(gunicorn), "-c", str(ROOT / "gunicorn.conf.py"), "-b", f"127.0.0.1:{port}", "server:create_app()"]
    with ServerProcess(port=port, argv=argv, env={"BOT_RATE_LIMIT_ENABLED": "false"}) as server:
        # Both workers must be up before the test starts (each loads the bot).
        deadline = time.monotonic() + 120
        while _served(server.url, rounds=4) < 4:
            assert time.monotonic() < deadline
        with Slowloris(port, SLOW_CLIENTS):
            time.sleep(2)
            assert _served(server.url) == 10
        with urllib.request.urlopen(server.url + "/healthz", timeout=5) as response:
            assert "Server" not in response.headers  # gunicorn.conf.py drops the banner
        # Issue 11, F9: a malformed chunked body is the client's fault: a JSON 400, not a 500.
        for chunk in (b"zz\r\nabc\r\n0\r\n\r\n", b"1c\r\n" + b'{"question": "what is adhd"}' + b"0\r\n\r\n"):
            status, body = _raw_post(port, chunk)
            assert status == 400 and b'"bad_request"' in body, (status, body)
    assert "Traceback" not in server.output


def _raw_post(port: int, chunked_body: bytes) -> tuple[int, bytes]:
    """POST /api/ask with a hand-made chunked body; return the status and the body of the reply."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(
            b"POST /api/ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" + chunked_body
        )
        data = b""
        while chunk := conn.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body
