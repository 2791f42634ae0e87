"""The detector's neighbour features (bot/detector.py): how close a message comes to each label's nearest messages."""

from __future__ import annotations

import numpy as np
import pytest

from bot.detector import CLASSES, Detector, Sample, neighbour_features
from bot.safety_data import NONE


def test_neighbour_features_are_the_mean_and_max_of_the_k_closest_per_label() -> None:
    sims = np.array([[0.9, 0.1, 0.5, 0.7, 0.2], [0.0, 0.3, 0.6, -0.2, 0.8]], dtype=np.float32)
    columns = [np.array([0, 2, 3]), np.array([1, 4]), np.array([], dtype=int)]
    got = neighbour_features(sims, columns, k=2)
    assert got.shape == (2, 6)
    assert got[0] == pytest.approx([0.8, 0.9, 0.15, 0.2, 0.0, 0.0])  # (0.9+0.7)/2, 0.9; (0.1+0.2)/2 ...
    assert got[1] == pytest.approx([0.3, 0.6, 0.55, 0.8, 0.0, 0.0])  # a label with no messages gives zeros
    # Fewer messages than k: all of them count.
    assert neighbour_features(sims, [np.array([4])], k=3)[:, 0] == pytest.approx([0.2, 0.8])


def test_one_message_gets_the_same_neighbour_features_as_in_a_batch() -> None:
    """One message takes a faster path (the hot path); its numbers are bit for bit the batch's, ties included."""
    rng = np.random.default_rng(7)
    labels = rng.integers(0, 12, 2000)
    labels[:2], labels[2] = 12, 13  # a label with fewer messages than k, and one with a single message
    columns = [np.flatnonzero(labels == i) for i in range(15)]  # label 14 has none
    sims = rng.standard_normal((6, 2000)).astype(np.float32)
    sims[3] = np.round(sims[3], 1)  # many ties
    batch = neighbour_features(sims, columns)
    for row in range(len(sims)):
        assert np.array_equal(neighbour_features(sims[row : row + 1], columns)[0], batch[row])


def unit(seed: int, dim: int = 16) -> np.ndarray:
    v = np.random.default_rng(seed).standard_normal(dim).astype(np.float32)
    return v / np.linalg.norm(v)


def test_a_training_message_is_not_its_own_neighbour() -> None:
    """Otherwise every training message would sit at cosine 1 from its own label, and the model would learn nothing."""
    labels = [NONE, NONE, NONE, "crisis", "crisis", "crisis", "dosing", "dosing"]
    vectors = np.stack([unit(i) for i in range(len(labels))])
    samples = [Sample(f"message {i}", f"message {i}", lb) for i, lb in enumerate(labels)]
    det = Detector(samples, vectors=vectors, embed=lambda text: vectors[int(text.split()[1])])
    near = det._training_neighbour_features(chunk=3)  # in chunks smaller than the bank, as for a large one
    full = neighbour_features(vectors @ vectors.T, det._neighbour_columns)
    own = [CLASSES.index(lb) for lb in labels]
    for row, label in enumerate(own):
        assert near[row, 2 * label + 1] < 0.999  # its own label's max is another message's cosine
        assert full[row, 2 * label + 1] == pytest.approx(1.0, abs=1e-5)
    # A new message equal to a training message does see it.
    assert det.neighbours(vectors[3:4])[0, 2 * CLASSES.index("crisis") + 1] == pytest.approx(1.0, abs=1e-5)
