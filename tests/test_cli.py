"""The command line, run as a user runs it: in a subprocess."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

from .conftest import DATA_DIR, FAQ_DIR, ROOT
from .test_contract import assert_error_shape, assert_reply_shape


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    """Run `python -m bot ARGS` from the repository root."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], cwd=ROOT, input=stdin, capture_output=True, text=True, timeout=120
    )


def test_ask_prints_a_readable_reply():
    out = run("ask", "how fast does ritalin work")
    assert out.returncode == 0, out.stderr
    assert "Sources:" in out.stdout and "Note:" in out.stdout


def test_ask_json_is_the_contract(bot):
    out = run("ask", "--json", "what is adhd")
    assert out.returncode == 0, out.stderr
    reply = json.loads(out.stdout)
    assert_reply_shape(reply, bot.version)
    assert reply == bot.ask("what is adhd").to_dict()


def test_jsonl_answers_one_line_per_question_in_order(bot):
    questions = ["what is adhd", "", "i want to die", "types of coffee", "x" * 600]
    out = run("ask", "--jsonl", stdin="\n".join(questions) + "\n")
    assert out.returncode == 0, out.stderr
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert len(lines) == len(questions)
    assert lines[0] == bot.ask("what is adhd").to_dict()
    assert_error_shape(lines[1], "empty_question")
    assert lines[2]["kind"] == "safety" and lines[2]["id"] == "safety-crisis"
    assert lines[3]["kind"] in ("fallback", "clarify")
    assert_error_shape(lines[4], "question_too_long")


def test_ask_without_a_question_is_a_usage_error():
    out = run("ask")
    assert out.returncode == 2 and "error" in out.stderr


def test_chat_answers_until_quit():
    out = run("chat", stdin="what is adhd\nquit\n")
    assert out.returncode == 0, out.stderr
    assert "What is ADHD?" in out.stdout


def test_lint_passes_on_the_real_content():
    out = run("lint")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "faq OK" in out.stdout


def test_lint_names_file_entry_and_field_of_a_bad_edit(tmp_path):
    bad = tmp_path / "faq"
    shutil.copytree(FAQ_DIR, bad)
    path = bad / "ketamine.yaml"
    text = path.read_text()
    path.write_text(text.replace("evidence: not-established", "evidence: proven", 1))
    out = run("--faq", str(bad), "lint")
    assert out.returncode == 1
    assert "ketamine.yaml" in out.stdout and "field 'evidence'" in out.stdout and "entry '" in out.stdout


def test_ask_refuses_to_serve_invalid_content(tmp_path):
    bad = tmp_path / "faq"
    shutil.copytree(FAQ_DIR, bad)
    (bad / "sources.yaml").unlink()
    out = run("--faq", str(bad), "ask", "what is adhd")
    assert out.returncode == 1 and "sources.yaml" in out.stderr and out.stdout == ""


def test_eval_prints_the_metrics():
    out = run("eval", str(DATA_DIR / "questions.yaml"))
    assert out.returncode == 0, out.stderr
    for name in ("in_scope_top1_accuracy", "wrong_answer_rate", "clarify_rate", "crisis_recall"):
        assert name in out.stdout


def test_eval_of_one_file_prints_its_small_talk_figures(tmp_path):
    path = tmp_path / "set.yaml"
    path.write_text(
        'questions:\n  - q: "what is adhd"\n    expect: adhd-overview\nsmalltalk:\n  - q: "hello"\n', encoding="utf-8"
    )
    out = run("eval", "--kfold", "0", str(path))
    assert out.returncode == 0, out.stderr
    assert "small talk given the small-talk reply (or about-this-bot for 'who are you'): 1/1" in out.stdout
