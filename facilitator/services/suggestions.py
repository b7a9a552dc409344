"""Writes for the grouping help: storing embeddings (derived data) and dismissing a theme hint."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from ..db import database
from ..models import HintDismissal, Input, InputEmbedding
from .board import input_of, theme_of
from .unit import write


def store_embeddings(model: str, vectors: dict[int, bytes]) -> int:
    """Store (or replace) the embeddings of inputs by id; return how many were stored.

    Embeddings are derived from the immutable text and can be recomputed at any
    time, like an index: they change nothing on the board, so they record no
    event (one per input would double the event log and wake every wall).
    Inputs deleted meanwhile (a purge) are skipped.
    """
    if not vectors:
        return 0
    for _attempt in range(3):
        session = database().writer()
        try:
            with session.begin():
                rows = session.execute(
                    select(Input.id, Input.workshop_id).where(Input.id.in_(list(vectors)))
                ).all()
                ids = [row.id for row in rows]
                session.execute(delete(InputEmbedding).where(InputEmbedding.input_id.in_(ids)))
                session.add_all(
                    InputEmbedding(input_id=row.id, workshop_id=row.workshop_id, model=model, vector=vectors[row.id])
                    for row in rows
                )
            return len(ids)
        except IntegrityError:
            # Another process stored one of them, or an input went between the read and the insert: again.
            continue
        finally:
            session.close()
    return 0


def dismiss_hint(workshop_id: int, input_id: int, theme_id: object, actor: str = "") -> bool:
    """Stop suggesting this theme for this input (remembered); True if it was not dismissed before."""
    with write(actor) as uow:
        uow.lock(workshop_id)
        s = uow.session
        item = input_of(s, workshop_id, input_id)
        theme = theme_of(s, workshop_id, theme_id)
        if s.get(HintDismissal, (item.id, theme.id)) is not None:
            return False
        s.add(HintDismissal(input_id=item.id, theme_id=theme.id, workshop_id=workshop_id))
        uow.record("suggestion.dismissed", {"input_id": item.id, "theme_id": theme.id})
    return True

