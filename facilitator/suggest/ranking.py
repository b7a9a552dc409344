"""From a similarity matrix to suggestions: duplicate pairs, similar inputs, theme hints.

Engine-agnostic: `sims` is an n x n matrix of cosine similarities (lexical,
embedding or their blend, see blend()). The method and thresholds are the
ones bench/suggest.py chose on the reference workshop (numbers in README).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Tuning:
    """Thresholds and weights of one engine (chosen in bench/suggest.py)."""

    # A pair at or above this similarity is flagged as a near-duplicate.
    duplicate: float
    # Neighbours the theme vote counts, and how sharply closer ones count more.
    k: int = 7
    power: float = 3.0
    # How much the theme's title and summary count, as if that many members were that close.
    anchor_weight: float = 1.0
    # A hint is shown only if its share of the vote reaches this.
    hint_floor: float = 0.0


def centre(sims: np.ndarray, *others: np.ndarray) -> tuple[np.ndarray, ...]:
    """Rescale similarities so the board's typical pair scores 0 and an identical one 1.

    Embedding cosines of unrelated Danish texts sit around 0.8 (multilingual-e5
    is known for this), which flattens a neighbour vote and swamps a blend
    with the lexical cosine, whose typical pair scores near 0. The median of
    the board's off-diagonal similarities is the reference; `others` (e.g.
    similarities to theme titles) get the same transform.
    """
    n = sims.shape[0]
    if n < 3:
        return (sims, *others)
    off = sims[~np.eye(n, dtype=bool)]
    middle = float(np.median(off))
    scale = 1.0 - middle if middle < 1 else 1.0
    return tuple((m - middle) / scale for m in (sims, *others))


def blend(lexical: np.ndarray | None, embedding: np.ndarray | None, weight: float) -> np.ndarray:
    """weight x embedding + (1 - weight) x lexical similarity (either may be missing)."""
    if embedding is None:
        return lexical
    if lexical is None:
        return embedding
    return weight * embedding + (1 - weight) * lexical


def duplicate_pairs(sims: np.ndarray, threshold: float, limit: int = 200) -> list[tuple[int, int, float]]:
    """(i, j, score) with i < j and score >= threshold, most similar first."""
    n = sims.shape[0]
    if n < 2:
        return []
    upper = np.triu(sims, 1)
    rows, cols = np.nonzero(upper >= threshold)
    scores = upper[rows, cols]
    order = np.argsort(-scores, kind="stable")[:limit]
    return [(int(rows[k]), int(cols[k]), float(scores[k])) for k in order]


def most_similar(sims: np.ndarray, index: int, limit: int) -> list[tuple[int, float]]:
    """The `limit` others most similar to `index`, most similar first."""
    row = sims[index].astype(np.float64).copy()
    row[index] = -np.inf
    order = np.argsort(-row, kind="stable")[:limit]
    return [(int(j), float(row[j])) for j in order if np.isfinite(row[j])]


def theme_votes(
    member_sims: np.ndarray, member_labels: np.ndarray, themes: int, tuning: Tuning, anchors: np.ndarray | None = None
) -> np.ndarray:
    """Each row's share of a weighted nearest-neighbour vote over the themes (rows sum to 1 or 0).

    member_sims: rows to score x sorted members; member_labels: theme index of
    each member; anchors: rows x themes similarity to each theme's title and
    summary, counted like a member of that theme with anchor_weight.
    """
    rows = member_sims.shape[0]
    votes = np.zeros((rows, themes), dtype=np.float64)
    if member_sims.shape[1]:
        k = min(tuning.k, member_sims.shape[1])
        nearest = np.argpartition(-member_sims, k - 1, axis=1)[:, :k]
        near_sims = np.take_along_axis(member_sims, nearest, axis=1).clip(min=0) ** tuning.power
        near_labels = member_labels[nearest]
        for t in range(themes):
            votes[:, t] = (near_sims * (near_labels == t)).sum(axis=1)
    if anchors is not None and tuning.anchor_weight:
        votes += tuning.anchor_weight * anchors.clip(min=0) ** tuning.power
    total = votes.sum(axis=1, keepdims=True)
    return np.divide(votes, total, out=np.zeros_like(votes), where=total > 0)
