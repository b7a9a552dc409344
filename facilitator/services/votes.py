"""Writes of dot voting: open a round, take a phone's allocation, reveal, close.

A phone's allocation is replaced as a whole (idempotent by nature: the same
allocation again changes nothing and records nothing), under the workshop's
row lock like every write, so concurrent phones serialise and the totals in
each event are exact. Events carry totals, never a phone.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import func, select

from ..errors import ServiceError
from ..models import Input, VoteAllocation, VoteRound, utcnow
from ..vote_queries import KINDS, open_round, rank, results, round_dict, round_of
from .board import themes as board_themes
from .unit import UnitOfWork, write

DOTS_DEFAULT = 5
PER_ITEM_DEFAULT = 3
DOTS_CEILING = 100


def _count(value: object, default: int, low: int, high: int) -> int:
    if value is None:
        return default
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ServiceError("invalid")
    return value


def open_vote_round(
    workshop_id: int,
    on: object,
    theme_ids: object = None,
    dots: object = None,
    per_item: object = None,
    reveal: object = "on_close",
    actor: str = "",
) -> VoteRound:
    """Open a round on the themes or the visible inputs (of chosen themes); items are fixed now."""
    if on not in ("themes", "inputs") or reveal not in ("live", "on_close"):
        raise ServiceError("invalid")
    dots = _count(dots, DOTS_DEFAULT, 1, DOTS_CEILING)
    per_item = _count(per_item, min(PER_ITEM_DEFAULT, dots), 1, dots)
    if theme_ids is not None and (
        not isinstance(theme_ids, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in theme_ids)
    ):
        raise ServiceError("invalid")
    with write(actor) as uow:
        uow.lock(workshop_id)
        s = uow.session
        if open_round(s, workshop_id) is not None:
            raise ServiceError("vote_round_open")
        board = board_themes(s, workshop_id)
        known = {t.id for t in board}
        if theme_ids is not None and not set(theme_ids) <= known:
            raise ServiceError("not_found")
        chosen = [t.id for t in board if theme_ids is None or t.id in theme_ids]
        if on == "themes":
            item_ids = chosen
        else:
            # Board order: themes in order, then Unsorted (only when no themes were chosen).
            columns: list[int | None] = list(chosen) + ([None] if theme_ids is None else [])
            item_ids = []
            for theme_id in columns:
                where = Input.theme_id.is_(None) if theme_id is None else Input.theme_id == theme_id
                item_ids.extend(
                    s.execute(
                        select(Input.id)
                        .where(Input.workshop_id == workshop_id, where, Input.hidden.is_(False))
                        .order_by(Input.position, Input.id)
                    ).scalars()
                )
        if not item_ids:
            raise ServiceError("vote_nothing")
        number = (s.execute(select(func.max(VoteRound.number)).where(VoteRound.workshop_id == workshop_id)).scalar() or 0) + 1
        round_ = VoteRound(
            workshop_id=workshop_id,
            number=number,
            on=on,
            theme_ids=sorted(set(theme_ids)) if theme_ids is not None else None,
            item_ids=item_ids,
            dots=dots,
            per_item=per_item,
            reveal=reveal,
            revealed=reveal == "live",
            status="open",
            opened_at=utcnow(),
        )
        s.add(round_)
        s.flush()
        uow.record("vote.opened", round_dict(round_))
    return round_


def _check_allocation(round_: VoteRound, allocation: object) -> dict[str, int]:
    """The allocation as {"<item id>": dots > 0}, or the refusal with its numbers."""
    if not isinstance(allocation, dict):
        raise ServiceError("invalid")
    items = set(round_.item_ids)
    clean: dict[str, int] = {}
    for key, dots in allocation.items():
        if not isinstance(dots, int) or isinstance(dots, bool) or dots < 0:
            raise ServiceError("invalid")
        try:
            item_id = int(key)
        except (TypeError, ValueError):
            raise ServiceError("vote_unknown_item") from None
        if item_id not in items or str(item_id) != str(key).strip():
            raise ServiceError("vote_unknown_item", item=str(key)[:20])
        if dots > round_.per_item:
            raise ServiceError("vote_over_item", item=item_id, dots=dots, limit=round_.per_item)
        if dots:
            clean[str(item_id)] = clean.get(str(item_id), 0) + dots
    used = sum(clean.values())
    if used > round_.dots:
        raise ServiceError("vote_over_budget", used=used, budget=round_.dots)
    return clean


def cast_votes(join_code: str, phone: str | None, round_id: object, allocation: object) -> tuple[VoteRound, dict]:
    """Replace one phone's allocation in the open round; return the round and the stored allocation."""
    if not phone:
        raise ServiceError("vote_no_phone")
    with write("participant") as uow:
        workshop = uow.lock_by_code(join_code)
        s = uow.session
        round_ = round_of(s, workshop.id, round_id)
        if round_ is None:
            raise ServiceError("not_found")
        if round_.status != "open":
            raise ServiceError("vote_closed")
        clean = _check_allocation(round_, allocation)
        # Items hidden since the round opened are not on the phone: a dot there is refused.
        if round_.on == "inputs" and clean:
            hidden = set(
                s.execute(
                    select(Input.id).where(Input.id.in_([int(k) for k in clean]), Input.hidden.is_(True))
                ).scalars()
            )
            if hidden:
                raise ServiceError("vote_unknown_item", item=min(hidden))
        row = s.get(VoteAllocation, (round_.id, phone))
        before = dict(row.allocation) if row is not None else {}
        if before == clean:
            return round_, clean
        if row is None:
            s.add(VoteAllocation(round_id=round_.id, phone=phone, allocation=clean, updated_at=utcnow()))
        elif clean:
            row.allocation = clean
            row.updated_at = utcnow()
        else:
            s.delete(row)
        s.flush()
        totals = results(s, round_)
        uow.record(
            "vote.cast",
            {"round_id": round_.id, "revealed": round_.revealed, **totals},
        )
    return round_, clean


@contextmanager
def _locked_round(workshop_id: int, round_id: int, actor: str) -> Iterator[tuple[UnitOfWork, VoteRound]]:
    """A unit of work holding the workshop's lock, and the workshop's round (not_found if it has none such)."""
    with write(actor) as uow:
        uow.lock(workshop_id)
        round_ = round_of(uow.session, workshop_id, round_id)
        if round_ is None:
            raise ServiceError("not_found")
        yield uow, round_


def reveal_vote_round(workshop_id: int, round_id: int, actor: str = "") -> VoteRound:
    """Show the round's results to the room (projector), open or closed."""
    with _locked_round(workshop_id, round_id, actor) as (uow, round_):
        if not round_.revealed:
            round_.revealed = True
            uow.record("vote.revealed", {"round_id": round_.id, **results(uow.session, round_)})
    return round_


def close_vote_round(workshop_id: int, round_id: int, actor: str = "") -> VoteRound:
    """End a round: dots can no longer change, the results are frozen (and revealed unless live already was)."""
    with _locked_round(workshop_id, round_id, actor) as (uow, round_):
        close_in(uow, round_)
    return round_


def close_in(uow: UnitOfWork, round_: VoteRound) -> None:
    """Close an open round inside a unit of work that holds its workshop's lock (also the timer's way)."""
    if round_.status != "open":
        return
    frozen = results(uow.session, round_)
    round_.results = frozen
    round_.status = "closed"
    round_.closed_at = utcnow()
    round_.revealed = True
    uow.record("vote.closed", {"round_id": round_.id, "closed_at": round_dict(round_)["closed_at"], "revealed": True, **frozen})


def _index(value: object) -> int:
    """A non-negative int from an imported file, else TypeError (the import is refused)."""
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise TypeError("not an index")
    return value


def restore_vote_round(uow, workshop_id: int, raw: dict, theme_ids: list[int], columns: dict) -> VoteRound:
    """Rebuild a closed round from a JSON export inside an import's unit of work (totals only)."""
    from ..export.json_format import parse_time as _when  # the export files' one date parser

    on = raw.get("on")
    if on not in ("themes", "inputs"):
        raise ServiceError("invalid")
    items: list[tuple[int, int, int]] = []
    for entry in raw.get("items") or []:
        if not isinstance(entry, dict):
            raise ServiceError("invalid")
        try:
            if on == "themes":
                item_id = theme_ids[_index(entry["theme"])]
            else:
                theme = entry.get("theme")
                item_id = columns[None if theme is None else _index(theme)][_index(entry["position"])]
            votes, voters = _index(entry.get("votes", 0)), _index(entry.get("voters", 0))
        except (KeyError, IndexError, TypeError):
            raise ServiceError("invalid") from None
        items.append((item_id, votes, voters))
    dots = _count(raw.get("dots"), DOTS_DEFAULT, 1, DOTS_CEILING)
    chosen = raw.get("theme_indexes")
    try:
        chosen_ids = [theme_ids[_index(i)] for i in chosen] if isinstance(chosen, list) else None
    except (IndexError, TypeError):
        raise ServiceError("invalid") from None
    round_ = VoteRound(
        workshop_id=workshop_id,
        number=_count(raw.get("number"), 1, 1, 10000),
        on=on,
        theme_ids=chosen_ids,
        item_ids=[i for i, _v, _n in items],
        dots=dots,
        per_item=_count(raw.get("per_item"), min(PER_ITEM_DEFAULT, dots), 1, dots),
        reveal="live" if raw.get("reveal") == "live" else "on_close",
        revealed=True,
        status="closed",
        opened_at=_when(raw.get("opened_at")) or utcnow(),
        closed_at=_when(raw.get("closed_at")) or utcnow(),
    )
    kind = KINDS[on]
    round_.results = {
        "items": rank([{"kind": kind, "id": i, "votes": v, "voters": n} for i, v, n in items]),
        "voters": int(raw.get("voters", 0)),
        "dots_cast": sum(v for _i, v, _n in items),
    }
    uow.session.add(round_)
    uow.session.flush()
    uow.record("vote.opened", round_dict(round_))
    uow.record("vote.closed", {"round_id": round_.id, "closed_at": round_dict(round_)["closed_at"], "revealed": True, **round_.results})
    return round_

