"""`python -m bot.prepare_models [--faq DIR] [--no-drafts]`: train and save the bot's models now.

The models are the safety detector and the learned matcher. A server worker runs this in a
child process when no saved model matches its content (after a change of the code, the
training data or faq/detector/): training peaks at about 1.3 GB and leaves memory behind
that the allocator keeps, more than a worker may hold (350 MB). The worker then loads the
saved files, as on every later start.
"""

from __future__ import annotations

import argparse
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

from .encoder import child_environment, run_in_child

log = logging.getLogger(__name__)

_TRAIN_TIMEOUT = 1800  # seconds; about 1-2.5 minutes here when nothing is cached


def main(argv: list[str]) -> int:
    """Load the bot once (which trains and saves what is not saved yet). Return the exit status."""
    parser = argparse.ArgumentParser(prog="python -m bot.prepare_models", description=__doc__.splitlines()[0])
    parser.add_argument("--faq", help="content folder (default: faq/)")
    parser.add_argument(
        "--no-drafts", action="store_true", help="leave out draft entries (as a server with BOT_SERVE_DRAFTS=0)"
    )
    parser.add_argument("--matcher-first", action="store_true", help=argparse.SUPPRESS)  # the second process below
    args = parser.parse_args(argv)
    return prepare(args.faq, serve_drafts=not args.no_drafts, matcher_first=args.matcher_first)


def prepare(faq_dir: str | Path | None, *, serve_drafts: bool, matcher_first: bool = False) -> int:
    """Load the bot once in this process (training and saving what is not saved yet). Return the exit status.

    With two or more cores a second process trains the learned matcher meanwhile (each fit
    holds one core: one after the other they took about 95 s here, side by side about 55 s);
    each model is trained by one process and loaded by the other (a lock per model, see
    bot.detector.trained_model). If the second process fails, this one trains what it left.
    """
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    from .encoder import load_encoder
    from .engine import load_bot
    from .errors import ContentError

    started = time.perf_counter()
    helper = None if matcher_first or (os.cpu_count() or 1) < 2 else _start_matcher_process(faq_dir, serve_drafts)
    # Bulk work only (every training text): one thread per run, two runs at a time, encodes about
    # 20% faster here than the server's two threads per run, and gives the same vectors.
    encoder, _ = load_encoder(threads=1)
    try:
        bot = load_bot(faq_dir, encoder=encoder, serve_drafts=serve_drafts, matcher_first=matcher_first)
    except ContentError as exc:
        print(f"cannot train: {exc}", file=sys.stderr)
        return 1
    finally:
        if helper is not None:
            _finish(helper)
    print(f"models ready ({bot.matcher_mode} matcher) in {time.perf_counter() - started:.0f} s", flush=True)
    return 0


def _start_matcher_process(faq_dir: str | Path | None, serve_drafts: bool) -> subprocess.Popen | None:
    args = [sys.executable, "-m", "bot.prepare_models", "--matcher-first"]
    args += [] if faq_dir is None else ["--faq", str(faq_dir)]
    args += [] if serve_drafts else ["--no-drafts"]
    try:
        # Its own messages (a content error, a warning) go to stderr; this process reports the same.
        return subprocess.Popen(args, stdout=subprocess.DEVNULL, env=child_environment())
    except OSError as exc:
        log.warning("could not start a second training process (%s); training both models here", exc)
        return None


def _finish(helper: subprocess.Popen) -> None:
    """Wait for the second process (it has saved or is saving the learned matcher), or stop it."""
    try:
        helper.wait(timeout=_TRAIN_TIMEOUT)
    except subprocess.TimeoutExpired:
        helper.kill()
        helper.wait()


def train_in_child(faq_dir: str | Path | None, *, serve_drafts: bool) -> None:
    """Train and save the models for this content in a child process; log a failure and go on.

    On a failure the caller finds no saved model and trains in its own process, as before.
    """
    args = [] if faq_dir is None else ["--faq", str(faq_dir)]
    if not serve_drafts:
        args.append("--no-drafts")
    log.info("training the safety detector and the learned matcher in a child process (once per content version)")
    failure = run_in_child("bot.prepare_models", args, timeout=_TRAIN_TIMEOUT)
    if failure:
        log.warning("could not train the models in a child process (%s); training them here", failure)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
