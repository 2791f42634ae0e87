"""`python server.py`: waitress on loopback, host and port from flags or BOT_* variables, fail closed."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from .conftest import FAQ_DIR, ROOT
from .support import ServerProcess, free_port, get_json


def _post(url: str, body: dict) -> dict:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())


def _big_body_status_line(port: int) -> bytes:
    """Announce a 50 MB body, send 64 KB of it, and return the first line of the reply."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(
            b"POST /api/ask HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 50000000\r\n\r\n"
        )
        with contextlib.suppress(OSError):  # the server may close before all of it is sent
            conn.sendall(b"x" * 65536)
        return conn.recv(4096).split(b"\r\n", 1)[0]


def test_server_py_serves_the_api_with_waitress():
    with ServerProcess() as server:
        health = get_json(server.url + "/healthz")
        reply = _post(server.url + "/api/ask", {"question": "what is adhd"})
        with urllib.request.urlopen(server.url + "/healthz", timeout=5) as response:
            assert "Server" not in response.headers  # issue 11: no Server banner
        # Issue 11, F5: waitress refuses a body over BOT_MAX_CONTENT_LENGTH at once, without
        # reading (and spooling to disk) the rest of it.
        assert _big_body_status_line(server.port) == b"HTTP/1.1 413 Request Entity Too Large"
    assert health["status"] == "ok" and health["entries"] == 54
    assert reply["id"] == "adhd-overview" and reply["faq_version"] == health["faq_version"]
    assert "what is adhd" not in server.output  # privacy: the question is not in the logs
    assert f"{server.url}/kiosk" in server.output and "Ctrl+C" in server.output  # says where, and how to stop
    assert server.output.count('"route": "/api/ask"') == 1  # one JSON line per request, not two


def test_port_comes_from_bot_port_when_no_flag_is_given():
    port = free_port()
    server = ServerProcess(env={"BOT_PORT": str(port)}, port=port)
    server.args = [sys.executable, str(ROOT / "server.py")]
    with server:
        assert get_json(f"http://127.0.0.1:{port}/healthz")["status"] == "ok"


def test_server_refuses_to_start_on_bad_content(tmp_path):
    faq = shutil.copytree(FAQ_DIR, tmp_path / "faq")
    path = faq / "treatment.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("evidence: established", "evidence: proven", 1))
    result = subprocess.run(
        [sys.executable, "server.py", "--port", str(free_port())],
        cwd=ROOT,
        env={**os.environ, "BOT_FAQ_DIR": str(faq)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "treatment.yaml" in result.stderr and "field 'evidence'" in result.stderr


def test_a_bad_setting_stops_the_server_with_a_clear_message():
    result = subprocess.run(
        [sys.executable, "server.py"],
        cwd=ROOT,
        env={**os.environ, "BOT_ALLOWED_ORIGINS": "not-an-origin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "BOT_ALLOWED_ORIGINS" in result.stderr


@pytest.mark.skipif(not hasattr(signal, "SIGHUP"), reason="SIGHUP is POSIX only")
def test_sighup_reloads_the_content_at_once(tmp_path):
    faq = shutil.copytree(FAQ_DIR, tmp_path / "faq")
    with ServerProcess(env={"BOT_FAQ_DIR": str(faq), "BOT_RELOAD_INTERVAL": "0"}) as server:
        before = get_json(server.url + "/healthz")["faq_version"]
        path = faq / "basics.yaml"
        path.write_text(path.read_text(encoding="utf-8").replace("How common is ADHD?", "How common is ADHD now?"))
        server.proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 10
        while get_json(server.url + "/healthz")["faq_version"] == before:
            assert time.monotonic() < deadline, "SIGHUP did not reload"
            time.sleep(0.1)
        assert get_json(server.url + "/api/entries/adhd-prevalence")["question"] == "How common is ADHD now?"


def test_a_port_already_in_use_is_one_plain_line_and_exit_1():
    """Issue 11: no traceback, and said at once (before the content loads)."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "server.py", "--port", str(port)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "already in use" in lines[0] and "BOT_PORT" in lines[0]
