"""Read side of dot voting: rounds, their tallies, what a phone votes on (no writes here).

Tallies are totals only: per item the dots and the number of phones that put
any there, the number of phones that voted, the dots cast. Who voted what
stays in vote_allocations and leaves the database only as those sums.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import Input, Theme, VoteAllocation, VoteRound, Workshop
from .serialize import iso

KINDS = {"themes": "theme", "inputs": "input"}


def rank(items: list[dict]) -> list[dict]:
    """Items sorted by votes (board order breaks nothing: equal votes share a rank)."""
    ordered = sorted(enumerate(items), key=lambda pair: (-pair[1]["votes"], pair[0]))
    out = []
    for _index, item in ordered:
        ahead = sum(1 for other in items if other["votes"] > item["votes"])
        out.append({**item, "rank": ahead + 1})
    return out


def tally(round_: VoteRound, allocations: list[dict]) -> dict:
    """The results of a round from its allocations: ranked items, voters, dots cast."""
    kind = KINDS[round_.on]
    votes = {item_id: 0 for item_id in round_.item_ids}
    voters = {item_id: 0 for item_id in round_.item_ids}
    phones = 0
    for allocation in allocations:
        counted = False
        for key, dots in allocation.items():
            item_id = int(key)
            if item_id in votes and dots > 0:
                votes[item_id] += dots
                voters[item_id] += 1
                counted = True
        phones += counted
    items = [{"kind": kind, "id": i, "votes": votes[i], "voters": voters[i]} for i in round_.item_ids]
    return {"items": rank(items), "voters": phones, "dots_cast": sum(votes.values())}


def results(s: Session, round_: VoteRound) -> dict:
    """A round's results: frozen when closed, else counted now."""
    if round_.results is not None:
        return round_.results
    rows = s.execute(select(VoteAllocation.allocation).where(VoteAllocation.round_id == round_.id)).scalars()
    return tally(round_, list(rows))


def round_dict(round_: VoteRound) -> dict:
    """A round's settings and state (no results)."""
    kind = KINDS[round_.on]
    return {
        "id": round_.id,
        "number": round_.number,
        "on": round_.on,
        "theme_ids": round_.theme_ids,
        "items": [{"kind": kind, "id": i} for i in round_.item_ids],
        "dots": round_.dots,
        "per_item": round_.per_item,
        "reveal": round_.reveal,
        "revealed": round_.revealed,
        "status": round_.status,
        "opened_at": iso(round_.opened_at),
        "closed_at": iso(round_.closed_at),
    }


def rounds_of(s: Session, workshop_id: int) -> list[VoteRound]:
    """A workshop's rounds, oldest first."""
    return list(
        s.execute(select(VoteRound).where(VoteRound.workshop_id == workshop_id).order_by(VoteRound.number)).scalars()
    )


def round_of(s: Session, workshop_id: int, round_id: object) -> VoteRound | None:
    """The workshop's round with that id."""
    if not isinstance(round_id, int) or isinstance(round_id, bool):
        return None
    round_ = s.get(VoteRound, round_id)
    return round_ if round_ is not None and round_.workshop_id == workshop_id else None


def open_round(s: Session, workshop_id: int) -> VoteRound | None:
    """The round phones vote in now, if any."""
    return s.execute(
        select(VoteRound).where(VoteRound.workshop_id == workshop_id, VoteRound.status == "open")
    ).scalar_one_or_none()


def labels(s: Session, round_: VoteRound, with_hidden: bool) -> dict[int, str]:
    """What each item is called: a theme's title or an input's text (hidden inputs only if asked)."""
    if round_.on == "themes":
        rows = s.execute(select(Theme.id, Theme.title).where(Theme.id.in_(round_.item_ids))).all()
        return {i: title for i, title in rows}
    query = select(Input.id, Input.text).where(Input.id.in_(round_.item_ids))
    if not with_hidden:
        query = query.where(Input.hidden.is_(False))
    return {i: text for i, text in s.execute(query).all()}


def labelled_results(s: Session, round_: VoteRound, with_hidden: bool) -> dict:
    """Results with each item's label; items that cannot be named (hidden, deleted) are left out."""
    names = labels(s, round_, with_hidden)
    data = results(s, round_)
    items = [{**item, "label": names[item["id"]]} for item in data["items"] if item["id"] in names]
    return {**data, "items": items}


def rounds_snapshot(s: Session, workshop: Workshop, audience: str) -> list[dict]:
    """Every round for a wall (with results), or for the projector (results once revealed)."""
    out = []
    for round_ in rounds_of(s, workshop.id):
        data = round_dict(round_)
        if audience == "facilitator" or round_.revealed:
            data["results"] = results(s, round_)
        out.append(data)
    return out


def phone_round(s: Session, workshop: Workshop) -> dict | None:
    """The open round as a phone sees it: its rules and items (hidden inputs never), or None."""
    round_ = open_round(s, workshop.id)
    if round_ is None:
        return None
    themes = list(s.execute(select(Theme).where(Theme.workshop_id == workshop.id).order_by(Theme.position, Theme.id)).scalars())
    data = {k: v for k, v in round_dict(round_).items() if k in ("id", "number", "on", "dots", "per_item", "reveal")}
    wanted = set(round_.item_ids)
    if round_.on == "themes":
        data["items"] = [
            {"kind": "theme", "id": t.id, "title": t.title, "summary": t.summary} for t in themes if t.id in wanted
        ]
        return data
    inputs = s.execute(
        select(Input)
        .where(Input.workshop_id == workshop.id, Input.id.in_(wanted), Input.hidden.is_(False))
        .order_by(Input.position, Input.id)
    ).scalars()
    by_theme: dict[int | None, list[Input]] = {}
    for item in inputs:
        by_theme.setdefault(item.theme_id, []).append(item)
    data["items"] = []
    data["groups"] = []
    for theme_id, title in [(t.id, t.title) for t in themes] + [(None, None)]:
        column = by_theme.get(theme_id, [])
        if column:
            data["groups"].append({"theme_id": theme_id, "title": title, "item_ids": [i.id for i in column]})
            data["items"].extend({"kind": "input", "id": i.id, "text": i.text, "theme_id": theme_id} for i in column)
    return data


def allocation_of(s: Session, round_id: int, phone: str) -> dict:
    """One phone's allocation in a round ({} if it has none), for that phone alone."""
    row = s.get(VoteAllocation, (round_id, phone))
    return dict(row.allocation) if row is not None else {}


def projector_round(s: Session, workshop: Workshop) -> VoteRound | None:
    """The round the projector shows: the newest, while open or until the projector view is switched after it."""
    from sqlalchemy import func

    from .models import Event

    rounds = rounds_of(s, workshop.id)
    if not rounds:
        return None
    latest = rounds[-1]
    if latest.status == "open":
        return latest

    def last(condition) -> int:
        return s.execute(select(func.max(Event.seq)).where(Event.workshop_id == workshop.id, condition)).scalar() or 0

    # Switching the projector to collecting or themes puts the results away.
    if last(Event.type.like("vote.%")) > last(Event.type == "projector.view"):
        return latest
    return None
