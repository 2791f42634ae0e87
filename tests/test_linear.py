"""bot/linear.py: the NumPy form of the fitted models gives what scikit-learn gives, without it."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest
import yaml
from scipy import sparse
from sklearn.linear_model import LogisticRegression

from bot.detector import vectorizers
from bot.linear import LinearScorer, Terms

from .conftest import DATA_DIR, FAQ_DIR, ROOT

ODD = [
    "",
    " ",
    "a",
    "x y",
    "  two   spaces\tand a tab\nand a line  ",
    "ÁRBOL niño ñandú Straße İstanbul",
    "emoji 🙂🙂 and 中文 text",
    "meds!!! 10mg?? idk... u/ur w/o",
    "the the the the the",
    "k i l l  m y s e l f",
    "adhd-overview. (really) 'quoted' \"double\"",
]


def _texts() -> list[str]:
    data = yaml.safe_load((DATA_DIR / "questions.yaml").read_text(encoding="utf-8"))
    texts = [item["q"] for item in data["questions"]]
    bank = yaml.safe_load((FAQ_DIR / "detector" / "exemplars-crisis.yaml").read_text(encoding="utf-8"))
    for group in bank["groups"][:20]:
        texts += group["texts"]
    return texts


TEXTS = _texts()


@pytest.fixture(scope="module")
def fitted():
    """Both vectorizers fitted on the first half of the texts (the rest are unseen)."""
    chars, words = vectorizers()
    half = TEXTS[: len(TEXTS) // 2]
    chars.fit(half)
    words.fit(half)
    return chars, words


def test_the_analyzers_give_the_librarys_terms_in_the_same_order(fitted) -> None:
    for vectorizer in fitted:
        ours, theirs = Terms.from_vectorizer(vectorizer).analyze, vectorizer.build_analyzer()
        for text in TEXTS + ODD:
            assert ours(text) == theirs(text), text


def test_a_row_equals_the_librarys_transform(fitted) -> None:
    for vectorizer in fitted:
        terms = Terms.from_vectorizer(vectorizer)
        assert terms.size == len(vectorizer.vocabulary_)
        for text in TEXTS[len(TEXTS) // 2 :: 3] + ODD:
            idx, vals = terms(text)
            ours = sparse.csr_matrix((vals, (np.zeros_like(idx), idx)), shape=(1, terms.size))
            library = vectorizer.transform([text])
            assert abs(ours - library).max() < 1e-6, text
            assert ours.nnz == library.nnz, text


def test_the_vocabulary_is_held_as_arrays_not_python_strings(fitted) -> None:
    terms = Terms.from_vectorizer(fitted[1])
    assert terms.terms.dtype.kind == "S" and terms.columns.dtype == np.int32
    assert "vocabulary" not in vars(terms) and not any(isinstance(v, dict) for v in vars(terms).values())


def test_unsupported_settings_are_refused() -> None:
    chars, _ = vectorizers()
    chars.set_params(strip_accents="unicode").fit(["some text here", "more text"])
    with pytest.raises(ValueError, match="supports"):
        Terms.from_vectorizer(chars)


@pytest.mark.parametrize("classes", [2, 4])
def test_the_scorer_gives_what_predict_proba_gives(fitted, classes) -> None:
    """Multinomial (a softmax) and two-class (a sigmoid) models, with a dense block after the sparse ones."""
    chars, words = fitted
    texts = TEXTS[:300]
    rng = np.random.default_rng(3)
    dense = rng.standard_normal((len(texts), 5)).astype(np.float32)
    x = sparse.hstack([chars.transform(texts), words.transform(texts), sparse.csr_matrix(dense * 2.0)]).tocsr()
    y = np.arange(len(texts)) % classes
    model = LogisticRegression(C=5.0, max_iter=2000).fit(x, y)
    ct, wt = Terms.from_vectorizer(chars), Terms.from_vectorizer(words)
    scorer = LinearScorer.from_model(model, (ct.size, wt.size), 2.0)
    library = model.predict_proba(x)
    for i in range(0, len(texts), 7):
        ours = scorer((ct(texts[i]), wt(texts[i])), dense[i])
        assert ours == pytest.approx(library[i], abs=1e-5)


def test_a_worker_that_loads_saved_models_never_imports_scikit_learn(bot) -> None:
    """The saved detector and learned matcher (trained by the `bot` fixture) load and answer without it."""
    code = (
        "import json, sys\n"
        "from bot import load_bot\n"
        f"b = load_bot({str(FAQ_DIR)!r})\n"
        "reply = b.ask('is ketamine approved for adhd').to_dict()\n"
        "crisis = b.ask('i wrote goodbye letters to everyone tonight').to_dict()\n"
        "print(json.dumps({'loaded': sorted(m for m in ('sklearn', 'scipy') if m in sys.modules),"
        " 'learned': b.intent is not None, 'kind': reply['kind'], 'crisis': crisis['kind']}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=os.environ, capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr[-2000:]
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["loaded"] == []
    assert got["learned"] == (bot.intent is not None)
    assert got["kind"] == "answer" and got["crisis"] == "safety"
