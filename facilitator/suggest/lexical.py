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


@lru_cache(maxsize=4)
def _stemmer(language: str):
    return snowballstemmer.stemmer(STEMMERS.get(language, "danish"))


@lru_cache(maxsize=20000)
def features(text: str, language: str = "da") -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(stems, character n-grams) of one text; cached, since input texts never change."""
    words = [w for w in WORD.findall(text.casefold()) if not w.isdigit()]
    stems = tuple(_stemmer(language).stemWords(words))
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
    df: dict[str, int] = {}
    counts = []
    for doc in docs:
        c: dict[str, int] = {}
        for f in doc:
            c[f] = c.get(f, 0) + 1
        counts.append(c)
        for f in c:
            df[f] = df.get(f, 0) + 1
    vocab = {f: k for k, f in enumerate(f for f, d in df.items() if d > 1)}
    idf = {f: float(np.log((1 + n) / (1 + d)) + 1) for f, d in df.items()}
    matrix = np.zeros((n, len(vocab)), dtype=np.float32)
    for row, c in enumerate(counts):
        weights = {f: (1 + np.log(k)) * idf[f] for f, k in c.items()}
        norm = float(np.sqrt(sum(w * w for w in weights.values()))) or 1.0
        for f, w in weights.items():
            col = vocab.get(f)
            if col is not None:
                matrix[row, col] = w / norm
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
