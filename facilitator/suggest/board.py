"""Suggestions for one workshop's board, read from the database: the API's answers.

Only visible inputs take part (a hidden input is neither suggested nor a
neighbour). With the embedding engine, pairs whose inputs are both embedded
use the blend of embedding and lexical similarity; an input the worker has
not reached yet is compared lexically meanwhile, so suggestions never wait
for the worker either.
"""

from __future__ import annotations

import unicodedata

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import HintDismissal, Input, InputEmbedding, Theme, Workshop
from . import embedding, engine, lexical, off_the_loop, ranking

# Chosen on the reference workshop by bench/suggest.py (see README, "Grouping help"):
# duplicate: the lowest score at which the pairs above it are still >= 80 % judged the same proposal;
# k, power, anchor_weight: the best sequential hint accuracy; hint_floor: a hint is shown for about
# 85 % of the cards and is right about two times in three (at 0.5: 63 % shown, 76 % right).
TUNING = {
    "lexical": ranking.Tuning(duplicate=0.41, k=7, power=3.0, anchor_weight=6.0, hint_floor=0.4),
    "embedding": ranking.Tuning(duplicate=0.43, k=7, power=3.0, anchor_weight=6.0, hint_floor=0.4),
}
# In the blend, the share of the (centred) embedding similarity; the rest is lexical. 0.3 gave the
# same hints (64.8 % against 64.2 %) but worse duplicates (top five 80 % against 100 %).
EMBEDDING_WEIGHT = 0.5
# Theme hints shown per unsorted card.
HINTS_PER_INPUT = 2


def _same_text(a: str, b: str) -> bool:
    def norm(text: str) -> str:
        return " ".join(unicodedata.normalize("NFKC", text).casefold().split())

    return norm(a) == norm(b)


def similarities(texts, anchors, language, vectors=None):
    """(n x n input similarities, n x themes similarities to the themes' title and summary)."""
    rows = lexical.vectors(list(texts) + list(anchors), language)
    n = len(texts)
    lex, lex_anchor = rows[:n] @ rows[:n].T, rows[:n] @ rows[n:].T
    if vectors is None:
        return lex, lex_anchor
    have = np.array([v is not None for v in vectors], dtype=bool)
    if have.sum() < 3:
        return lex, lex_anchor
    dim = next(v for v in vectors if v is not None).shape[0]
    matrix = np.zeros((n, dim), dtype=np.float32)
    for k, v in enumerate(vectors):
        if v is not None:
            matrix[k] = v
    raw = matrix @ matrix.T
    both = np.outer(have, have)
    # Centre on the embedded pairs only, then blend where both are embedded.
    idx = np.nonzero(have)[0]
    (centred,) = ranking.centre(raw[np.ix_(idx, idx)])
    emb = np.zeros_like(raw)
    emb[np.ix_(idx, idx)] = centred
    sims = np.where(both, ranking.blend(lex, emb, EMBEDDING_WEIGHT), lex)
    np.fill_diagonal(sims, 1.0)
    return sims, lex_anchor


def compute(ids, texts, theme_ids, themes, language, engine, vectors=None, dismissed=frozenset()):
    """The suggestions answer for visible inputs (ids, texts, theme_ids) and themes [(id, title, summary)]."""
    tuning = TUNING.get(engine, TUNING[lexical.NAME])
    answer = {"engine": engine, "duplicates": [], "themes": []}
    n = len(ids)
    if n == 0:
        return answer
    anchors = [f"{title}. {summary}".strip() for _id, title, summary in themes]
    sims, anchor_sims = similarities(texts, anchors, language, vectors if engine == embedding.NAME else None)
    for i, j, score in ranking.duplicate_pairs(sims, tuning.duplicate):
        same = _same_text(texts[i], texts[j])
        answer["duplicates"].append(
            {"input_ids": [ids[i], ids[j]], "score": round(score, 3), "same": same}
        )
    theme_index = {theme_id: t for t, (theme_id, _title, _summary) in enumerate(themes)}
    labels = np.array([theme_index.get(t, -1) for t in theme_ids])
    members = np.nonzero(labels >= 0)[0]
    unsorted = np.nonzero(np.array([t is None for t in theme_ids]))[0]
    if not len(members) or not len(unsorted):
        return answer
    votes = ranking.theme_votes(
        sims[np.ix_(unsorted, members)], labels[members], len(themes), tuning, anchor_sims[unsorted]
    )
    for row, i in enumerate(unsorted):
        order = np.argsort(-votes[row], kind="stable")
        shown = 0
        for t in order:
            theme_id = themes[t][0]
            if shown == HINTS_PER_INPUT or votes[row, t] < tuning.hint_floor:
                break
            if (ids[i], theme_id) in dismissed:
                continue
            answer["themes"].append({"input_id": ids[i], "theme_id": theme_id, "score": round(float(votes[row, t]), 3)})
            shown += 1
    return answer


def _board(s: Session, workshop: Workshop, chosen: str):
    items = list(
        s.execute(
            select(Input.id, Input.text, Input.theme_id)
            .where(Input.workshop_id == workshop.id, Input.hidden.is_(False))
            .order_by(Input.id)
        ).all()
    )
    themes = [
        (t.id, t.title, t.summary or "")
        for t in s.execute(
            select(Theme).where(Theme.workshop_id == workshop.id).order_by(Theme.position, Theme.id)
        ).scalars()
    ]
    vectors = None
    if chosen == embedding.NAME:
        model = embedding.model_name()
        stored = dict(
            s.execute(
                select(InputEmbedding.input_id, InputEmbedding.vector).where(
                    InputEmbedding.workshop_id == workshop.id, InputEmbedding.model == model
                )
            ).all()
        )
        vectors = [embedding.from_bytes(stored[i.id]) if i.id in stored else None for i in items]
    return items, themes, vectors


def suggestions(s: Session, workshop: Workshop) -> dict:
    """Duplicates and theme hints for the workshop's visible inputs."""
    chosen = engine()
    if chosen == "off":
        return {"engine": chosen, "duplicates": [], "themes": [], "pending": 0}
    items, themes, vectors = _board(s, workshop, chosen)
    dismissed = set(
        s.execute(
            select(HintDismissal.input_id, HintDismissal.theme_id).where(HintDismissal.workshop_id == workshop.id)
        ).all()
    )
    answer = off_the_loop(
        compute, [i.id for i in items], [i.text for i in items], [i.theme_id for i in items], themes,
        workshop.language, chosen, vectors, dismissed,
    )
    answer["pending"] = 0 if vectors is None else sum(v is None for v in vectors)
    return answer


def similar(s: Session, workshop: Workshop, input_id: int, limit: int) -> list[dict] | None:
    """The visible inputs most like this one, most similar first; None if the workshop has no such input.

    A hidden input takes no part in suggestions: asking about one gets none.
    """
    item = s.get(Input, input_id)
    if item is None or item.workshop_id != workshop.id:
        return None
    chosen = engine()
    if item.hidden or chosen == "off":
        return []
    items, _themes, vectors = _board(s, workshop, chosen)
    ids = [i.id for i in items]
    sims, _anchors = off_the_loop(
        similarities, [i.text for i in items], [], workshop.language, vectors if chosen == embedding.NAME else None
    )
    return [
        {"input_id": ids[j], "score": round(score, 3), "theme_id": items[j].theme_id}
        for j, score in ranking.most_similar(sims, ids.index(input_id), limit)
    ]
