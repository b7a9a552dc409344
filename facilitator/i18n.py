"""Languages: participants get the workshop's, facilitators their browser's, both can switch."""

from __future__ import annotations

from pathlib import Path

from flask import current_app, g, request, session
from flask_babel import Babel

TRANSLATIONS = Path(__file__).parent / "translations"


def select_locale() -> str:
    """The language of this response."""
    languages = current_app.config["LANGUAGES"]
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


def use_workshop_language(language: str) -> None:
    """Pages for participants speak the workshop's language unless the phone switched."""
    chosen = request.args.get("lang")
    if chosen in current_app.config["LANGUAGES"]:
        session["participant_lang"] = chosen
    g.locale = session.get("participant_lang") or language


def init_app(app) -> Babel:
    """Attach Flask-Babel with our selector and catalogues."""
    return Babel(app, locale_selector=select_locale, default_translation_directories=str(TRANSLATIONS))
