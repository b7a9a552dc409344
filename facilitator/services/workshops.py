"""Writes on a workshop itself: create, settings, status, co-facilitators, projector."""

from __future__ import annotations

import secrets
import unicodedata

from flask import current_app
from sqlalchemy import select

from ..errors import ServiceError
from ..models import CoFacilitator, Prompt, Theme, User, Workshop, utcnow
from ..serialize import prompt_dict, theme_dict, workshop_dict
from .unit import write
from .validation import check_text, check_title

# No 0/O, 1/I/L: codes are read aloud and typed from a projector.
JOIN_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 6
STATUSES = ("draft", "open", "paused", "closed", "archived")
LANGUAGES = ("da", "en")
MAX_INPUT_LENGTH_CEILING = 5000
# Retention after closing, in days: 0 deletes at the next purge run, at most ten years.
RETENTION_DAYS_CEILING = 3650
# Status values in which a workshop counts as closed (its retention clock runs).
CLOSED_STATUSES = ("closed", "archived")


def new_join_code() -> str:
    """A random join code (31^6 ≈ 887 million possibilities)."""
    return "".join(secrets.choice(JOIN_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


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
    theme_titles = [check_title(t) for t in (themes or [])]
    options = _settings(settings, default_max_length)
    with write(actor) as uow:
        s = uow.session
        for _ in range(20):
            code = new_join_code()
            if s.execute(select(Workshop.id).where(Workshop.join_code == code)).first() is None:
                break
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
        for _ in range(20):
            code = new_join_code()
            if s.execute(select(Workshop.id).where(Workshop.join_code == code)).first() is None:
                break
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
            theme = Theme(workshop_id=copy.id, title=t.title, colour=t.colour, position=position)
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
            current = {
                "max_input_length": workshop.max_input_length,
                "named_inputs": workshop.named_inputs,
                "participants_see_wall": workshop.participants_see_wall,
                "participants_choose_theme": workshop.participants_choose_theme,
                "locked": workshop.locked,
                "retention_days": workshop.retention_days,
            }
            if not isinstance(changes["settings"], dict):
                raise ServiceError("invalid")
            options = _settings({**current, **changes["settings"]}, workshop.max_input_length)
            for name, value in options.items():
                setattr(workshop, name, value)
            changed["settings"] = options
        if changed:
            uow.record("workshop.updated", changed)
    return workshop


def set_projector_view(workshop_id: int, view: str, actor: str = "") -> Workshop:
    """Switch the projector between collecting (QR, new cards) and the themed board."""
    if view not in ("collect", "themes"):
        raise ServiceError("invalid")
    with write(actor) as uow:
        workshop = uow.lock(workshop_id)
        if workshop.projector_view != view:
            workshop.projector_view = view
            uow.record("projector.view", {"view": view})
    return workshop


def regenerate_projector_secret(workshop_id: int, actor: str = "") -> Workshop:
    """Issue a new projector link; the old one stops working."""
    with write(actor) as uow:
        workshop = uow.lock(workshop_id)
        workshop.projector_secret = secrets.token_urlsafe(24)
        uow.record("projector.secret_changed", {})
    return workshop


def add_co_facilitator(workshop_id: int, email: str, actor: str = "") -> User:
    """Share a workshop with another facilitator account."""
    with write(actor) as uow:
        workshop = uow.lock(workshop_id)
        well_formed = isinstance(email, str) and len(email) <= 254 and email.isprintable()
        user = uow.session.execute(
            select(User).where(User.email == email.strip().lower())
        ).scalar_one_or_none() if well_formed else None
        if user is None:
            raise ServiceError("unknown_account")
        exists = uow.session.get(CoFacilitator, (workshop.id, user.id))
        if exists is None and user.id != workshop.owner_id:
            uow.session.add(CoFacilitator(workshop_id=workshop.id, user_id=user.id))
            uow.record("workshop.co_facilitator_added", {"user_id": user.id, "email": user.email})
    return user


def set_active_prompt(workshop_id: int, text: str, actor: str = "") -> Prompt:
    """Ask a new question: add it as a prompt and make it the active one."""
    text = check_text(text, 1000).strip()
    if not text:
        raise ServiceError("empty")
    with write(actor) as uow:
        workshop = uow.lock(workshop_id)
        s = uow.session
        prompts = s.execute(select(Prompt).where(Prompt.workshop_id == workshop.id)).scalars().all()
        for p in prompts:
            p.active = False
        prompt = Prompt(workshop_id=workshop.id, text=text, position=len(prompts), active=True)
        s.add(prompt)
        s.flush()
        uow.record("prompt.created", prompt_dict(prompt))
    return prompt
