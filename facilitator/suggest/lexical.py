"""The lexical engine: Snowball stems and character n-grams, TF-IDF weighted, as unit vectors.

Stems catch inflections ("ledelsen", "ledelse"); character 4-grams inside
words catch Danish compounds ("arbejdsmiljø" and "miljøet" share "milj").
Features are weighted with sublinear term frequency and smoothed inverse
document frequency over the board, and the two families get equal weight.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
import snowballstemmer

from . import LEXICAL as NAME

STEMMERS = {"da": "danish", "en": "english"}
NGRAM = 4
WORD = re.compile(r"\w+", re.UNICODE)


@lru_cache(maxsize=20000)
def features(text: str, language: str = "da") -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(stems, character n-grams) of one text; cached, since input texts never change."""
    words = [w for w in WORD.findall(text.casefold()) if not w.isdigit()]
    # A stemmer of its own (half a microsecond to make): a Snowball stemmer keeps the word
    # it works on in itself, and two threads sharing one garbled or crashed each other's.
    stems = tuple(snowballstemmer.stemmer(STEMMERS.get(language, "danish")).stemWords(words))
    grams: list[str] = []
    for word in words:
        padded = f"<{word}>"
        if len(padded) <= NGRAM:
            grams.append(padded)
        else:
            grams.extend(padded[i : i + NGRAM] for i in range(len(padded) - NGRAM + 1))
    return stems, tuple(grams)


def _block(docs: list[tuple[str, ...]]) -> np.ndarray:
    """TF-IDF unit rows for one feature family; features seen in one text only are dropped
    after normalising (they add nothing to any similarity and would only widen the matrix)."""
    n = len(docs)
    # Every occurrence as (text, feature id); the weighing is then array arithmetic, since a
    # 2,000-card board has a quarter of a million occurrences and Python's loop was most of
    # a suggestion's time.
    ids: dict[str, int] = {}
    occurrences = [ids.setdefault(f, len(ids)) for doc in docs for f in doc]
    if not occurrences:
        return np.zeros((n, 0), dtype=np.float32)
    features = np.array(occurrences, dtype=np.int64)
    texts = np.repeat(np.arange(n, dtype=np.int64), [len(doc) for doc in docs])
    pairs, tf = np.unique(texts * len(ids) + features, return_counts=True)
    row, feature = np.divmod(pairs, len(ids))
    df = np.bincount(feature, minlength=len(ids))
    idf = np.log((1 + n) / (1 + df)) + 1
    weight = (1 + np.log(tf)) * idf[feature]
    norm = np.sqrt(np.bincount(row, weight * weight, minlength=n))
    norm[norm == 0] = 1.0
    shared = df > 1
    column = np.cumsum(shared) - 1
    keep = shared[feature]
    matrix = np.zeros((n, int(shared.sum())), dtype=np.float32)
    matrix[row[keep], column[feature[keep]]] = weight[keep] / norm[row[keep]]
    return matrix


def vectors(texts: list[str], language: str = "da") -> np.ndarray:
    """Rows whose dot products are the lexical cosine similarities of the texts (0 to 1)."""
    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    feats = [features(t, language) for t in texts]
    stems = _block([f[0] for f in feats])
    grams = _block([f[1] for f in feats])
    # Equal halves: the dot product of two rows is the mean of the two cosines.
    return np.hstack([stems, grams]) * np.float32(np.sqrt(0.5))
