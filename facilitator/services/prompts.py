"""Writes on a workshop's questions (prompts): rounds that can be asked, reordered and asked again.

A workshop keeps an ordered list of questions with consecutive positions; at
most one is active, and a phone's input records the active one when it
arrives. A question that an input has answered keeps its text (the input's
record would otherwise change meaning) and cannot be deleted.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..errors import ServiceError
from ..models import Input, Prompt
from ..serialize import prompt_dict
from .board import move_in_order, reorder
from .unit import write
from .validation import check_title

PROMPT_LIMIT = 1000


def check_prompt_text(text: object) -> str:
    """A question: one non-empty line of at most PROMPT_LIMIT characters, trimmed."""
    return check_title(text, PROMPT_LIMIT)


def prompts(session: Session, workshop_id: int) -> list[Prompt]:
    """A workshop's questions in their order."""
    return list(
        session.execute(
            select(Prompt).where(Prompt.workshop_id == workshop_id).order_by(Prompt.position, Prompt.id)
        ).scalars()
    )


def _prompt_of(session: Session, workshop_id: int, prompt_id: object) -> Prompt:
    if not isinstance(prompt_id, int) or isinstance(prompt_id, bool):
        raise ServiceError("invalid")
    prompt = session.get(Prompt, prompt_id)
    if prompt is None or prompt.workshop_id != workshop_id:
        raise ServiceError("not_found")
    return prompt


def _answered(session: Session, prompt: Prompt) -> bool:
    return bool(session.execute(select(func.count(Input.id)).where(Input.prompt_id == prompt.id)).scalar())


def answered_counts(session: Session, workshop_id: int) -> dict[int, int]:
    """How many inputs answered each of a workshop's questions (questions without inputs left out)."""
    rows = session.execute(
        select(Input.prompt_id, func.count(Input.id))
        .where(Input.workshop_id == workshop_id, Input.prompt_id.is_not(None))
        .group_by(Input.prompt_id)
    ).all()
    return {prompt_id: n for prompt_id, n in rows}


def add_prompt(workshop_id: int, text: object, activate: bool = False, actor: str = "") -> Prompt:
    """Add a question at the end of the list; with activate, ask it now."""
    text = check_prompt_text(text)
    with write(actor) as uow:
        uow.lock(workshop_id)
        prompt = append_prompt(uow, text, activate)
    return prompt


def append_prompt(uow, text: str, activate: bool) -> Prompt:
    """add_prompt inside a unit of work that holds the workshop (text already checked)."""
    s, workshop_id = uow.session, uow.workshop.id
    existing = prompts(s, workshop_id)
    if activate:
        for p in existing:
            p.active = False
    prompt = Prompt(workshop_id=workshop_id, text=text, position=len(existing), active=bool(activate))
    s.add(prompt)
    s.flush()
    uow.record("prompt.created", prompt_dict(prompt))
    return prompt


def update_prompt(workshop_id: int, prompt_id: int, changes: object, actor: str = "") -> Prompt:
    """Change a question's text (until an input answers it) or move it to another position."""
    if not isinstance(changes, dict) or not set(changes) <= {"text", "position"}:
        raise ServiceError("invalid")
    with write(actor) as uow:
        uow.lock(workshop_id)
        s = uow.session
        prompt = _prompt_of(s, workshop_id, prompt_id)
        changed: dict = {}
        if "text" in changes:
            text = check_prompt_text(changes["text"])
            if text != prompt.text:
                if _answered(s, prompt):
                    raise ServiceError("prompt_answered")
                prompt.text = changed["text"] = text
        if "position" in changes:
            ids = move_in_order(prompts(s, workshop_id), prompt, changes["position"])
            if ids is not None:
                changed["prompt_order"] = ids
        if changed:
            uow.record("prompt.updated", {"prompt_id": prompt.id, **changed})
    return prompt


def delete_prompt(workshop_id: int, prompt_id: int, actor: str = "") -> None:
    """Remove a question no input has answered; the others close up."""
    with write(actor) as uow:
        uow.lock(workshop_id)
        s = uow.session
        prompt = _prompt_of(s, workshop_id, prompt_id)
        if _answered(s, prompt):
            raise ServiceError("prompt_answered")
        remaining = [p for p in prompts(s, workshop_id) if p.id != prompt.id]
        s.delete(prompt)
        uow.record("prompt.deleted", {"prompt_id": prompt.id, "prompt_order": reorder(remaining)})


def activate_prompt(workshop_id: int, prompt_id: int, actor: str = "") -> Prompt:
    """Ask this question now (an earlier one again, too); phones switch to it, new inputs answer it."""
    with write(actor) as uow:
        uow.lock(workshop_id)
        s = uow.session
        prompt = _prompt_of(s, workshop_id, prompt_id)
        if not prompt.active:
            for p in prompts(s, workshop_id):
                p.active = p.id == prompt.id
            uow.record("prompt.activated", {"prompt_id": prompt.id})
    return prompt
