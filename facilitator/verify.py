"""Check an export file against the database: complete (counts) and unaltered (digest, texts)."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import export
from .models import Workshop

READABLE = ("md", "txt", "docx", "json", "pdf")
# Formats whose manifest verify can read. CSV and XLSX are tables for spreadsheets: their rows
# can be re-sorted or edited without a trace, so verify refuses them instead of vouching for them.
CHECKABLE = ("md", "txt", "docx", "json", "html", "pdf")
UNCHECKABLE = (
    "{fmt} exports cannot be verified (a spreadsheet can re-sort or edit rows without a trace); "
    "verify the JSON, DOCX, PDF, Markdown, text or HTML export of the same workshop instead"
)


@dataclass
class Verdict:
    """What verify found for one export file."""

    ok: bool
    workshop_id: int | None = None
    problems: list[str] = field(default_factory=list)


def _fmt(path: str) -> str:
    return path.rsplit(".", 1)[-1].lower()


def verify_export(s: Session, data: bytes, fmt: str, workshop_id: int | None = None) -> Verdict:
    """Compare the file's manifest and listed inputs with the workshop's board now."""
    if fmt not in export.FORMATS:
        return Verdict(False, problems=[f"unknown format {fmt!r}"])
    if fmt not in CHECKABLE:
        return Verdict(False, problems=[UNCHECKABLE.format(fmt=fmt.upper())])
    try:
        found = export.parse_manifest(data, fmt)
    except ValueError as error:  # not a file of that format at all (a broken DOCX, say)
        return Verdict(False, problems=[f"the file cannot be read as {fmt.upper()}: {error}"])
    if found is None:
        return Verdict(False, problems=["the file has no manifest (counts and SHA-256)"])
    query = select(Workshop).order_by(Workshop.id)
    if workshop_id is not None:
        query = query.where(Workshop.id == workshop_id)
    workshops = list(s.execute(query).scalars())
    if not workshops:
        return Verdict(False, problems=["no such workshop in the database"])
    match = None
    for workshop in workshops:
        doc = export.build_document(s, workshop)
        if export.manifest(doc)["sha256"] == found["sha256"]:
            match = (workshop, doc)
            break
    if match is None:
        if workshop_id is None:
            return Verdict(False, problems=["no workshop in the database has this digest: the inputs differ"])
        workshop = workshops[0]
        doc = export.build_document(s, workshop)
        return Verdict(False, workshop.id, _differences(export.manifest(doc), found, doc, data, fmt))
    workshop, doc = match
    expected = export.manifest(doc)
    problems = [p for p in _count_problems(expected, found)]
    if fmt in READABLE:
        problems += _text_problems(doc, data, fmt)
    return Verdict(not problems, workshop.id, problems)


def _count_problems(expected: dict, found: dict) -> list[str]:
    problems = []
    for key in ("received", "listed", "hidden", "unsorted"):
        if expected[key] != found[key]:
            problems.append(f"{key}: the database has {expected[key]}, the file says {found[key]}")
    if expected.get("sources") != found.get("sources"):
        problems.append("the counts by source (paper and other channels) differ from the database")
    if expected["themes"] != found["themes"]:
        problems.append("the per-theme counts differ from the database")
    return problems


def _text_problems(doc, data: bytes, fmt: str) -> list[str]:
    listed = export.listed_inputs(doc)
    try:
        in_file = export.extract_inputs(data, fmt)
    except ValueError as error:
        return [str(error)]
    if fmt == "docx":
        # Word has one kind of line break: compare CR LF and CR as LF.
        listed = [(t, x.replace("\r\n", "\n").replace("\r", "\n")) for t, x in listed]
    if len(in_file) != len(listed):
        return [f"the file lists {len(in_file)} inputs, the database {len(listed)}"]
    for number, (want, got) in enumerate(zip(listed, in_file), start=1):
        if want != got:
            return [f"input {number} differs: the database has {want[1]!r} under {want[0]!r}, the file {got[1]!r}"]
    return []


def _differences(expected: dict, found: dict, doc, data: bytes, fmt: str) -> list[str]:
    problems = ["the SHA-256 differs: the inputs in the file are not the ones in the database"]
    problems += _count_problems(expected, found)
    if fmt in READABLE:
        problems += _text_problems(doc, data, fmt)
    return problems


def verify_file(s: Session, path: str, workshop_id: int | None = None) -> Verdict:
    """verify_export for a file on disk (format from its extension)."""
    with open(path, "rb") as handle:
        return verify_export(s, handle.read(), _fmt(path), workshop_id)
