"""The pages' JavaScript modules and what they import, so a page can ask for all of them at once.

A page loads one entry module, which imports the others. Without a hint the
browser finds each level of imports only after the level above has arrived:
on the wall that is three round trips in a row before the board can load,
which a venue's wifi makes long. `module_script` writes the entries'
<script type="module"> tags after a <link rel="modulepreload"> for every module it
reaches, so they are fetched together.
"""

from __future__ import annotations

import posixpath
import re
from functools import lru_cache

from flask import url_for
from markupsafe import Markup, escape

from .resources import resource

# Static imports only: `import x from "…"`, `export … from "…"` and `import "…"`
# (the modules use no dynamic import()).
_IMPORT = re.compile(r"""^\s*(?:import|export)\b[^"';]*?\bfrom\s*["']([^"']+)["']|^\s*import\s*["']([^"']+)["']""", re.M)
_STATIC = "/static/"


def _resolve(importer: str, specifier: str) -> str | None:
    """The path under static/ that `specifier`, imported by `importer`, names (None: not one of ours)."""
    if specifier.startswith(_STATIC):
        return specifier[len(_STATIC):]
    if specifier.startswith(("./", "../")):
        return posixpath.normpath(posixpath.join(posixpath.dirname(importer), specifier))
    return None


@lru_cache(maxsize=None)
def module_imports(entry: str) -> tuple[str, ...]:
    """Every module that `entry` (a path under static/) imports, directly or through others, in first-seen order."""
    static = resource("static")
    seen: list[str] = []
    todo = [entry]
    while todo:
        path = todo.pop(0)
        file = static / path
        if not file.is_file():
            continue
        for match in _IMPORT.finditer(file.read_text(encoding="utf-8")):
            found = _resolve(path, match.group(1) or match.group(2))
            if found and found != entry and found not in seen:
                seen.append(found)
                todo.append(found)
    return tuple(seen)


def module_script(*entries: str) -> Markup:
    """A <script type="module"> for each entry, after one modulepreload link for each module they import."""
    imported = dict.fromkeys(path for entry in entries for path in module_imports(entry) if path not in entries)
    tags = [f'<link rel="modulepreload" href="{escape(url_for("static", filename=path))}">' for path in imported]
    tags += [f'<script type="module" src="{escape(url_for("static", filename=entry))}"></script>' for entry in entries]
    return Markup("\n".join(tags))
