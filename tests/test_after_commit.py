"""A committed write never answers 500, whatever an after-commit hook does."""

from __future__ import annotations

import logging

from sqlalchemy import select

from conftest import send
from facilitator import services
from facilitator.db import database
from facilitator.models import Input


def test_a_failing_hook_is_logged_and_the_stored_input_is_acknowledged(app, client, user, caplog):
    w = services.create_workshop(user.id, "Kroge", language="da")
    services.set_status(w.id, "open")
    published = []

    def broken(_events):
        raise ConnectionError("the message queue is away")

    hooks = database().after_commit
    hooks.insert(0, broken)  # before the Socket.IO publisher: the hooks after it still run
    hooks.append(published.extend)
    try:
        with caplog.at_level(logging.ERROR, logger="facilitator.services.unit"):
            answer = send(client, w.join_code, "gemt trods alt")
    finally:
        hooks.remove(broken)
        hooks.remove(published.extend)
    assert answer.status_code == 201
    with database().reader() as s:
        assert s.execute(select(Input.text).where(Input.workshop_id == w.id)).scalars().all() == ["gemt trods alt"]
    assert [e.type for e in published] == ["input.created"]
    assert "after-commit hook broken failed" in caplog.text and "message queue is away" in caplog.text
