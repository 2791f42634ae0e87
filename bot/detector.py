"""The learned safety detector: character and word n-grams plus sentence vectors.

It is trained at load time on the exemplar bank in faq/detector/ (and the FAQ's own
phrasings as ordinary questions), with scikit-learn: TF-IDF features for spelling
and slang, the sentence encoder's vector for meaning, how close the message comes to
the nearest training messages of each label (see `neighbour_features`), and a logistic
regression over the labels. Trained models are kept in memory by content version, so reloads
and tests that load the same content train once, and saved on disk (pickled, beside the
cached sentence vectors), so a warm start of a new process loads them in about a second
instead of training them again (about 100 s for both models on this machine in session 39,
the sentence vectors cached).
"""

from __future__ import annotations

import contextlib
import contextvars
import fcntl
import functools
import hashlib
import importlib.metadata
import json
import logging
import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from .encoder import mark_used, prune_unused
from .linear import LinearScorer, Terms
from .safety_data import LABELS, NONE

log = logging.getLogger("bot")

CLASSES = (NONE, *LABELS)
# How much the sentence vector counts next to the n-gram features (both L2-normalised).
VECTOR_WEIGHT = 1.5
C = 8.0  # inverse regularisation strength of the logistic regression
# How close to its optimum the logistic regression is solved (scikit-learn's `tol`; its default is 1e-4).
# At the default, lbfgs stopped after about 100 iterations, short of the optimum, and where it stopped
# moved with any change to the bank: trained on the 18,223 messages of session 39 and again without 20
# of them picked at random, 114 of the 18,223 changed sides of the 0.85 urgent line. Solved to 1e-5
# (about 210 iterations, some 15 s more to train), 18 do; to 1e-6 (about 320 iterations, 30 s more), 8.
TOL = 1e-5
# For each label, the mean and the highest cosine of the NEIGHBOURS training messages of
# that label closest to the message. A linear model over the vector alone draws one flat
# line per label; these let a message count as a crisis because it reads like a few known
# crisis messages, though it shares no word with them. 5-fold on the exemplar bank, with
# the thresholds as they were (session 13): crisis urgent 76.2 -> 79.7%, shown 94.2 -> 95.6%,
# urgent false alarms 2.8 -> 2.6%, notes 15.2 -> 14.4%; trained without the 1,046 exemplars
# a later helper wrote, and tested on them: crisis urgent 81.6 -> 88.6%.
NEIGHBOURS = 3


@dataclass(frozen=True)
class Sample:
    """One training message: its prepared text, its raw text, its label and how much it counts."""

    prepared: str
    raw: str
    label: str
    weight: float = 1.0


# How much each kind of message counts in training. The hard negatives (harmless
# messages that look alarming) count most: they teach where the line is. The FAQ's
# own phrasings are many and easy, so each counts little.
HARD_NEGATIVE_WEIGHT = 3.0
FAQ_PHRASING_WEIGHT = 0.3
# Ordinary questions the detector once misread (faq/detector/exemplars-ordinary.yaml, groups named
# ORDINARY_GROUP...): plain questions, so each counts as one message, not as a hard negative.
ORDINARY_GROUP = "ordinary-questions"
ORDINARY_WEIGHT = 1.0


def exemplar_weight(label: str, group: str) -> float:
    """Return how much one exemplar of the bank counts in training."""
    if label != NONE:
        return 1.0
    return ORDINARY_WEIGHT if group.startswith(ORDINARY_GROUP) else HARD_NEGATIVE_WEIGHT


def neighbour_features(sims: np.ndarray, columns: Sequence[np.ndarray], k: int = NEIGHBOURS) -> np.ndarray:
    """Return, per row of cosines and per label (its training rows in `columns`), the mean and max of the k highest."""
    if sims.shape[0] == 1:
        return _one_row_neighbour_features(sims[0], columns, k)[None, :]
    out = np.zeros((sims.shape[0], 2 * len(columns)), dtype=np.float32)
    for j, cols in enumerate(columns):
        if len(cols) == 0:
            continue
        part = sims[:, cols]
        kk = min(k, part.shape[1])
        top = -np.partition(-part, kk - 1, axis=1)[:, :kk]
        out[:, 2 * j] = top.mean(axis=1)
        out[:, 2 * j + 1] = top.max(axis=1)
    return out


def _one_row_neighbour_features(sims: np.ndarray, columns: Sequence[np.ndarray], k: int) -> np.ndarray:
    """`neighbour_features` for one message, with the same numbers in fewer NumPy calls (the hot path).

    The matcher has some 60 classes, so the per-class work is kept to a gather and a partition; the
    means and maxima are taken once over all classes. The partition is the same call on the same
    values as in the batch form, so the features are bit for bit the same.
    """
    negated = -sims
    full = [j for j, cols in enumerate(columns) if len(cols) >= k]
    top = np.empty((len(full), k), dtype=np.float32)
    for row, j in enumerate(full):
        top[row] = np.partition(negated[columns[j]], k - 1)[:k]
    out = np.zeros(2 * len(columns), dtype=np.float32)
    top = -top
    out[[2 * j for j in full]] = top.mean(axis=1)
    out[[2 * j + 1 for j in full]] = top.max(axis=1)
    for j, cols in enumerate(columns):
        if 0 < len(cols) < k:  # a class with fewer than k training messages: all of them
            few = sims[cols]
            out[2 * j], out[2 * j + 1] = few.mean(), few.max()
    return out


def vectorizers() -> tuple[Any, Any]:
    """Return the two unfitted TF-IDF vectorizers of both models: character and word n-grams."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True, dtype=np.float32)
    words = TfidfVectorizer(
        analyzer="word", ngram_range=(1, 2), sublinear_tf=True, dtype=np.float32, token_pattern=r"\S+"
    )
    return chars, words


@dataclass
class Fitted:
    """The scikit-learn objects a model was fitted with, kept (in memory only) by the process that trained it."""

    chars: Any
    words: Any
    model: Any

    def numpy_form(self, vector_weight: float, *, extra: int = 0) -> tuple[Terms, Terms, LinearScorer]:
        """Return what a worker keeps and runs: both vectorizers' Terms and the model's scorer (bot/linear.py)."""
        chars, words = Terms.from_vectorizer(self.chars), Terms.from_vectorizer(self.words)
        return chars, words, LinearScorer.from_model(self.model, (chars.size, words.size), vector_weight, extra=extra)


def training_neighbour_features(ref: np.ndarray, columns: Sequence[np.ndarray], chunk: int = 1000) -> np.ndarray:
    """Return each training row's neighbour features with itself left out (in chunks: n x n is large).

    Left in, every training row would sit at cosine 1 from its own label and the model would learn nothing.
    """
    out = []
    for start in range(0, len(ref), chunk):
        sims = ref[start : start + chunk] @ ref.T
        rows = np.arange(sims.shape[0])
        sims[rows, rows + start] = -1.0
        out.append(neighbour_features(sims, columns))
    return np.vstack(out)


class Detector:
    """Give each safety label a probability for one message.

    Trained with scikit-learn (imported only here, in the process that trains); what is
    kept and saved is the NumPy form of bot/linear.py, so a worker that loads it never
    imports scikit-learn or SciPy.
    """

    def __init__(
        self,
        samples: Sequence[Sample],
        *,
        vectors: np.ndarray | None = None,
        embed: Callable[[str], np.ndarray] | None = None,
        c: float = C,
        vector_weight: float = VECTOR_WEIGHT,
    ) -> None:
        from scipy import sparse
        from sklearn.linear_model import LogisticRegression

        self.uses_vectors = vectors is not None
        self.embed = embed if vectors is not None else None
        self.embed_in_context: Callable[[str, Sequence[str]], Sequence[np.ndarray | None]] | None = None
        self.vector_weight = vector_weight
        chars, words = vectorizers()
        prepared = [s.prepared for s in samples]
        x = sparse.hstack([chars.fit_transform(prepared), words.fit_transform(prepared)])
        y = np.array([CLASSES.index(s.label) for s in samples])
        self._neighbours: np.ndarray | None = None
        if vectors is not None:
            self._neighbours = np.ascontiguousarray(vectors, dtype=np.float32)
            self._neighbour_columns = [np.flatnonzero(y == i) for i in range(len(CLASSES))]
            near = self._training_neighbour_features()
            x = sparse.hstack([x, sparse.csr_matrix(vectors * vector_weight), sparse.csr_matrix(near)])
        model = LogisticRegression(C=c, max_iter=5000, tol=TOL)
        model.fit(x.tocsr(), y, sample_weight=np.array([s.weight for s in samples]))
        self.classes = tuple(CLASSES[i] for i in model.classes_)
        self.fitted: Fitted | None = Fitted(chars, words, model)
        extra = 2 * len(CLASSES) if self._neighbours is not None else 0
        self.chars, self.words, self.scorer = self.fitted.numpy_form(vector_weight, extra=extra)

    def _training_neighbour_features(self, chunk: int = 1000) -> np.ndarray:
        """Return each training message's neighbour features, itself left out."""
        return training_neighbour_features(self._neighbours, self._neighbour_columns, chunk)

    def neighbours(self, vectors: np.ndarray) -> np.ndarray:
        """Return the neighbour features of messages (rows of unit vectors)."""
        return neighbour_features(vectors @ self._neighbours.T, self._neighbour_columns)

    def __getstate__(self) -> dict:
        """What is saved on disk: the NumPy form only (no encoder, no scikit-learn objects)."""
        return {k: v for k, v in self.__dict__.items() if k not in ("embed", "embed_in_context", "fitted")}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self.embed = None  # attach() gives it back
        self.embed_in_context = None
        self.fitted = None

    def attach(
        self,
        embed: Callable[[str], np.ndarray] | None,
        in_context: Callable[[str, Sequence[str]], Sequence[np.ndarray | None]] | None = None,
    ) -> Detector:
        """Give a detector loaded from disk its sentence encoder back (if it was trained with one).

        `in_context` (Encoder.encode_in_context) gives the sentences of a message vectors from the
        message's own run, for `in_context_readings`.
        """
        if self.uses_vectors:
            if embed is None:
                raise ValueError("this detector was trained with sentence vectors; it needs the encoder")
            self.embed = embed
            self.embed_in_context = in_context
        return self

    def _row(self, prepared: str, vector: np.ndarray | None, near: np.ndarray | None) -> np.ndarray:
        return self.scorer((self.chars(prepared), self.words(prepared)), vector, near)

    def probabilities(self, raw: str, prepared: str, vector: np.ndarray | None = None) -> Mapping[str, float]:
        """Return the probability of each label for one message (what predict_proba gives).

        `vector` stands in for the encoder's vector of raw (a sentence's vector in context).
        """
        if vector is None and self.embed is not None:
            vector = self.embed(raw)
        vector = vector if self.uses_vectors else None
        near = self.neighbours(vector[None, :])[0] if vector is not None and self._neighbours is not None else None
        row = self._row(prepared, vector, near)
        return dict(zip(self.classes, (float(p) for p in row), strict=True))

    def in_context_readings(
        self, raw: str, parts: Sequence[str], prepared: Sequence[str]
    ) -> list[Mapping[str, float] | None]:
        """Return a quick reading of each sentence of a message, from its vector in the message's run.

        None for a sentence without such a vector (or without the encoder): read it on its own.
        """
        if self.embed_in_context is None:
            return [None] * len(parts)
        vectors = self.embed_in_context(raw, parts)
        return [
            None if v is None else self.probabilities(part, p, vector=v)
            for part, p, v in zip(parts, prepared, vectors, strict=True)
        ]

    def batch(self, raws: Sequence[str], prepared: Sequence[str], vectors: np.ndarray | None = None) -> np.ndarray:
        """Return label probabilities for many messages (columns in `self.classes` order)."""
        if self.uses_vectors and vectors is None:
            raise ValueError("this detector was trained with sentence vectors; pass them")
        vectors = vectors if self.uses_vectors else None
        near = self.neighbours(vectors) if vectors is not None and self._neighbours is not None else None
        rows = [
            self._row(p, None if vectors is None else vectors[i], None if near is None else near[i])
            for i, p in enumerate(prepared)
        ]
        return np.array(rows).reshape(len(prepared), len(self.classes))


_CACHE: OrderedDict[tuple, Any] = OrderedDict()  # detectors and learned matchers
T = TypeVar("T")
_LOCK = threading.Lock()


# ------------------------------------------------------------------ models saved on disk
MODEL_CACHE_FORMAT = 1
MODEL_CACHE_KEEP = 12  # saved models kept (two per version of the content and code in use)


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """Return a hash of the bot's code and the library versions a saved model depends on.

    Any change to a file in bot/ (how texts are prepared, features, weights) or to
    scikit-learn, SciPy, NumPy or pyspellchecker makes saved models stale, so they are trained again.
    """
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).resolve().parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    # Read without importing them (a worker never does); pyspellchecker's word lists decide
    # which words the safety reading respells.
    for package in ("scikit-learn", "scipy", "numpy", "pyspellchecker"):
        digest.update(f"{package}={importlib.metadata.version(package)}\n".encode())
    return digest.hexdigest()


def model_cache_dir() -> Path:
    """Return the folder for saved models: $BOT_STATE_DIR/models, else .state/models in the repository."""
    from .snapshot import state_root

    return state_root() / "models"


def _model_paths(key: tuple, folder: Path) -> tuple[Path, Path, str]:
    name = hashlib.sha256(f"{MODEL_CACHE_FORMAT}\n{key!r}\n{code_fingerprint()}".encode()).hexdigest()
    return folder / f"{name[:32]}.pickle", folder / f"{name[:32]}.json", name


def load_saved_model(key: tuple, folder: Path) -> object | None:
    """Return the model saved under this key by this code, or None (absent, stale or damaged).

    The file is read only from the bot's own state folder, and only when its sha256 matches
    the header written with it (pickle files run code when loaded, so never load others).
    """
    data_path, header_path, name = _model_paths(key, folder)
    if not (data_path.is_file() and header_path.is_file()):
        return None
    try:
        header = json.loads(header_path.read_text(encoding="utf-8"))
        if not isinstance(header, dict) or header.get("name") != name:
            raise ValueError("header is for another model")
        # Hashed and read from one open file (a replaced file is another inode), in pieces:
        # holding the whole file's bytes beside the model would raise the worker's peak memory.
        with data_path.open("rb") as handle:
            if hashlib.file_digest(handle, "sha256").hexdigest() != header.get("sha256"):
                raise ValueError("file does not match its header")
            handle.seek(0)
            model = pickle.load(handle)  # noqa: S301 -- our own file, its hash checked above
        mark_used(data_path)
        return model
    except Exception as exc:  # noqa: BLE001 -- any failure means: train again
        log.warning("saved model %s is unusable (%s); training it again", data_path.name, exc)
        return None


def save_model(key: tuple, model: object, folder: Path) -> None:
    """Save a trained model under this key (atomically; a folder that cannot be written is skipped)."""
    from .encoder import _ignore_in_git, _replace_atomically

    data_path, header_path, name = _model_paths(key, folder)
    # pickle, as scikit-learn's own docs do for fitted models (the same Python and library
    # versions on both sides: the code fingerprint in the file name makes sure).
    data = pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _ignore_in_git(folder)
        _replace_atomically(data_path, data)
        header = {"name": name, "sha256": hashlib.sha256(data).hexdigest(), "key": repr(key)[:200]}
        _replace_atomically(header_path, json.dumps(header, indent=1).encode("utf-8"))
        _prune(folder, keep=MODEL_CACHE_KEEP)
    except OSError as exc:
        log.warning("saved models off: cannot write to %s (%s)", folder, exc.strerror or exc)


def _prune(folder: Path, *, keep: int, idle_seconds: float = 3600.0) -> None:
    """Delete saved models beyond the `keep` most recently used, once unused for an hour (bot.encoder.prune_unused)."""
    prune_unused(
        folder.glob("*.pickle"),
        keep=keep,
        idle_seconds=idle_seconds,
        companions=lambda old: (old.with_suffix(".json"), folder / f".{old.stem}.lock"),
    )


_ELSEWHERE: contextvars.ContextVar[Callable[[], bool] | None] = contextvars.ContextVar("train_elsewhere", default=None)


@contextlib.contextmanager
def training_elsewhere(train: Callable[[], None]) -> Iterator[None]:
    """Within this block, a model neither in memory nor on disk is first asked of train().

    train() should train and save every model of the bot in another process (training peaks
    at about 1.3 GB, and the allocator keeps some of it: more than a server worker may hold);
    the model is then loaded from disk, and built here only if that saved none. train() runs
    at most once per block.
    """
    ran = False

    def once() -> bool:
        nonlocal ran
        if ran:
            return False
        ran = True
        train()
        return True

    token = _ELSEWHERE.set(once)
    try:
        yield
    finally:
        _ELSEWHERE.reset(token)


@contextlib.contextmanager
def _training_lock(folder: Path, name: str = "training") -> Iterator[None]:
    """Hold an exclusive lock on the saved-models folder, or on one model in it (none if it cannot be written)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle = (folder / f".{name}.lock").open("a")
    except OSError:
        yield
        return
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def trained_model(
    key: tuple,
    build: Callable[[], T],
    *,
    attach: Callable[[T], T],
    disk_key: tuple,
    keep: int = 4,
    folder: Path | None = None,
) -> T:
    """Return the model (detector or learned matcher) trained for this key: from memory, else disk, else build().

    In memory a model is kept under `key`, which may leave out what changes often (so a
    reload after an answer edit trains nothing); on disk under `disk_key`, which must name
    everything the model was trained on. A model loaded from disk gets its encoder back
    through attach(); one built here is saved on disk for the next process.
    """
    with _LOCK:
        hit = _CACHE.get(key)
        if hit is not None:
            _CACHE.move_to_end(key)
            return hit
    folder = folder if folder is not None else model_cache_dir()
    model = load_saved_model(disk_key, folder)
    elsewhere = _ELSEWHERE.get()
    if model is None and elsewhere is not None:
        with _training_lock(folder):  # two workers starting together: one trains, the other waits
            model = load_saved_model(disk_key, folder)  # saved meanwhile by the one before us?
            if model is None and elsewhere():
                model = load_saved_model(disk_key, folder)
    if model is None:
        # One process trains a model at a time: another that is training it now saves it first
        # (bot.prepare_models trains the two models side by side this way), and it is loaded.
        with _training_lock(folder, _model_paths(disk_key, folder)[2][:32]):
            model = load_saved_model(disk_key, folder)
            if model is None:
                model = build()
                save_model(disk_key, model, folder)
                return _remember(key, model, keep)
    return _remember(key, attach(model), keep)


def _remember(key: tuple, model: T, keep: int) -> T:
    with _LOCK:
        _CACHE[key] = model
        while len(_CACHE) > keep:
            _CACHE.popitem(last=False)
    return model
