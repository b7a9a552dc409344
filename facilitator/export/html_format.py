"""A standalone, print-ready HTML page: no script, every text escaped.

Every piece of text, ours or a participant's, goes through markupsafe.escape,
so an input like "<script>" shows as those characters. Inputs keep their line
breaks and spacing through CSS (white-space: pre-wrap) rather than <br>, so
the escaped text is the stored text. The only inline content is one <style>
element, allowed by a CSP in the page itself (its hash, no 'unsafe-inline');
views serving the page should send CSP below as the header too.
"""

from __future__ import annotations

import base64
import hashlib

from markupsafe import escape

from .document import ExportDocument
from ..charts import bar_chart_svg
from .outline import Bullets, Chart, Heading, Manifest, PageBreak, Para, Table, outline

STYLE = """
@page { margin: 2cm; }
body { font-family: Georgia, "Times New Roman", serif; line-height: 1.45; color: #000; background: #fff;
  max-width: 46rem; margin: 2rem auto; padding: 0 1rem; }
h1, h2, h3 { font-family: Helvetica, Arial, sans-serif; line-height: 1.2;
  break-after: avoid; page-break-after: avoid; }
ul { padding-left: 1.4rem; }
li { margin-bottom: .3rem; break-inside: avoid; page-break-inside: avoid; }
li, .text { white-space: pre-wrap; overflow-wrap: anywhere; }
p.summary { white-space: pre-line; }
.note, .reason { font-style: italic; }
.reason { white-space: normal; }
.page-break { break-before: page; page-break-before: always; }
.manifest { margin-top: 2.5rem; padding-top: .5rem; border-top: 1px solid #888; font-size: .85em; }
.manifest li { list-style: none; }
table.votes { border-collapse: collapse; margin: .5rem 0 1.5rem; }
table.votes th, table.votes td { border: 1px solid #888; padding: .2rem .5rem; text-align: left; vertical-align: top; }
table.votes td.n { text-align: right; }
figure.chart { margin: 1rem 0 .5rem; }
figure.chart svg { max-width: 100%; height: auto; }
@media print { body { max-width: none; margin: 0; padding: 0; } }
""".strip()

_STYLE_HASH = base64.b64encode(hashlib.sha256(STYLE.encode("utf-8")).digest()).decode("ascii")
CSP = f"default-src 'none'; style-src 'sha256-{_STYLE_HASH}'; base-uri 'none'; form-action 'none'"


def _item(item) -> str:
    if item.note is None:
        return f'<li dir="auto">{escape(item.text)}</li>'
    return (
        f'<li><div class="text" dir="auto">{escape(item.text)}</div>'
        f'<div class="reason">{escape(item.note)}</div></li>'
    )


def _blocks(blocks) -> list[str]:
    out: list[str] = []
    page_break = False
    for block in blocks:
        if isinstance(block, PageBreak):
            page_break = True
        elif isinstance(block, Heading):
            level = min(max(block.level, 1), 6)
            cls = ' class="page-break"' if page_break else ""
            page_break = False
            out.append(f"<h{level}{cls}>{escape(block.text)}</h{level}>")
        elif isinstance(block, Para):
            out.append(f'<p class="{block.role}">{escape(block.text)}</p>')
        elif isinstance(block, Bullets):
            out.append("<ul>\n" + "\n".join(_item(i) for i in block.items) + "\n</ul>")
        elif isinstance(block, Chart):
            # The SVG is ours and escapes every text it draws; it is inline, so no resource is loaded.
            svg = bar_chart_svg(list(block.rows), description=block.caption)
            out.append(f'<figure class="chart" aria-hidden="true">{svg}</figure>')
        elif isinstance(block, Table):
            head = "".join(f'<th scope="col">{escape(h)}</th>' for h in block.header)
            body = "\n".join(
                "<tr>" + "".join(
                    f'<td class="n">{escape(c)}</td>' if n in block.numeric else f'<td dir="auto">{escape(c)}</td>'
                    for n, c in enumerate(row)
                ) + "</tr>"
                for row in block.rows
            )
            out.append(f'<table class="votes">\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table>')
        elif isinstance(block, Manifest):
            lines = "\n".join(f"<li>{escape(line)}</li>" for line in block.lines)
            out.append(
                f'<footer class="manifest">\n<p><strong>{escape(block.title)}</strong></p>\n'
                f"<ul>\n{lines}\n</ul>\n</footer>"
            )
    return out


def render_html(doc: ExportDocument, variant: str = "appendix", list_hidden: bool = False) -> bytes:
    """The export as a standalone HTML page in the document's language, UTF-8."""
    blocks = outline(doc, variant, list_hidden)
    title = doc.title if variant == "report" else doc.appendix_heading
    body = "\n".join(_blocks(blocks))
    page = (
        "<!DOCTYPE html>\n"
        f'<html lang="{escape(doc.language)}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{escape(CSP)}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n"
        f"<body>\n<main>\n{body}\n</main>\n</body>\n</html>\n"
    )
    return page.encode("utf-8")
