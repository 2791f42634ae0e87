"""Measure the sentence encoder: load time, memory, encode_one latency and bulk encoding.

Run with `make bench-encoder` (or `.venv/bin/python bench/encoder.py --threads 2`). The
questions are those of tests/data/ (as people type them); memory is the process's
resident set (VmRSS) read from /proc/self/status.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.encoder import load_encoder  # noqa: E402


def rss_mb() -> float:
    """Return this process's resident memory in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def questions() -> list[str]:
    """Return the labelled questions of tests/data/ (development and holdout sets)."""
    texts = []
    for name in ("questions.yaml", "holdout.yaml"):
        data = yaml.safe_load((ROOT / "tests" / "data" / name).read_text(encoding="utf-8"))
        texts += [item["q"] for item in data["questions"]]
    return texts


def main() -> None:
    """Print the figures the README quotes."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2, help="onnxruntime intra-op threads (default 2)")
    parser.add_argument("--calls", type=int, default=500, help="encode_one calls to time (default 500)")
    parser.add_argument("--bulk", type=int, default=1000, help="sentences to encode in one call (default 1000)")
    args = parser.parse_args()
    texts = questions()
    before = rss_mb()
    start = time.perf_counter()
    encoder, reason = load_encoder(threads=args.threads)
    if encoder is None:
        raise SystemExit(f"encoder unavailable: {reason}")
    print(f"load_encoder(threads={args.threads}): {time.perf_counter() - start:.2f} s")
    print(f"RSS: {before:.0f} MB before load_encoder, {rss_mb():.0f} MB after")

    sample = (texts * (args.calls // len(texts) + 1))[: args.calls]
    for text in sample[:20]:
        encoder.encode_one(text)  # warm up, as a running server is
    latencies = []
    gc.disable()
    for text in sample:
        start = time.perf_counter()
        encoder.encode_one(text)
        latencies.append((time.perf_counter() - start) * 1000)
    gc.enable()
    cuts = statistics.quantiles(latencies, n=100, method="inclusive")
    words = statistics.mean(len(t.split()) for t in sample)
    print(f"encode_one x{len(sample)} ({words:.0f} words on average): p50 {cuts[49]:.1f} ms, p99 {cuts[98]:.1f} ms")

    bulk = (texts * (args.bulk // len(texts) + 1))[: args.bulk]
    start = time.perf_counter()
    encoder.encode(bulk)
    print(f"encode({len(bulk)} questions): {time.perf_counter() - start:.2f} s")
    print(f"RSS after: {rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
