"""Where the app's files are: templates, static files, migrations and the instance folder.

A checkout keeps `templates/`, `static/` and `migrations/` beside the package
(the repository layout); the built wheel carries them inside the package
(pyproject.toml maps them there). This module is the one place that knows both.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
_CHECKOUT = PACKAGE.parent

RESOURCES = ("templates", "static", "migrations")


def in_checkout() -> bool:
    """True when the package runs from a source checkout (editable install or PYTHONPATH)."""
    return (_CHECKOUT / "pyproject.toml").is_file() and (_CHECKOUT / "templates").is_dir()


def resource(name: str) -> Path:
    """The folder `name` (templates, static or migrations), in a checkout or an installed wheel."""
    if name not in RESOURCES:
        raise ValueError(f"unknown resource folder {name!r}")
    inside = PACKAGE / name
    if inside.is_dir():
        return inside
    return _CHECKOUT / name


def data_file(name: str) -> Path:
    """A file shipped in the package's data/ folder (the demo workshop)."""
    return PACKAGE / "data" / name


def default_instance_path() -> Path:
    """instance/ in a checkout; Flask's place for an installed app (<prefix>/var/facilitator-instance) otherwise."""
    if in_checkout():
        return _CHECKOUT / "instance"
    return Path(sys.prefix) / "var" / "facilitator-instance"


def static_version(folder: Path) -> str:
    """A digest of every file under `folder` (names and bytes): the static URLs' prefix, new whenever a file changes.

    With it in the URL a browser may keep each file for good (security.py says
    so): a phone or wall that opens a page again asks for no script or style
    sheet, and an upgrade can never mix old and new modules.
    """
    digest = hashlib.blake2b(digest_size=6)
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()
