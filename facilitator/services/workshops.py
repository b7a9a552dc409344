"""Writes on a workshop itself: create, settings, status, co-facilitators, projector."""

from __future__ import annotations

import secrets
import unicodedata

from flask import current_app
from sqlalchemy import select

from ..errors import ServiceError
from ..models import CoFacilitator, Input, Prompt, Theme, User, Workshop, utcnow
from ..serialize import projector_state, prompt_dict, settings_dict, theme_dict, workshop_dict
from .board import themes as board_themes
from .prompts import add_prompt, append_prompt, check_prompt_text, prompts
from .themes import change_theme
from .unit import write
from ..config import LANGUAGES
from .validation import check_text, check_title, is_blank

# No 0/O, 1/I/L: codes are read aloud and typed from a projector.
JOIN_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 6
STATUSES = ("draft", "open", "paused", "closed", "archived")
MAX_INPUT_LENGTH_CEILING = 5000
# Retention after closing, in days: 0 deletes at the next purge run, at most ten years.
RETENTION_DAYS_CEILING = 3650
# Status values in which a workshop counts as closed (its retention clock runs).
CLOSED_STATUSES = ("closed", "archived")


def new_join_code() -> str:
    """A random join code (31^6 ≈ 887 million possibilities)."""
    return "".join(secrets.choice(JOIN_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def free_join_code(session) -> str:
    """A join code no workshop has yet (the unique index refuses the rare collision left after 20 draws)."""
    for _ in range(20):
        code = new_join_code()
        if session.execute(select(Workshop.id).where(Workshop.join_code == code)).first() is None:
            break
    return code


def normalise_join_code(raw: str) -> str:
    """Upper-case a typed code and drop the spaces, dashes and invisible characters people add.

    NFKC folds fullwidth letters and digits (a phone keyboard in CJK mode) onto
    ASCII; format characters (zero-width spaces, direction overrides) pasted
    with a code are dropped. Look-alike letters from other scripts stay as they
    are and so match no code.
    """
    folded = unicodedata.normalize("NFKC", raw[:200]).upper()
    return "".join(ch for ch in folded if ch not in " -\t" and unicodedata.category(ch) != "Cf")


def _bounded_int(value: object, low: int, high: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ServiceError("invalid")
    return value


def _settings(raw: dict | None, default_max: int) -> dict:
    raw = raw or {}
    if not isinstance(raw, dict):
        raise ServiceError("invalid")
    max_len = _bounded_int(raw.get("max_input_length", default_max), 1, MAX_INPUT_LENGTH_CEILING)
    retention = _bounded_int(
        raw.get("retention_days", current_app.config.get("RETENTION_DAYS", 90)), 0, RETENTION_DAYS_CEILING
    )
    flags = {}
    for name in ("named_inputs", "participants_see_wall", "participants_choose_theme", "locked"):
        value = raw.get(name, False)
        if not isinstance(value, bool):
            raise ServiceError("invalid")
        flags[name] = value
    return {"max_input_length": max_len, "retention_days": retention, **flags}


def create_workshop(
    owner_id: int,
    title: str,
    language: str = "da",
    description: str = "",
    themes: list[str] | None = None,
    settings: dict | None = None,
    prompt: str = "",
    place: str = "",
    held_on: str = "",
    default_max_length: int = 1000,
    actor: str = "",
) -> Workshop:
    """Create a draft workshop with optional starting themes and a first prompt."""
    title = check_title(title)
    if language not in LANGUAGES:
        raise ServiceError("invalid")
    description = check_text(description, 5000)
    prompt = check_text(prompt, 1000).strip()
    prompt = "" if is_blank(prompt) else prompt
    theme_titles = [check_title(t) for t in (themes or [])]
    options = _settings(settings, default_max_length)
    with write(actor) as uow:
        s = uow.session
        code = free_join_code(s)
        workshop = Workshop(
            title=title,
            description=description,
            language=language,
            join_code=code,
            status="draft",
            projector_secret=secrets.token_urlsafe(24),
            owner_id=owner_id,
            place=check_text(place, 200).strip(),
            held_on=check_text(held_on, 10).strip(),
            seq=0,
            **options,
        )
        s.add(workshop)
        s.flush()
        uow.workshop = workshop
        uow.record("workshop.created", workshop_dict(workshop))
        if prompt:
            p = Prompt(workshop_id=workshop.id, text=prompt, position=0, active=True)
            s.add(p)
            s.flush()
            uow.record("prompt.created", prompt_dict(p))
        for position, theme_title in enumerate(theme_titles):
            theme = Theme(workshop_id=workshop.id, title=theme_title, position=position)
            s.add(theme)
            s.flush()
            uow.record("theme.created", theme_dict(theme, []))
    return workshop


# What a copy takes over from its original. Status, lock, date, inputs and theme
# summaries (they summarise the original's inputs) belong to the original alone.
DUPLICATED_FIELDS = (
    "description",
    "language",
    "place",
    "max_input_length",
    "named_inputs",
    "participants_see_wall",
    "participants_choose_theme",
    "retention_days",
)


def duplicate_workshop(workshop_id: int, owner_id: int, title: str | None = None, actor: str = "") -> Workshop:
    """A new draft workshop with the original's settings, questions and themes, and no inputs."""
    with write(actor) as uow:
        s = uow.session
        source = s.get(Workshop, workshop_id)
        if source is None:
            raise ServiceError("not_found")
        code = free_join_code(s)
        copy = Workshop(
            title=check_title(source.title if title is None else title),
            join_code=code,
            status="draft",
            projector_secret=secrets.token_urlsafe(24),
            owner_id=owner_id,
            held_on="",
            seq=0,
            **{name: getattr(source, name) for name in DUPLICATED_FIELDS if hasattr(Workshop, name)},
        )
        s.add(copy)
        s.flush()
        uow.workshop = copy
        uow.record("workshop.created", {**workshop_dict(copy), "copied_from": source.id})
        prompts = s.execute(
            select(Prompt).where(Prompt.workshop_id == source.id).order_by(Prompt.position, Prompt.id)
        ).scalars()
        for p in list(prompts):
            new_prompt = Prompt(workshop_id=copy.id, text=p.text, position=p.position, active=p.active)
            s.add(new_prompt)
            s.flush()
            uow.record("prompt.created", prompt_dict(new_prompt))
        themes = s.execute(
            select(Theme).where(Theme.workshop_id == source.id).order_by(Theme.position, Theme.id)
        ).scalars()
        for position, t in enumerate(list(themes)):
            theme = Theme(workshop_id=copy.id, title=t.title, colour=t.colour, position=position, offered=t.offered)
            s.add(theme)
            s.flush()
            uow.record("theme.created", theme_dict(theme, []))
    return copy


def set_status(workshop_id: int, status: str, actor: str = "") -> Workshop:
    """Open, pause, close (or archive) a workshop's input; closing starts the retention clock."""
    if status not in STATUSES or status == "draft":
        raise ServiceError("invalid")
    with write(actor) as uow:
        workshop = uow.lock(workshop_id)
        if workshop.status != status:
            workshop.status = status
            if status not in CLOSED_STATUSES:
                workshop.closed_at = None
            elif workshop.closed_at is None:
                workshop.closed_at = utcnow()
            uow.record("workshop.status", {"status": status})
    return workshop


def update_workshop(workshop_id: int, changes: dict, actor: str = "") -> Workshop:
    """Change title, description, language, place, date or settings."""
    with write(actor) as uow:
        workshop = uow.lock(workshop_id)
        change_workshop(uow, workshop, changes)
    return workshop


def change_workshop(uow, workshop: Workshop, changes: dict) -> None:
    """update_workshop inside a unit of work that holds the workshop."""
    changed = {}
    if "title" in changes:
        workshop.title = changed["title"] = check_title(changes["title"])
    if "description" in changes:
        workshop.description = changed["description"] = check_text(changes["description"], 5000)
    if "language" in changes:
        if changes["language"] not in LANGUAGES:
            raise ServiceError("invalid")
        workshop.language = changed["language"] = changes["language"]
    for name, limit in (("place", 200), ("held_on", 10)):
        if name in changes:
            value = check_text(changes[name], limit).strip()
            setattr(workshop, name, value)
            changed[name] = value
    if "settings" in changes:
        current = settings_dict(workshop)
        if not isinstance(changes["settings"], dict):
            raise ServiceError("invalid")
        options = _settings({**current, **changes["settings"]}, workshop.max_input_length)
        for name, value in options.items():
            setattr(workshop, name, value)
        changed["settings"] = options
    if changed:
        uow.record("workshop.updated", changed)


def save_settings(
    workshop_id: int, changes: dict, question: str = "", offered: set[int] | None = None, actor: str = ""
) -> Workshop:
    """The dashboard's settings form in one transaction: the changes, the themes offered, a new question.

    All or nothing: a refused question leaves the settings unchanged too. The
    question is asked only when it differs from the active one; offered=None
    leaves every theme's offer as it is.
    """
    question = question.strip()
    with write(actor) as uow:
        workshop = uow.lock(workshop_id)
        change_workshop(uow, workshop, changes)
        if offered is not None:
            for theme in board_themes(uow.session, workshop.id):
                change_theme(uow, theme.id, {"offered": theme.id in offered})
        active = next((p.text for p in prompts(uow.session, workshop.id) if p.active), "")
        if question and question != active:
            append_prompt(uow, check_prompt_text(question), activate=True)
    return workshop


PROJECTOR_VIEWS = ("collect", "themes", "counts")
# Seconds per projector page a facilitator can choose; 0 lets the projector pace itself.
PROJECTOR_PAGE_SECONDS = (0, 8, 12, 20, 30, 60)
_KEEP = object()


def _spotlight(uow, workshop: Workshop, spotlight) -> str:
    """Check a spotlight ({"input_id"}, {"theme_id"} or None) against the workshop; the stored form."""
    if spotlight is None:
        return ""
    if not isinstance(spotlight, dict) or len(spotlight) != 1:
        raise ServiceError("invalid")
    (key, ident), = spotlight.items()
    if key not in ("input_id", "theme_id") or not isinstance(ident, int) or isinstance(ident, bool):
        raise ServiceError("invalid")
    model = Input if key == "input_id" else Theme
    row = uow.session.get(model, ident)
    # A hidden input is off the projector, so it cannot be put in the spotlight either.
    if row is None or row.workshop_id != workshop.id or (model is Input and row.hidden):
        raise ServiceError("not_found")
    return f"{key[:-3]}:{ident}"


def set_projector_view(
    workshop_id: int, view: str | None = None, actor: str = "", *, spotlight=_KEEP, page_seconds=None, paused=None
) -> Workshop:
    """Set what the projector shows: collecting or themes, a spotlight over it, and the paging pace.

    One projector.view event carries the whole new state, so a projector that
    reconnects (snapshot) or catches up (events) shows the same thing.
    """
    if view is not None and view not in PROJECTOR_VIEWS:
        raise ServiceError("invalid")
    if page_seconds is not None and (isinstance(page_seconds, bool) or page_seconds not in PROJECTOR_PAGE_SECONDS):
        raise ServiceError("invalid")
    if paused is not None and not isinstance(paused, bool):
        raise ServiceError("invalid")
    with write(actor) as uow:
        workshop = uow.lock(workshop_id)
        before = projector_state(workshop)
        if view is not None:
            workshop.projector_view = view
            # Switching the view is also the way back from a spotlight.
            if spotlight is _KEEP:
                spotlight = None
        if spotlight is not _KEEP:
            workshop.projector_spotlight = _spotlight(uow, workshop, spotlight)
        if page_seconds is not None:
            workshop.projector_page_seconds = page_seconds
        if paused is not None:
            workshop.projector_paused = paused
        after = projector_state(workshop)
        if after != before:
            uow.record("projector.view", after)
    return workshop


def regenerate_projector_secret(workshop_id: int, actor: str = "") -> Workshop:
    """Issue a new projector link; the old one stops working."""
    with write(actor) as uow:
        workshop = uow.lock(workshop_id)
        workshop.projector_secret = secrets.token_urlsafe(24)
        uow.record("projector.secret_changed", {})
    return workshop


def add_co_facilitator(workshop_id: int, email: object, actor: str = "") -> User | None:
    """Share a workshop with another facilitator account; None if there is no such account.

    The caller answers both cases alike, so the form tells nobody whether an
    account exists.
    """
    with write(actor) as uow:
        workshop = uow.lock(workshop_id)
        well_formed = isinstance(email, str) and len(email) <= 254 and email.isprintable()
        user = uow.session.execute(
            select(User).where(User.email == email.strip().lower())
        ).scalar_one_or_none() if well_formed else None
        if user is None:
            return None
        exists = uow.session.get(CoFacilitator, (workshop.id, user.id))
        if exists is None and user.id != workshop.owner_id:
            uow.session.add(CoFacilitator(workshop_id=workshop.id, user_id=user.id))
            uow.record("workshop.co_facilitator_added", {"user_id": user.id, "email": user.email})
    return user


def remove_co_facilitator(workshop_id: int, user_id: object, actor: str = "") -> None:
    """Stop sharing a workshop with a co-facilitator (their open walls are ended on publish)."""
    if not isinstance(user_id, int) or isinstance(user_id, bool):
        raise ServiceError("invalid")
    with write(actor) as uow:
        workshop = uow.lock(workshop_id)
        row = uow.session.get(CoFacilitator, (workshop.id, user_id))
        if row is None:
            raise ServiceError("not_found")
        uow.session.delete(row)
        uow.record("workshop.co_facilitator_removed", {"user_id": user_id})


def set_active_prompt(workshop_id: int, text: str, actor: str = "") -> Prompt:
    """Ask a new question: add it as the last prompt and make it the active one."""
    return add_prompt(workshop_id, text, activate=True, actor=actor)
