"""The service layer: the one write path, the event log and the invariants it keeps."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError

from facilitator import services
from facilitator.db import database
from facilitator.errors import ServiceError
from facilitator.models import Event, Input
from facilitator.services.board import GAP


def new_workshop(user, **kw):
    w = services.create_workshop(user.id, kw.pop("title", "W"), themes=kw.pop("themes", ["A", "B"]), **kw)
    services.set_status(w.id, "open")
    return w


def submit(w, text, key=None):
    return services.submit_input(w.join_code, text, key or str(uuid.uuid4()))


def events(w):
    with database().reader() as s:
        return list(s.execute(select(Event).where(Event.workshop_id == w.id).order_by(Event.seq)).scalars())


def test_every_write_appends_one_event_with_the_next_seq(user):
    w = new_workshop(user)
    item, created = submit(w, "Første input")
    assert created
    theme_id = events(w)[1].data["id"]
    services.move_input(w.id, item.id, theme_id, 0)
    services.hide_input(w.id, item.id, "spam")
    seqs = [e.seq for e in events(w)]
    assert seqs == list(range(1, len(seqs) + 1))
    assert [e.type for e in events(w)][-3:] == ["input.created", "input.moved", "input.hidden"]


def test_text_is_stored_exactly_as_received(user):
    w = new_workshop(user)
    raw = "  Synlighed er vigtigt – ledelse\r\n\t→ “citat” 🏳️‍🌈 \u200b<b>x</b>  "
    item, _ = submit(w, raw)
    with database().reader() as s:
        assert s.get(Input, item.id).text == raw


def test_same_client_key_stores_once_and_returns_the_stored_input(user):
    w = new_workshop(user)
    key = str(uuid.uuid4())
    first, created = submit(w, "Hej", key)
    again, created_again = submit(w, "Hej", key)
    assert created and not created_again
    assert again.id == first.id
    with database().reader() as s:
        assert s.execute(select(Input).where(Input.workshop_id == w.id)).scalars().all() == [s.get(Input, first.id)]
    assert [e.type for e in events(w)].count("input.created") == 1


def test_a_repeat_after_closing_still_gets_its_receipt(user):
    w = new_workshop(user)
    key = str(uuid.uuid4())
    first, _ = submit(w, "Sent before close", key)
    services.set_status(w.id, "closed")
    again, created = submit(w, "Sent before close", key)
    assert again.id == first.id and not created


@pytest.mark.parametrize(
    "status, code",
    [("paused", "not_open"), ("closed", "closed")],
)
def test_a_workshop_that_is_not_open_refuses_new_inputs(user, status, code):
    w = new_workshop(user)
    services.set_status(w.id, status)
    with pytest.raises(ServiceError) as refused:
        submit(w, "Too late")
    assert refused.value.code == code


def test_a_draft_workshop_refuses_inputs(user):
    w = services.create_workshop(user.id, "Draft")
    with pytest.raises(ServiceError) as refused:
        submit(w, "Too early")
    assert refused.value.code == "not_open"


@pytest.mark.parametrize(
    "text, code",
    [
        ("", "empty"),
        ("   \n\t", "empty"),
        ("x" * 1001, "too_long"),
        ("bell\x07", "control_characters"),
        ("nul\x00", "control_characters"),
        ("lone \ud800 surrogate", "control_characters"),
        (42, "invalid"),
    ],
)
def test_invalid_text_is_refused_and_nothing_is_stored(user, text, code):
    w = new_workshop(user)
    with pytest.raises(ServiceError) as refused:
        submit(w, text)
    assert refused.value.code == code
    assert [e.type for e in events(w)].count("input.created") == 0


def test_the_length_limit_counts_characters_and_is_a_setting(user):
    w = new_workshop(user, settings={"max_input_length": 5})
    submit(w, "æøå🙂!")
    with pytest.raises(ServiceError) as refused:
        submit(w, "æøå🙂!!")
    assert refused.value.params == {"length": 6, "limit": 5}


def test_the_database_refuses_to_update_an_input_text(user):
    w = new_workshop(user)
    item, _ = submit(w, "Original")
    with pytest.raises(DBAPIError):
        with database().writer() as s, s.begin():
            s.execute(update(Input).where(Input.id == item.id).values(text="Edited"))
    with pytest.raises(DBAPIError):
        with database().engine.begin() as conn:
            conn.execute(text("UPDATE inputs SET text = 'Edited' WHERE id = :id"), {"id": item.id})
    with database().reader() as s:
        assert s.get(Input, item.id).text == "Original"


def board_columns(w) -> dict:
    """{theme id or None: [input ids in board order]} from the database."""
    with database().reader() as s:
        rows = s.execute(select(Input.theme_id, Input.id).where(Input.workshop_id == w.id).order_by(Input.position, Input.id)).all()
    columns: dict = {}
    for theme_id, input_id in rows:
        columns.setdefault(theme_id, []).append(input_id)
    return columns


def test_moves_keep_columns_consistent_and_name_the_input_they_follow(user):
    w = new_workshop(user)
    a, b = [e.data["id"] for e in events(w) if e.type == "theme.created"]
    items = [submit(w, f"input {n}")[0] for n in range(4)]
    ids = [i.id for i in items]
    services.move_input(w.id, ids[0], a, 0)
    services.move_input(w.id, ids[1], a, 0)
    moved, index = services.move_input(w.id, ids[2], a, 1)
    assert (moved.id, index) == (ids[2], 1)
    last = events(w)[-1].data
    assert last == {"input_id": ids[2], "theme_id": a, "index": 1, "after": ids[1], "after_visible": ids[1], "from_theme_id": None}
    assert board_columns(w) == {a: [ids[1], ids[2], ids[0]], None: [ids[3]]}
    # Past the end: clamped to it, and the answer says where it went.
    assert services.move_input(w.id, ids[1], a, 99)[1] == 2
    assert events(w)[-1].data["after"] == ids[0] and "from_theme_id" not in events(w)[-1].data
    assert board_columns(w)[a] == [ids[2], ids[0], ids[1]]
    services.move_input(w.id, ids[0], None, 0)
    assert events(w)[-1].data["after"] is None
    assert board_columns(w) == {a: [ids[2], ids[1]], None: [ids[0], ids[3]]}
    # a move to where it already is changes nothing and records nothing
    before = len(events(w))
    assert services.move_input(w.id, ids[0], None, 0)[1] == 0
    assert services.move_input(w.id, ids[2], a, 0)[1] == 0
    assert len(events(w)) == before
    with pytest.raises(ServiceError):
        services.move_input(w.id, ids[0], b + 1000, 0)


def test_a_move_between_neighbours_with_no_room_makes_room_once(user):
    w = new_workshop(user)
    ids = [submit(w, f"input {n}")[0].id for n in range(6)]  # positions 0..5 in Unsorted
    # Into the middle of consecutive positions, again and again at the same spot.
    for moved in (ids[5], ids[4], ids[3]):
        services.move_input(w.id, moved, None, 1)
    assert board_columns(w)[None] == [ids[0], ids[3], ids[4], ids[5], ids[1], ids[2]]
    with database().reader() as s:
        positions = dict(s.execute(select(Input.id, Input.position).where(Input.workshop_id == w.id)).all())
    # Only the first of those moves had to shift the rest of the column, once.
    assert positions[ids[1]] == GAP + 1 and positions[ids[2]] == GAP + 2


def test_a_moved_or_shown_input_names_the_visible_input_before_it_for_projectors(user):
    w = new_workshop(user)
    ids = [submit(w, f"input {n}")[0].id for n in range(4)]
    services.hide_input(w.id, ids[1], "off topic")
    services.hide_input(w.id, ids[2], "off topic")
    services.move_input(w.id, ids[3], None, 0)
    assert board_columns(w)[None] == [ids[3], ids[0], ids[1], ids[2]]
    services.move_input(w.id, ids[3], None, 3)  # to the end, after the hidden ids[2]
    data = events(w)[-1].data
    assert data["after"] == ids[2] and data["after_visible"] == ids[0]
    services.move_input(w.id, ids[0], None, 2)  # between ids[2] and ids[3], which have adjacent positions
    data = events(w)[-1].data
    assert data["after"] == ids[2] and data["after_visible"] is None
    assert board_columns(w)[None] == [ids[1], ids[2], ids[0], ids[3]]
    services.unhide_input(w.id, ids[2])
    assert events(w)[-1].data["after_visible"] is None  # ids[1] before it is hidden
    services.move_input(w.id, ids[3], None, 0)
    services.unhide_input(w.id, ids[1])
    assert events(w)[-1].data["after_visible"] == ids[3]


def test_deleting_a_theme_returns_its_inputs_to_unsorted(user):
    w = new_workshop(user)
    a, b = [e.data["id"] for e in events(w) if e.type == "theme.created"]
    x, _ = submit(w, "x")
    y, _ = submit(w, "y")
    services.move_input(w.id, x.id, a, 0)
    services.delete_theme(w.id, a)
    last = events(w)[-1]
    assert last.type == "theme.deleted"
    assert last.data["unsorted_order"] == [y.id, x.id]
    assert last.data["theme_order"] == [b]


def test_merging_themes_keeps_every_input_and_both_summaries(user):
    w = new_workshop(user)
    a, b = [e.data["id"] for e in events(w) if e.type == "theme.created"]
    services.update_theme(w.id, a, {"summary": "Om A."})
    services.update_theme(w.id, b, {"summary": "Om B."})
    x, _ = submit(w, "x")
    y, _ = submit(w, "y")
    services.move_input(w.id, x.id, a, 0)
    services.move_input(w.id, y.id, b, 0)
    target = services.merge_themes(w.id, a, b)
    assert target.summary == "Om B.\n\nOm A."
    assert events(w)[-1].data["order"] == [y.id, x.id]


def test_another_workshops_input_or_theme_is_not_found(user):
    w1 = new_workshop(user)
    w2 = new_workshop(user)
    item, _ = submit(w1, "mine")
    theme_w2 = [e.data["id"] for e in events(w2) if e.type == "theme.created"][0]
    with pytest.raises(ServiceError):
        services.move_input(w2.id, item.id, None, 0)
    with pytest.raises(ServiceError):
        services.move_input(w1.id, item.id, theme_w2, 0)


def test_an_unknown_join_code_is_refused(user):
    with pytest.raises(ServiceError) as refused:
        services.submit_input("ZZZZZZ", "x", str(uuid.uuid4()))
    assert refused.value.code == "unknown_code"


def test_join_codes_avoid_look_alike_characters(user):
    codes = {services.create_workshop(user.id, f"W{n}").join_code for n in range(20)}
    assert len(codes) == 20
    for code in codes:
        assert len(code) == 6 and not set(code) & set("01OIL")


def test_after_commit_hooks_see_committed_events_only(user):
    seen = []
    database().after_commit.append(lambda evs: seen.extend(e.type for e in evs))
    w = new_workshop(user)
    with pytest.raises(ServiceError):
        submit(w, "")
    submit(w, "ok")
    assert seen[-1] == "input.created"
    assert "input.created" not in seen[:-1]
