"""Languages: participants get the workshop's, facilitators their browser's, both can switch."""

from __future__ import annotations

import threading
from collections import OrderedDict

from flask import current_app, g, request, session
from flask_babel import Babel, refresh

from .config import LANGUAGES
from .resources import PACKAGE

TRANSLATIONS = PACKAGE / "translations"
# Join code -> its workshop's language, for answering a phone while the database is away.
_CODE_LANGUAGES: OrderedDict[str, str] = OrderedDict()
_CODE_LANGUAGES_MAX = 10_000
_lock = threading.Lock()


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


def use_workshop_language(language: str) -> None:
    """Pages for participants speak the workshop's language unless the phone switched."""
    chosen = request.args.get("lang")
    if chosen in LANGUAGES:
        session["participant_lang"] = chosen
    g.locale = session.get("participant_lang") or language
    code = (request.view_args or {}).get("code")
    if isinstance(code, str) and code:
        with _lock:
            _CODE_LANGUAGES[code] = language
            _CODE_LANGUAGES.move_to_end(code)
            while len(_CODE_LANGUAGES) > _CODE_LANGUAGES_MAX:
                _CODE_LANGUAGES.popitem(last=False)


def remembered_language(code: str) -> str | None:
    """The language last used for a join code in this process (None if never seen)."""
    with _lock:
        return _CODE_LANGUAGES.get(code)


def use_remembered_language() -> None:
    """Until the workshop itself is read (or when it cannot be), speak the language last seen for this request's code."""
    if "locale" in g:
        return
    language = remembered_language((request.view_args or {}).get("code", ""))
    if language is not None:
        g.locale = session.get("participant_lang") or language
        refresh()


def init_app(app) -> Babel:
    """Attach Flask-Babel with our selector and catalogues."""
    return Babel(app, locale_selector=select_locale, default_translation_directories=str(TRANSLATIONS))
