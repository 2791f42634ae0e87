"""Load benchmark: the real server on loopback, POST /api/ask against GET /healthz in the same run.

For each server (waitress as `python server.py` starts it, and gunicorn with 2 workers)
and each concurrency (1, 8, 32) it sends a bounded number of requests (and stops early at
a time limit) from a small keep-alive HTTP client in threads, and prints requests/s and
p50/p99 latency for both endpoints, the ask/healthz throughput ratio, and the errors
(any status other than 200, or a broken connection). Rate limiting is turned off for the
run (BOT_RATE_LIMIT_ENABLED=false); everything else is as in production, logs included.
Only 127.0.0.1 is ever contacted.

The question file has 397 questions, so with the default reply cache the first pass over
them is matched and later requests are served from the cache, as popular questions are in
production; `--no-cache` measures every request going through the matcher.

Run: .venv/bin/python bench/load.py [--requests 1500] [--seconds 20] [--quick] [--no-cache]
"""

from __future__ import annotations

import argparse
import http.client
import json
import shutil
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.evaluate import load_questions  # noqa: E402
from tests.support import ServerProcess, free_port  # noqa: E402

TARGET_RATIO = 0.70  # /api/ask throughput at least 70% of /healthz on the same server
TARGET_GUNICORN_RPS = 400.0


@dataclass
class Result:
    """Figures of one endpoint at one concurrency on one server."""

    server: str
    endpoint: str
    concurrency: int
    requests: int
    errors: int
    seconds: float
    latencies: list[float]

    @property
    def rps(self) -> float:
        """Return completed requests per second."""
        return self.requests / self.seconds if self.seconds else 0.0

    def pct(self, q: float) -> float:
        """Return the q-th percentile latency in ms."""
        if not self.latencies:
            return float("nan")
        xs = sorted(self.latencies)
        return xs[min(len(xs) - 1, round(q / 100 * (len(xs) - 1)))] * 1000


def run_load(port: int, endpoint: str, bodies: list[bytes], concurrency: int, total: int, seconds: float) -> Result:
    """Send `total` requests (or stop after `seconds`) with `concurrency` keep-alive clients."""
    lock = threading.Lock()
    counter = [0]
    latencies: list[float] = []
    errors = [0]
    deadline = time.monotonic() + seconds

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: list[float] = []
        bad = 0
        while time.monotonic() < deadline:
            with lock:
                n = counter[0]
                if n >= total:
                    break
                counter[0] = n + 1
            start = time.perf_counter()
            try:
                if endpoint == "/api/ask":
                    body = bodies[n % len(bodies)]
                    conn.request("POST", endpoint, body=body, headers={"Content-Type": "application/json"})
                else:
                    conn.request("GET", endpoint)
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
                if response.will_close:
                    conn.close()
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
            mine.append(time.perf_counter() - start)
            bad += not ok
        conn.close()
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - began
    return Result("", endpoint, concurrency, len(latencies), errors[0], elapsed, latencies)


LOAD_ENV = {"BOT_RATE_LIMIT_ENABLED": "false"}


def servers(env: dict[str, str]) -> list[tuple[str, ServerProcess]]:
    """Return the servers to measure: waitress as `python server.py`, gunicorn with 2 workers."""
    out = [("waitress (8 threads)", ServerProcess(env=env))]
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or shutil.which("gunicorn")
    if gunicorn:
        port = free_port()
        argv = [gunicorn, "-w", "2", "-b", f"127.0.0.1:{port}", "--log-level", "warning", "server:create_app()"]
        out.append(("gunicorn (2 workers)", ServerProcess(env=env, port=port, argv=argv)))
    else:
        print("gunicorn not installed: skipped", file=sys.stderr)
    return out


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table; exit 1 if any request failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1500, help="requests per endpoint and concurrency")
    parser.add_argument("--seconds", type=float, default=20.0, help="time limit per endpoint and concurrency")
    parser.add_argument("--concurrency", default="1,8,32", help="comma-separated client counts")
    parser.add_argument("--quick", action="store_true", help="300 requests, 5 s limit")
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="turn the reply cache off (BOT_REPLY_CACHE_SIZE=0): every ask is matched",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.requests, args.seconds = 300, 5.0
    levels = [int(x) for x in args.concurrency.split(",")]
    questions = [item.q for item in load_questions(ROOT / "tests" / "data" / "questions.yaml")]
    bodies = [json.dumps({"question": q}).encode() for q in questions]

    results: list[Result] = []
    print(f"load: {args.requests} requests per cell (limit {args.seconds:.0f} s), {len(questions)} questions, loopback")
    print(f"{'server':22} {'endpoint':10} {'conc':>4} {'req':>6} {'err':>4} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}")
    env = {**LOAD_ENV, "BOT_REPLY_CACHE_SIZE": "0"} if args.no_cache else LOAD_ENV
    cache = "off: every question is matched" if args.no_cache else "on (default): repeated questions skip matching"
    print(f"reply cache {cache}")
    for name, server in servers(env):
        with server:
            for c in levels:
                for endpoint in ("/healthz", "/api/ask"):
                    run_load(server.port, endpoint, bodies, c, min(50, args.requests), 5)  # warm-up
                    r = run_load(server.port, endpoint, bodies, c, args.requests, args.seconds)
                    r.server = name
                    results.append(r)
                    print(
                        f"{r.server:22} {r.endpoint:10} {c:>4} {r.requests:>6} {r.errors:>4} "
                        f"{r.rps:>8.0f} {r.pct(50):>8.2f} {r.pct(99):>8.2f}",
                        flush=True,
                    )

    print("\nask throughput as a share of /healthz on the same server (target >= 70%):")
    for server in dict.fromkeys(r.server for r in results):
        for c in levels:
            cell = {r.endpoint: r for r in results if r.server == server and r.concurrency == c}
            ratio = cell["/api/ask"].rps / cell["/healthz"].rps
            mark = "met" if ratio >= TARGET_RATIO else "NOT met"
            print(f"  {server:22} c={c:<3} {ratio:6.0%}  {mark}")
    best = max((r.rps for r in results if r.server.startswith("gunicorn") and r.endpoint == "/api/ask"), default=0)
    if best:
        mark = "met" if best >= TARGET_GUNICORN_RPS else "NOT met"
        print(f"gunicorn /api/ask best throughput: {best:.0f} req/s (target >= {TARGET_GUNICORN_RPS:.0f}) {mark}")
    errors = sum(r.errors for r in results)
    print(f"errors: {errors} (target 0)")
    return 0 if errors == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
