"""The one write path: every change to the database goes through these functions."""

from .importer import import_workshop
from .inputs import hide_input, move_input, submit_input, unhide_input
from .themes import create_theme, delete_theme, merge_themes, update_theme
from .retention import delete_workshop, purge_expired, purge_workshop
from .users import (
    all_users,
    authenticate,
    change_password,
    create_token,
    create_user,
    log_out_everywhere,
    revoke_token,
    set_user_active,
    tokens_of,
    user_for_token,
)
from .workshops import (
    add_co_facilitator,
    create_workshop,
    duplicate_workshop,
    normalise_join_code,
    regenerate_projector_secret,
    set_active_prompt,
    set_projector_view,
    set_status,
    update_workshop,
)

__all__ = [
    "add_co_facilitator",
    "all_users",
    "authenticate",
    "change_password",
    "create_theme",
    "create_token",
    "create_user",
    "create_workshop",
    "delete_theme",
    "delete_workshop",
    "duplicate_workshop",
    "hide_input",
    "import_workshop",
    "log_out_everywhere",
    "merge_themes",
    "move_input",
    "normalise_join_code",
    "purge_expired",
    "purge_workshop",
    "regenerate_projector_secret",
    "revoke_token",
    "set_active_prompt",
    "set_projector_view",
    "set_status",
    "set_user_active",
    "submit_input",
    "tokens_of",
    "unhide_input",
    "update_theme",
    "user_for_token",
]
