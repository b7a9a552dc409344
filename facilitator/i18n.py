"""Languages: participants get the workshop's, facilitators their browser's, both can switch."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import current_app, g, request, session
from flask_babel import Babel, refresh

from . import recent_codes
from .config import LANGUAGES
from .resources import PACKAGE

if TYPE_CHECKING:
    from .models import Workshop

TRANSLATIONS = PACKAGE / "translations"


def select_locale() -> str:
    """The language of this response."""
    languages = LANGUAGES
    chosen = request.args.get("lang") if request else None
    if chosen in languages:
        session["lang"] = chosen
        return chosen
    if g.get("locale") in languages:
        return g.locale
    if session.get("lang") in languages:
        return session["lang"]
    best = request.accept_languages.best_match(languages) if request else None
    return best or current_app.config["DEFAULT_LANGUAGE"]


def use_workshop_language(workshop: Workshop) -> None:
    """Pages for participants speak the workshop's language unless the phone switched."""
    chosen = request.args.get("lang")
    if chosen in LANGUAGES:
        session["participant_lang"] = chosen
    g.locale = session.get("participant_lang") or workshop.language
    code = (request.view_args or {}).get("code")
    if isinstance(code, str) and code:
        recent_codes.remember(code, workshop.id, workshop.language)


def use_remembered_language() -> None:
    """Until the workshop itself is read (or when it cannot be), speak the language last seen for this request's code."""
    if "locale" in g:
        return
    seen = recent_codes.recall((request.view_args or {}).get("code", ""))
    if seen is not None:
        g.locale = session.get("participant_lang") or seen.language
        refresh()


def init_app(app) -> Babel:
    """Attach Flask-Babel with our selector and catalogues."""
    return Babel(app, locale_selector=select_locale, default_translation_directories=str(TRANSLATIONS))
