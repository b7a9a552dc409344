"""The background worker that embeds each input once, after it is stored, off the request path.

A phone's post commits and answers without waiting: the after-commit hook
only sets an event that wakes this thread. The thread then embeds, in
batches, every input that has no embedding from the current model (new
inputs, imported ones, and all of them after a model change) and stores
the vectors through services.suggestions.store_embeddings. If the thread is
stopped or slow, suggestions fall back to lexical similarity for the inputs
it has not reached (suggest/board.py).
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy import and_, select

from .. import extensions
from ..db import database
from ..models import Input, InputEmbedding
from ..services.suggestions import store_embeddings
from . import embedding

log = logging.getLogger("facilitator.suggest")
BATCH = 16
WAKING = {"input.created", "input.unhidden", "workshop.created"}


class EmbeddingWorker:
    """One daemon thread per server process; wake() after inputs arrive, stop() to end it."""

    def __init__(self, app, poll_seconds: float = 60.0) -> None:
        self.app = app
        self.poll_seconds = poll_seconds
        self.wakeup = threading.Event()
        self.stopping = threading.Event()
        self.thread: threading.Thread | None = None

    def start(self) -> EmbeddingWorker:
        """Start the thread; it first catches up with what is not embedded yet."""
        self.thread = threading.Thread(target=self._loop, name="facilitator-embed", daemon=True)
        self.thread.start()
        self.wakeup.set()
        return self

    def stop(self, timeout: float = 30.0) -> None:
        """Stop the thread after the batch in hand (posts are unaffected either way)."""
        self.stopping.set()
        self.wakeup.set()
        if self.thread is not None:
            self.thread.join(timeout)

    def on_commit(self, events: list) -> None:
        """After-commit hook: wake the thread when inputs may need embedding."""
        if any(e.type in WAKING for e in events):
            self.wakeup.set()

    def pending(self, limit: int = BATCH) -> list[tuple[int, str]]:
        """(id, text) of inputs without an embedding from the current model, oldest first."""
        model = embedding.model_name()
        with database().reader() as s:
            return list(
                s.execute(
                    select(Input.id, Input.text)
                    .outerjoin(InputEmbedding, and_(InputEmbedding.input_id == Input.id, InputEmbedding.model == model))
                    .where(InputEmbedding.input_id.is_(None))
                    .order_by(Input.id)
                    .limit(limit)
                ).all()
            )

    def run_once(self) -> int:
        """Embed every pending input now, in batches; return how many were stored."""
        done = 0
        with self.app.app_context():
            while not self.stopping.is_set():
                batch = self.pending()
                if not batch:
                    break
                vectors = embedding.embed([text for _id, text in batch])
                stored = store_embeddings(
                    embedding.model_name(), {i: embedding.to_bytes(v) for (i, _t), v in zip(batch, vectors)}
                )
                done += stored
                if stored == 0:
                    break  # nothing could be stored (inputs gone, or contention): wait for the next wake-up
        return done

    def _loop(self) -> None:
        while not self.stopping.is_set():
            self.wakeup.wait(self.poll_seconds)
            self.wakeup.clear()
            if self.stopping.is_set():
                break
            try:
                self.run_once()
            except Exception:  # a background job has no caller to tell; the next wake-up tries again
                log.exception("embedding inputs failed")


def init_app(app, database_) -> EmbeddingWorker | None:
    """Make the worker of this app if it uses the embedding engine; facilitator.jobs starts it."""
    from .board import engine

    with app.app_context():
        if engine() != embedding.NAME:
            return None
    worker = EmbeddingWorker(app)
    extensions.register(app, embed_worker=worker)
    database_.after_commit.append(worker.on_commit)
    return worker
