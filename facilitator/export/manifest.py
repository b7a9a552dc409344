"""Counts and a SHA-256 digest that let anyone check an export against the board.

Canonical form of the digest (version 1)
----------------------------------------
The digest is SHA-256, written as 64 lower-case hex digits, over the UTF-8
bytes of one record per input, concatenated with nothing in between::

    record  = flag + US + section + US + text + [US + "S:" + source] + RS
    flag    = "L" for a listed (visible) input, "H" for a hidden one
    section = "T:" + theme title, or "U" for an input in no theme
    source  = the import label of an input that did not come from a phone
              ("papir", "e-mail"); the part in brackets is left out for
              phone inputs, so a workshop of phone inputs only has the
              digest it always had
    US      = U+001F (unit separator), RS = U+001E (record separator)

Records come in this order: the listed inputs of each theme (themes in board
order, inputs in board order), then the listed unsorted inputs, then the
hidden inputs (each theme's in theme and board order, then the unsorted
column's). Texts and titles are taken exactly as stored: no Unicode
normalisation, no trimming, CR LF kept. Validation forbids control characters
other than tab, CR and LF in texts and all of them in titles, so US and RS
cannot occur inside a field; digest() refuses a document where they do.

Questions. In a document with questions (and only there, so a workshop
without any keeps its digest) each record also says which question the input
answered, and one record per question comes first::

    question record = "Q" + US + number + US + question text + RS   (in order, number 1..)
    input record    = flag + US + section + US + answered + US + text + [US + "S:" + source] + RS
    answered        = the question's number, or "" for an input given without one

The digest covers which texts were received, where they were placed,
whether they were hidden, which question they answered and where they came
from; not ids, times, authors, reasons or summaries.
Hidden texts are included, so the digest is the same whether or not an export
lists them, and it can be recomputed from the JSON export alone (which keeps
every input).

The manifest block that ends every text export is, line by line::

    <Optælling | Count>
    <Modtaget | Received>: N
    <Listet | Listed>: N
    <Skjult | Hidden>: N
    <Tema | Theme>: <theme title>: N        (one line per theme, in order)
    <Ikke sorteret | Unsorted>: N
    <Spørgsmål | Question> <number>: N     (only with questions: one line per question)
    <Uden spørgsmål | Without a question>: N    (only with questions)
    <Kilde | Source>: <label>: N           (one line per import label, only when there are any)
    <Placeret efter forslag | Placed by suggestion>: N   (only if N > 0: accepted suggestions)
    SHA-256: <hex>

The per-question lines count each question's listed inputs; manifest() then
also has "questions" (those counts, in order) and "without_question". It has
a "sources" entry ([{"source", "count"}], received inputs) only when some
input came from paper or another channel.

Each format wraps those lines in its own markup; parse_manifest() takes the
markup off again and returns the same dict as manifest().
"""

from __future__ import annotations

import hashlib
import json

from .document import PHONE, ExportDocument
from .phrases import PHRASES, phrases

US = "\x1f"
RS = "\x1e"
DIGEST_LABEL = "SHA-256"


def _records(doc: ExportDocument):
    """The fields of each record, in the canonical order above."""
    for number, question in enumerate(doc.questions, start=1):
        yield ["Q", str(number), question.text]
    for theme in doc.themes:
        for item in theme.inputs:
            yield _input_fields(doc, "L", "T:" + theme.title, item)
    for item in doc.unsorted:
        yield _input_fields(doc, "L", "U", item)
    for item in doc.hidden:
        yield _input_fields(doc, "H", "U" if item.theme_title is None else "T:" + item.theme_title, item)


def _input_fields(doc: ExportDocument, flag: str, section: str, item) -> list[str]:
    fields = [flag, section]
    if doc.questions:  # only in documents that have questions, so others keep their digest
        number = doc.question_number(item)
        fields.append("" if number is None else str(number))
    fields.append(item.text)
    if item.source != PHONE:
        fields.append("S:" + item.source)
    return fields


def digest(doc: ExportDocument) -> str:
    """SHA-256 hex of the document's inputs in the canonical form above."""
    hasher = hashlib.sha256()
    for fields in _records(doc):
        if any(US in field or RS in field for field in fields):
            raise ValueError("an input, question, theme title or source contains a separator control character")
        hasher.update((US.join(fields) + RS).encode("utf-8"))
    return hasher.hexdigest()


def manifest(doc: ExportDocument) -> dict:
    """Counts and digest: received = listed + hidden; listed = themes + unsorted (= the questions' counts)."""
    data = {
        "received": doc.total_received,
        "listed": doc.total_listed,
        "hidden": doc.total_hidden,
        "themes": [{"title": title, "count": count} for title, count in doc.theme_counts],
        "unsorted": len(doc.unsorted),
        # Inputs placed by an accepted suggestion (their text is as received, like every other).
        "suggested": doc.total_suggested,
    }
    if doc.questions:
        counts = [0] * len(doc.questions)
        without = 0
        for item in doc.listed_flat():
            if item.question is None:
                without += 1
            else:
                counts[item.question] += 1
        data.update(questions=counts, without_question=without)
    if doc.has_sources:
        data["sources"] = [{"source": label, "count": count} for label, count in doc.received_sources]
    data["sha256"] = digest(doc)
    return data


def manifest_lines(doc: ExportDocument) -> tuple[str, list[str]]:
    """The manifest block's title and lines in the document's language."""
    p = phrases(doc.language)
    data = manifest(doc)
    lines = [
        f"{p.received}: {data['received']}",
        f"{p.listed}: {data['listed']}",
        f"{p.hidden}: {data['hidden']}",
    ]
    lines += [f"{p.theme}: {t['title']}: {t['count']}" for t in data["themes"]]
    lines.append(f"{p.unsorted}: {data['unsorted']}")
    if "questions" in data:
        lines += [f"{p.question} {number}: {count}" for number, count in enumerate(data["questions"], start=1)]
        lines.append(f"{p.without_question}: {data['without_question']}")
    lines += [f"{p.source}: {s['source']}: {s['count']}" for s in data.get("sources", [])]
    if data["suggested"]:
        # Only when there are any, so a workshop sorted by hand exports exactly as before.
        lines.append(f"{p.suggested}: {data['suggested']}")
    lines.append(f"{DIGEST_LABEL}: {data['sha256']}")
    return p.manifest, lines


def _clean(line: str) -> str:
    # Take off the Markdown the md export wraps manifest lines in.
    line = line.strip()
    if line.startswith("- "):
        line = line[2:]
    if line.startswith("**") and line.endswith("**") and len(line) > 4:
        line = line[2:-2]
    return line.strip()


def parse_manifest_lines(lines: list[str]) -> dict | None:
    """Find the last manifest block among plain-text lines and read it back."""
    titles = {p.manifest for p in PHRASES.values()}
    starts = [n for n, line in enumerate(lines) if _clean(line) in titles]
    if not starts:
        return None
    counts = {}
    for p in PHRASES.values():
        counts.update({
            p.received: "received", p.listed: "listed", p.hidden: "hidden", p.unsorted: "unsorted",
            p.suggested: "suggested",
        })
    for p in PHRASES.values():
        counts[p.without_question] = "without_question"
    theme_labels = {p.theme for p in PHRASES.values()}
    source_labels = {p.source for p in PHRASES.values()}
    question_labels = {p.question + " " for p in PHRASES.values()}
    result: dict = {"themes": [], "sources": []}
    questions: list[int] = []
    for raw in lines[starts[-1] + 1 :]:
        label, sep, rest = _clean(raw).partition(": ")
        if not sep:
            continue
        prefix = next((q for q in question_labels if label.startswith(q)), None)
        if prefix and label[len(prefix):] == str(len(questions) + 1) and rest.isdigit():
            questions.append(int(rest))
        elif label in counts and rest.isdigit():
            result[counts[label]] = int(rest)
        elif label in theme_labels:
            title, sep, count = rest.rpartition(": ")
            if sep and count.isdigit():
                result["themes"].append({"title": title, "count": int(count)})
        elif label in source_labels:
            source, sep, count = rest.rpartition(": ")
            if sep and count.isdigit():
                result["sources"].append({"source": source, "count": int(count)})
        elif label == DIGEST_LABEL and len(rest) == 64:
            result["sha256"] = rest.lower()
    if "sha256" not in result:
        return None
    found = {key: result.get(key) for key in ("received", "listed", "hidden", "themes", "unsorted")}
    found["suggested"] = result.get("suggested", 0)
    if "without_question" in result:
        found["questions"] = questions
        found["without_question"] = result["without_question"]
    if result["sources"]:
        found["sources"] = result["sources"]
    found["sha256"] = result["sha256"]
    return found


def parse_manifest(data: bytes, fmt: str) -> dict | None:
    """The manifest written in an export file (md, txt, html, docx, pdf, json), or None."""
    if fmt == "json":
        try:
            found = json.loads(data.decode("utf-8")).get("manifest")
        except (ValueError, AttributeError):
            return None
        return found if isinstance(found, dict) else None
    from .readback import text_lines

    if fmt == "pdf":
        try:
            return parse_manifest_lines(text_lines(data, fmt))
        except ValueError:  # not a PDF, or one without our tags
            return None
    return parse_manifest_lines(text_lines(data, fmt))
