"""The background worker that embeds each input once, after it is stored, off the request path.

A phone's post commits and answers without waiting: the after-commit hook
only sets an event that wakes this thread. The thread then embeds, in
batches, every input that has no embedding from the current model (new
inputs, imported ones, and all of them after a model change) and stores
the vectors through services.suggestions.store_embeddings. If the thread is
stopped or slow, suggestions fall back to lexical similarity for the inputs
it has not reached (suggest/board.py).

Embedding one input costs several times a post's whole CPU, so the thread
waits for a lull: it embeds once no input has arrived for QUIET_SECONDS, and
in an unbroken stream (a plenary's burst) it takes one batch per
LONGEST_WAIT_SECONDS, so the room's posts keep the core.
"""

from __future__ import annotations

import logging
import threading
import time

from sqlalchemy import and_, select

from .. import extensions
from ..db import database
from ..models import Input, InputEmbedding
from ..services.suggestions import store_embeddings
from . import embedding, engine, off_the_loop

log = logging.getLogger("facilitator.suggest")
BATCH = 16
WAKING = {"input.created", "input.unhidden", "workshop.created"}
QUIET_SECONDS = 2.0
LONGEST_WAIT_SECONDS = 30.0


class EmbeddingWorker:
    """One daemon thread per server process; wake() after inputs arrive, stop() to end it."""

    def __init__(self, app, poll_seconds: float = 60.0, quiet_seconds: float = QUIET_SECONDS,
                 longest_wait_seconds: float = LONGEST_WAIT_SECONDS) -> None:
        self.app = app
        self.poll_seconds = poll_seconds
        self.quiet_seconds = quiet_seconds
        self.longest_wait_seconds = longest_wait_seconds
        self.last_input = float("-inf")
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
            if any(e.type == "input.created" for e in events):
                self.last_input = time.monotonic()
            self.wakeup.set()

    def wait_for_lull(self) -> None:
        """Return once no input has arrived for quiet_seconds, or after longest_wait_seconds, or on stop()."""
        deadline = time.monotonic() + self.longest_wait_seconds
        while not self.stopping.is_set():
            now = time.monotonic()
            until = min(self.last_input + self.quiet_seconds, deadline)
            if now >= until:
                return
            self.stopping.wait(until - now)

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

    def run_once(self, before_batch=lambda: None) -> int:
        """Embed every pending input, in batches (calling before_batch before each); return how many were stored."""
        done = 0
        with self.app.app_context():
            while not self.stopping.is_set():
                before_batch()
                if self.stopping.is_set():
                    break
                batch = self.pending()
                if not batch:
                    break
                vectors = off_the_loop(embedding.embed, [text for _id, text in batch])
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
                self.run_once(before_batch=self.wait_for_lull)
            except Exception:  # a background job has no caller to tell; the next wake-up tries again
                log.exception("embedding inputs failed")


def init_app(app, database_) -> EmbeddingWorker | None:
    """Make the worker of this app if it uses the embedding engine; facilitator.jobs starts it."""
    with app.app_context():
        if engine() != embedding.NAME:
            return None
    worker = EmbeddingWorker(app)
    extensions.register(app, embed_worker=worker)
    database_.after_commit.append(worker.on_commit)
    return worker
