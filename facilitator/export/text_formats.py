"""Markdown and plain-text exports.

Inputs are written verbatim: nothing is escaped, trimmed or normalised. Each
input is one bullet, "- " (Markdown) or "• " (text) followed by the stored
text; after every LF inside the text two spaces are inserted, so a multi-line
input stays one bullet and reading it back (drop the marker, drop two spaces
from each following line, join with LF) gives the stored text exactly, CR LF
included. Lines are split on LF only.

The Markdown file is a plain-text document that happens to render well, not
a rendering of the inputs: an input that begins with "#", "1." or contains
"*" or "<script>" is still written as the participant wrote it, because the
appendix promises unedited inputs. A Markdown viewer may then show such an
input with emphasis or as a heading inside its bullet; the bytes are exact.
(An HTML-rendering viewer must sanitise, as it must for any Markdown; the
HTML export escapes everything.) A lone CR (no LF after it) is written as is
and not followed by indentation.

Headings, statement and manifest are our own phrases; theme titles are
written as the facilitator typed them (titles are single-line).
"""

from __future__ import annotations

from .document import ExportDocument
from .outline import Bullets, Heading, Manifest, Para, Table, outline

INDENT = "  "


def bullet(marker: str, text: str) -> str:
    """One input as a bullet; continuation lines indented by two spaces."""
    return marker + text.replace("\n", "\n" + INDENT)


def _table_lines(block: Table, marker: str) -> str:
    """A table as one bullet per row (Chart blocks have no text form; the table holds their numbers)."""
    return "\n".join(bullet(marker, line) for line in block.lines)


def _md_block(block) -> str | None:
    if isinstance(block, Table):
        return _table_lines(block, "- ")
    if isinstance(block, Heading):
        return "#" * block.level + " " + block.text
    if isinstance(block, Para):
        return block.text
    if isinstance(block, Bullets):
        lines = []
        for item in block.items:
            line = bullet("- ", item.text)
            if item.note is not None:
                line += "\n" + INDENT + item.note
            lines.append(line)
        return "\n".join(lines)
    if isinstance(block, Manifest):
        # The rule marks where the inputs end; readers stop there.
        return "---\n\n**" + block.title + "**\n\n" + "\n".join("- " + line for line in block.lines)
    return None  # PageBreak: Markdown has none.


def _txt_block(block) -> str | None:
    if isinstance(block, Table):
        return _table_lines(block, "• ")
    if isinstance(block, Heading):
        return block.text + "\n" + "=-~"[min(block.level, 3) - 1] * len(block.text)
    if isinstance(block, Para):
        return block.text
    if isinstance(block, Bullets):
        lines = []
        for item in block.items:
            line = bullet("• ", item.text)
            if item.note is not None:
                line += "\n" + INDENT + item.note
            lines.append(line)
        return "\n".join(lines)
    if isinstance(block, Manifest):
        return block.title + "\n" + "-" * len(block.title) + "\n" + "\n".join(block.lines)
    return None  # PageBreak: plain text has none.


def _join(parts) -> bytes:
    return ("\n\n".join(p for p in parts if p is not None) + "\n").encode("utf-8")


def render_md(doc: ExportDocument, variant: str = "appendix", list_hidden: bool = False) -> bytes:
    """The export as Markdown, UTF-8."""
    return _join(_md_block(b) for b in outline(doc, variant, list_hidden))


def render_txt(doc: ExportDocument, variant: str = "appendix", list_hidden: bool = False) -> bytes:
    """The export as plain text with underlined headings, UTF-8."""
    return _join(_txt_block(b) for b in outline(doc, variant, list_hidden))
