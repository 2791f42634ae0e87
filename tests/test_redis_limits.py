"""Rate limits shared through a real Redis server: two app instances enforce one limit together."""

from __future__ import annotations

import os
import shutil
import subprocess
import time

import pytest

from server import create_app

from .support import free_port

REDIS = shutil.which("redis-server")


@pytest.fixture(scope="module")
def redis_uri():
    """Start Debian's redis-server on a free loopback port for this module; stop it afterwards."""
    if REDIS is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is missing; .ci/run installs it (apt-get install redis-server)")
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    import redis

    port = free_port()
    proc = subprocess.Popen(
        [REDIS, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = redis.Redis(host="127.0.0.1", port=port)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                assert proc.poll() is None, "redis-server exited"
                assert time.monotonic() < deadline, "redis-server did not start"
                time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}"
    finally:
        client.close()
        proc.terminate()
        proc.wait(timeout=10)


def _app(uri: str, limit: str = "4 per minute"):
    return create_app({"TESTING": True, "RELOAD_INTERVAL": 0, "RATE_LIMIT": limit, "RATE_LIMIT_STORAGE_URI": uri})


def test_two_app_instances_sharing_redis_enforce_one_limit(redis_uri):
    first, second = _app(redis_uri).test_client(), _app(redis_uri).test_client()
    codes = [
        client.post(
            "/api/ask", json={"question": "what is adhd"}, environ_base={"REMOTE_ADDR": "198.51.100.7"}
        ).status_code
        for client in (first, second, first, second, first, second)
    ]
    assert codes == [200, 200, 200, 200, 429, 429]
    # Another client still gets answers on both instances.
    other = {"REMOTE_ADDR": "198.51.100.8"}
    assert first.post("/api/ask", json={"question": "what is adhd"}, environ_base=other).status_code == 200
    assert second.post("/api/ask", json={"question": "what is adhd"}, environ_base=other).status_code == 200


def test_without_shared_storage_each_instance_counts_alone():
    first, second = _app("memory://").test_client(), _app("memory://").test_client()
    codes = [client.post("/api/ask", json={"question": "adhd"}).status_code for client in (first, second) * 3]
    assert codes == [200] * 6


def test_an_unreachable_redis_falls_back_to_memory_and_keeps_serving():
    client = _app(f"redis://127.0.0.1:{free_port()}", limit="2 per minute").test_client()
    codes = [client.post("/api/ask", json={"question": "what is adhd"}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]


def test_a_hung_redis_fails_fast_to_the_in_memory_limits(redis_uri, caplog):
    """Issue 11, F7: a Redis that stops answering (SIGSTOP, like a blackholed network) costs
    each request a fraction of a second, not 5-10 s: the storage has socket timeouts."""
    import signal

    port = free_port()
    proc = subprocess.Popen(
        [REDIS, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        uri = f"redis://127.0.0.1:{port}"
        client = _app(uri, limit="100 per minute").test_client()
        deadline = time.monotonic() + 10
        while client.post("/api/ask", json={"question": "what is adhd"}).status_code != 200:
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGSTOP)
        took = []
        for _ in range(4):
            started = time.monotonic()
            response = client.post("/api/ask", json={"question": "what is adhd"})
            took.append(time.monotonic() - started)
            assert response.status_code == 200
        assert max(took) < 3.0, took  # was 5-10 s per request with no socket timeout
        # The fallback is logged as one of the app's JSON lines.
        import json

        lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "flask-limiter"]
        assert lines and all(line["event"] == "rate_limit_storage" for line in lines)
    finally:
        os.kill(proc.pid, signal.SIGCONT)
        proc.terminate()
        proc.wait(timeout=10)


def test_usage_counts_are_shared_through_redis_and_fall_back_to_memory(redis_uri):
    """Issue 12, staff page: with Redis, every worker adds to the same reply and feedback counts."""
    import redis

    redis.Redis.from_url(redis_uri).flushall()  # earlier tests' replies were counted too
    first, second = _app(redis_uri, limit="100 per minute"), _app(redis_uri, limit="100 per minute")
    version = first.test_client().get("/healthz").get_json()["faq_version"]
    for app in (first, second):
        client = app.test_client()
        assert client.post("/api/ask", json={"question": "what is adhd"}).get_json()["kind"] == "answer"
        body = {"id": "adhd-overview", "helpful": app is first, "faq_version": version}
        assert client.post("/api/feedback", json=body).status_code == 200
    for app in (first, second):
        usage = app.extensions["usage"]
        assert usage.storage() == "redis"
        assert usage.kinds_by_day()[0][1]["answer"] == 2
        assert usage.feedback_by_entry() == [{"id": "adhd-overview", "version": version, "yes": 1, "no": 1}]
    unreachable = _app(f"redis://127.0.0.1:{free_port()}", limit="100 per minute")
    client = unreachable.test_client()
    assert client.post("/api/ask", json={"question": "what is adhd"}).status_code == 200
    usage = unreachable.extensions["usage"]
    assert usage.storage() == "memory (Redis unavailable)"
    assert usage.kinds_by_day()[0][1] == {"answer": 1}
