"""Retention: inputs deleted N days after closing, for real; a workshop deleted at once after a confirmation."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta
from pathlib import Path

import pytest
import socketio
from click.testing import CliRunner
from sqlalchemy import create_engine, func, select, text

from conftest import csrf_of, empty_database, insert_an_old_workshop, log_in
from facilitator import migrate, services
from facilitator.cli import main
from facilitator.db import database
from facilitator.models import CoFacilitator, Event, Input, Prompt, Theme, Workshop, utcnow
from facilitator.jobs import start_daily_purge
from facilitator.services.retention import due

MARKER = "PERSONAL-DATA-MARKER"


def fill(user, n=200, title="To be purged"):
    """A workshop with n inputs that all carry the marker, closed."""
    w = services.create_workshop(user.id, title, prompt="What do you think?", themes=["Kept theme"])
    services.set_status(w.id, "open")
    for i in range(n):
        services.submit_input(w.join_code, f"{MARKER} {i} " + "lorem ipsum " * 20, f"purge-key-{i:06d}")
    services.set_status(w.id, "closed")
    return w


def count(model, workshop_id) -> int:
    with database().reader() as s:
        return s.execute(select(func.count()).select_from(model).where(model.workshop_id == workshop_id)).scalar_one()


def reread(workshop_id) -> Workshop | None:
    with database().reader() as s:
        return s.get(Workshop, workshop_id)


def database_files() -> list[Path]:
    path = Path(database().url.removeprefix("sqlite:///"))
    return [p for p in (path, Path(f"{path}-wal")) if p.exists()]


def test_closing_starts_the_clock_and_reopening_stops_it(app, user):
    w = services.create_workshop(user.id, "Clock")
    assert reread(w.id).closed_at is None and reread(w.id).retention_days == app.config["RETENTION_DAYS"] == 90
    services.set_status(w.id, "open")
    services.set_status(w.id, "closed")
    closed = reread(w.id).closed_at
    assert closed is not None
    services.set_status(w.id, "archived")
    assert reread(w.id).closed_at == closed  # archiving keeps the date it was closed
    services.set_status(w.id, "open")
    assert reread(w.id).closed_at is None


def test_retention_days_are_a_checked_setting(api, workshop):
    path = f"/workshops/{workshop['id']}"
    assert api.patch(path, json={"settings": {"retention_days": 30}}).json["settings"]["retention_days"] == 30
    for bad in (-1, 3651, "30", True, 1.5, None):
        assert api.patch(path, json={"settings": {"retention_days": bad}}).status_code == 400, bad
    assert api.get(path).json["workshop"]["settings"]["retention_days"] == 30


def test_nothing_is_due_before_its_time(app, user):
    w = fill(user, n=3)
    assert due() == []
    assert due(utcnow() + timedelta(days=89)) == []
    assert due(utcnow() + timedelta(days=91)) == [w.id]
    services.update_workshop(w.id, {"settings": {"retention_days": 0}})
    assert due() == [w.id]


def test_a_purge_deletes_inputs_and_their_history_and_keeps_the_frame(app, user, caplog):
    caplog.set_level(logging.INFO, logger="facilitator.retention")
    w = fill(user, n=5)
    other = fill(user, n=2, title="Closed yesterday, kept")
    services.update_workshop(other.id, {"settings": {"retention_days": 365}})
    seq_before = reread(w.id).seq

    purged = services.purge_expired(now=utcnow() + timedelta(days=91))
    assert [(p.workshop_id, p.inputs) for p in purged] == [(w.id, 5)]
    assert count(Input, w.id) == 0
    with database().reader() as s:
        events = s.execute(select(Event).where(Event.workshop_id == w.id)).scalars().all()
        assert [(e.type, e.seq) for e in events] == [("workshop.purged", seq_before + 1)]
        assert events[0].data["inputs_deleted"] == 5 and MARKER not in repr(events[0].data)
        # The facilitator's own work stays: title, question, themes and summaries.
        assert s.execute(select(func.count()).select_from(Theme).where(Theme.workshop_id == w.id)).scalar_one() == 1
        assert s.execute(select(func.count()).select_from(Prompt).where(Prompt.workshop_id == w.id)).scalar_one() == 1
    assert reread(w.id).purged_at is not None
    assert count(Input, other.id) == 2  # not yet due
    assert any("purged workshop" in r.getMessage() and str(w.id) in r.getMessage() for r in caplog.records)
    # Done once: the next run finds nothing more to do for it.
    assert services.purge_expired(now=utcnow() + timedelta(days=91)) == []


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_purged_text_is_gone_from_the_sqlite_files_and_the_space_is_reclaimed(app, user):
    w = fill(user, n=300)
    assert any(MARKER.encode() in p.read_bytes() for p in database_files())
    size_before = sum(p.stat().st_size for p in database_files())
    services.purge_expired(now=utcnow() + timedelta(days=91))
    for path in database_files():
        assert MARKER.encode() not in path.read_bytes(), f"{path.name} still holds purged text"
    assert sum(p.stat().st_size for p in database_files()) < size_before / 2
    with database().engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA freelist_count").scalar() == 0
    assert count(Input, w.id) == 0


def test_a_wall_that_was_away_during_a_purge_gets_a_snapshot(live_server, user, token):
    w = fill(user, n=3)
    seen = reread(w.id).seq
    services.purge_expired(now=utcnow() + timedelta(days=91))
    client = socketio.Client(reconnection=False)
    client.connect(live_server.url, auth={"role": "wall", "workshop": w.id, "token": token}, transports=["websocket"], wait_timeout=10)
    try:
        answer = client.call("sync", {"since": seen - 2}, timeout=10)
        assert "snapshot" in answer and answer["snapshot"]["inputs"] == []
        # A wall that saw everything up to the purge just applies the purge event.
        events = client.call("sync", {"since": seen}, timeout=10)["events"]
        assert [(e["seq"], e["type"]) for e in events] == [(seen + 1, "workshop.purged")]
    finally:
        threading.Thread(target=client.disconnect, daemon=True).start()


def test_the_purge_command(app, user):
    w = fill(user, n=2)
    services.update_workshop(w.id, {"settings": {"retention_days": 0}})
    dry = CliRunner().invoke(main, ["purge", "--dry-run"], obj=app)
    assert dry.exit_code == 0 and f"1 workshop(s) due: {w.id}" in dry.output
    assert count(Input, w.id) == 2
    real = CliRunner().invoke(main, ["purge"], obj=app)
    assert real.exit_code == 0, real.output
    assert f"Workshop {w.id}: deleted 2 inputs" in real.output
    assert count(Input, w.id) == 0


def test_the_server_purges_on_its_own(app, user):
    w = fill(user, n=2)
    services.update_workshop(w.id, {"settings": {"retention_days": 0}})
    app.config["RETENTION_PURGE_HOURS"] = 24
    thread = start_daily_purge(app, first_delay=0.05)
    try:
        deadline = threading.Event()
        for _ in range(200):
            if count(Input, w.id) == 0:
                break
            deadline.wait(0.05)
        assert count(Input, w.id) == 0
    finally:
        thread.stop.set()
        thread.join(5)
    app.config["RETENTION_PURGE_HOURS"] = 0
    assert start_daily_purge(app) is None


def test_deleting_a_workshop_asks_first_and_offers_the_export(app, user, other_user):
    w = fill(user, n=3)
    services.add_co_facilitator(w.id, other_user.email)
    owner = app.test_client()
    log_in(owner)
    page = owner.get(f"/workshops/{w.id}").text
    assert f'href="/workshops/{w.id}/delete"' in page
    confirm = owner.get(f"/workshops/{w.id}/delete").text
    assert f'action="/workshops/{w.id}/export"' in confirm  # the export form comes first
    assert 'value="json"' in confirm and 'name="confirm"' in confirm
    assert owner.post(f"/workshops/{w.id}/delete", data={"csrf_token": csrf_of(owner)}).status_code == 400
    assert count(Input, w.id) == 3

    co = app.test_client()
    log_in(co, "bo@example.org")
    assert co.get(f"/workshops/{w.id}/delete").status_code == 403
    assert f'/workshops/{w.id}/delete"' not in co.get(f"/workshops/{w.id}").text

    done = owner.post(f"/workshops/{w.id}/delete", data={"confirm": "yes", "csrf_token": csrf_of(owner)})
    assert done.status_code == 302 and done.headers["Location"].startswith("/workshops")
    assert reread(w.id) is None
    for model in (Input, Event, Theme, Prompt, CoFacilitator):
        assert count(model, w.id) == 0, model.__name__
    assert owner.get(f"/workshops/{w.id}").status_code == 404


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_deleted_workshops_text_is_gone_from_the_sqlite_files(app, user, token, caplog):
    caplog.set_level(logging.INFO, logger="facilitator.retention")
    w = fill(user, n=300)
    assert app.test_client().delete(f"/api/v1/workshops/{w.id}", headers={"Authorization": f"Bearer {token}"}).status_code == 204
    for path in database_files():
        assert MARKER.encode() not in path.read_bytes(), f"{path.name} still holds deleted text"
    assert any("deleted workshop" in r.getMessage() for r in caplog.records)


def test_projectors_are_told_when_their_workshop_is_deleted(live_server, user):
    w = fill(user, n=1)
    projector = socketio.Client(reconnection=False)
    revoked = threading.Event()
    projector.on("revoked", lambda *args: revoked.set())
    projector.connect(live_server.url, auth={"role": "projector", "secret": w.projector_secret}, transports=["websocket"], wait_timeout=10)
    try:
        with live_server.app.app_context():
            services.delete_workshop(w.id, actor="test")
        assert revoked.wait(10)
    finally:
        threading.Thread(target=projector.disconnect, daemon=True).start()


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def test_migration_0002_goes_down_and_up_and_keeps_the_text_trigger(backend, tmp_path):
    with empty_database(backend, tmp_path, "mig") as url:
        engine = create_engine(url)
        try:
            migrate.upgrade(url, "0001")
            with engine.begin() as conn:
                insert_an_old_workshop(conn, status="closed")
            migrate.upgrade(url)
            with engine.connect() as conn:
                row = conn.execute(text("SELECT locked, retention_days, closed_at FROM workshops")).one()
                assert not row[0] and row[1] == 90 and row[2] is not None  # closed before: its clock starts now
                assert conn.execute(text("SELECT is_active FROM users")).scalar()
            migrate.downgrade(url, "0001")
            migrate.upgrade(url)
            with pytest.raises(Exception, match="immutable"):
                with engine.begin() as conn:
                    conn.execute(text("UPDATE inputs SET text = 'edited'"))
            with engine.connect() as conn:
                assert conn.execute(text("SELECT text FROM inputs")).scalar() == "original"
        finally:
            engine.dispose()
