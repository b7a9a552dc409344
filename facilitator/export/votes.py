"""Vote rounds as the exports see them: frozen results, ranked, tied items marked, no phone.

build_rounds() reads a workshop's rounds into ExportRound values; the
outline turns each into a report section (what was voted on, when, how many
phones took part, a chart and a table of the ranked items); the tables add a
votes column per round; the JSON export holds rounds and totals with items
referred to by their place on the board (theme index, position in the
column), which is how an import finds them again.
"""

from __future__ import annotations

from dataclasses import dataclass

VOTE_PHRASES = {
    "da": {
        "heading": "Prioritering",
        "round_themes": "Afstemning {n}: temaerne",
        "round_inputs": "Afstemning {n}: input",
        "chosen": "Temaer i afstemningen: {titles}",
        "when": "Åbnet {opened}, lukket {closed}",
        "when_open": "Åbnet {opened}, stadig åben ved eksporten",
        "took_part": "{voters} telefoner stemte og satte {dots} prikker ({budget} prikker pr. telefon, højst {cap} på ét punkt).",
        "took_part_one": "1 telefon stemte og satte {dots} prikker ({budget} prikker pr. telefon, højst {cap} på ét punkt).",
        "rank": "Plads",
        "item_theme": "Tema",
        "item_input": "Input",
        "dots": "Prikker",
        "voters": "Telefoner",
        "tie": "delt",
        "not_listed": "{n} prikker gik til input, der siden er skjult; de er ikke med i listen.",
        "column_themes": "Afstemning {n}: prikker til temaet",
        "column_inputs": "Afstemning {n}: prikker",
        "sheet": "Afstemninger",
        "chart": "Søjlediagram over afstemning {n}; tallene står i tabellen nedenfor.",
        "line": "{rank}. {label}: {dots} prikker, {voters} telefoner",
        "counts_heading": "Input pr. tema",
        "counts_chart": "Søjlediagram over antal input pr. tema; tallene står i tabellen nedenfor.",
        "inputs": "Input",
        "count_line": "{title}: {n} input",
    },
    "en": {
        "heading": "Priorities",
        "round_themes": "Vote {n}: the themes",
        "round_inputs": "Vote {n}: inputs",
        "chosen": "Themes in the vote: {titles}",
        "when": "Opened {opened}, closed {closed}",
        "when_open": "Opened {opened}, still open at export",
        "took_part": "{voters} phones voted and placed {dots} dots ({budget} dots per phone, at most {cap} on one item).",
        "took_part_one": "1 phone voted and placed {dots} dots ({budget} dots per phone, at most {cap} on one item).",
        "rank": "Rank",
        "item_theme": "Theme",
        "item_input": "Input",
        "dots": "Dots",
        "voters": "Phones",
        "tie": "tied",
        "not_listed": "{n} dots went to inputs hidden since; they are not listed.",
        "column_themes": "Vote {n}: dots for the theme",
        "column_inputs": "Vote {n}: dots",
        "sheet": "Votes",
        "chart": "Bar chart of vote {n}; the numbers are in the table below.",
        "line": "{rank}. {label}: {dots} dots, {voters} phones",
        "counts_heading": "Inputs per theme",
        "counts_chart": "Bar chart of the inputs per theme; the numbers are in the table below.",
        "inputs": "Inputs",
        "count_line": "{title}: {n} inputs",
    },
}


def vote_phrases(language: str) -> dict:
    """The vote phrases of a document language (Danish when unknown)."""
    return VOTE_PHRASES.get(language, VOTE_PHRASES["da"])


@dataclass(frozen=True)
class ExportVoteItem:
    """One ranked item: a theme (theme = its index) or an input (theme = its column's index or None, position)."""

    kind: str
    label: str
    votes: int
    voters: int
    rank: int
    theme: int | None
    position: int | None = None
    hidden: bool = False


@dataclass(frozen=True)
class ExportRound:
    """One vote round's settings and frozen totals."""

    number: int
    on: str
    dots: int
    per_item: int
    reveal: str
    status: str
    opened_at: str | None
    closed_at: str | None
    voters: int
    dots_cast: int
    items: tuple[ExportVoteItem, ...]
    theme_indexes: tuple[int, ...] | None = None

    @property
    def listed(self) -> tuple[ExportVoteItem, ...]:
        """The items a report lists (hidden inputs are not listed anywhere but JSON)."""
        return tuple(i for i in self.items if not i.hidden)

    def tied(self, item: ExportVoteItem) -> bool:
        """Whether another listed item shares this item's rank."""
        return sum(1 for other in self.items if other.rank == item.rank) > 1


def rank_label(round_: ExportRound, item: ExportVoteItem, language: str) -> str:
    """'2' or '2 (tied)'."""
    return f"{item.rank} ({vote_phrases(language)['tie']})" if round_.tied(item) else str(item.rank)


def clock(moment: str | None) -> str:
    """'2025-08-13 14:05 UTC' from an ISO time (as stored: UTC)."""
    if not moment:
        return ""
    return moment[:16].replace("T", " ") + " UTC"


def build_rounds(session, workshop, themes, columns) -> tuple[ExportRound, ...]:
    """The workshop's rounds with their results, items placed by theme index and column position."""
    from ..serialize import iso
    from ..vote_queries import results, rounds_of

    theme_index = {t.id: n for n, t in enumerate(themes)}
    place: dict[int, tuple[int | None, int, object]] = {}
    for theme_id, items in columns.items():
        for position, item in enumerate(items):
            place[item.id] = (theme_index.get(theme_id) if theme_id is not None else None, position, item)
    titles = {t.id: t.title for t in themes}
    out = []
    for round_ in rounds_of(session, workshop.id):
        data = results(session, round_)
        items = []
        for entry in data["items"]:
            if round_.on == "themes":
                if entry["id"] not in titles:
                    continue  # a theme deleted after the vote: its dots went nowhere on the board
                items.append(
                    ExportVoteItem("theme", titles[entry["id"]], entry["votes"], entry["voters"], entry["rank"], theme_index[entry["id"]])
                )
            else:
                if entry["id"] not in place:
                    continue  # purged
                theme, position, item = place[entry["id"]]
                items.append(
                    ExportVoteItem(
                        "input", item.text, entry["votes"], entry["voters"], entry["rank"], theme, position, bool(item.hidden)
                    )
                )
        chosen = None
        if round_.theme_ids is not None:
            chosen = tuple(theme_index[i] for i in round_.theme_ids if i in theme_index)
        out.append(
            ExportRound(
                number=round_.number,
                on=round_.on,
                dots=round_.dots,
                per_item=round_.per_item,
                reveal=round_.reveal,
                status=round_.status,
                opened_at=iso(round_.opened_at),
                closed_at=iso(round_.closed_at),
                voters=data["voters"],
                dots_cast=data["dots_cast"],
                items=tuple(items),
                theme_indexes=chosen,
            )
        )
    return tuple(out)


def round_to_json(round_: ExportRound) -> dict:
    """A round in the JSON export: settings, totals, items by board place (no phones)."""
    items = []
    for item in round_.items:
        entry = {"kind": item.kind, "theme": item.theme, "votes": item.votes, "voters": item.voters, "rank": item.rank}
        if item.kind == "input":
            entry["position"] = item.position
        items.append(entry)
    return {
        "number": round_.number,
        "on": round_.on,
        "theme_indexes": list(round_.theme_indexes) if round_.theme_indexes is not None else None,
        "dots": round_.dots,
        "per_item": round_.per_item,
        "reveal": round_.reveal,
        "status": round_.status,
        "opened_at": round_.opened_at,
        "closed_at": round_.closed_at,
        "voters": round_.voters,
        "dots_cast": round_.dots_cast,
        "items": items,
    }


def round_from_json(raw: dict, themes, unsorted) -> ExportRound:
    """Rebuild an ExportRound from the JSON export against its themes and unsorted column."""
    items = []
    for entry in raw.get("items", []):
        if raw["on"] == "themes":
            label, hidden, position = themes[entry["theme"]].title, False, None
        else:
            column = unsorted if entry.get("theme") is None else themes[entry["theme"]].column
            item = column[entry["position"]]
            label, hidden, position = item.text, item.hidden, entry["position"]
        items.append(
            ExportVoteItem(entry["kind"], label, entry["votes"], entry["voters"], entry["rank"], entry.get("theme"), position, hidden)
        )
    chosen = raw.get("theme_indexes")
    return ExportRound(
        number=raw["number"],
        on=raw["on"],
        dots=raw["dots"],
        per_item=raw["per_item"],
        reveal=raw.get("reveal", "on_close"),
        status=raw.get("status", "closed"),
        opened_at=raw.get("opened_at"),
        closed_at=raw.get("closed_at"),
        voters=raw.get("voters", 0),
        dots_cast=raw.get("dots_cast", 0),
        items=tuple(items),
        theme_indexes=tuple(chosen) if isinstance(chosen, list) else None,
    )
