"""The reference workshop as demo data, loaded through the same service functions as a live one."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from . import services
from .models import Workshop
from .resources import data_file

SEED = data_file("seed-workshop.json")
# Deterministic client keys: loading the demo twice into one workshop stores nothing twice.
_NAMESPACE = uuid.UUID("5b0f4a52-0d1e-4c59-9a55-3f1f6f5b8f10")


def load_seed(path: Path = SEED) -> dict:
    """The seed workshop JSON."""
    return json.loads(path.read_text(encoding="utf-8"))


def load_demo(owner_id: int, seed: dict | None = None, status: str = "open") -> Workshop:
    """Create the seed workshop: post every input as a phone would, then group and summarise."""
    seed = seed or load_seed()
    workshop = services.create_workshop(
        owner_id=owner_id,
        title=seed["title"],
        language=seed["language"],
        held_on=seed.get("held_on", ""),
        actor="cli:demo",
    )
    services.set_status(workshop.id, "open", actor="cli:demo")
    counter = 0
    for theme_data in seed["themes"]:
        theme = services.create_theme(workshop.id, theme_data["title"], theme_data.get("summary", ""), actor="cli:demo")
        for index, text in enumerate(theme_data["inputs"]):
            counter += 1
            key = str(uuid.uuid5(_NAMESPACE, f"{counter}"))
            item, _ = services.submit_input(workshop.join_code, text, key)
            services.move_input(workshop.id, item.id, theme.id, index, actor="cli:demo")
    if status != "open":
        services.set_status(workshop.id, status, actor="cli:demo")
    return workshop
