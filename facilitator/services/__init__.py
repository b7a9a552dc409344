"""The one write path: every change to the database goes through these functions."""

from .importer import import_workshop
from .inputs import hide_input, move_input, submit_input, unhide_input
from .prompts import activate_prompt, add_prompt, delete_prompt, update_prompt
from .paper import import_inputs
from .themes import create_theme, delete_theme, merge_themes, update_theme
from .retention import delete_workshop, purge_expired, purge_workshop
from .suggestions import dismiss_hint, store_embeddings
from .timer import expire_timer, set_timer
from .votes import cast_votes, close_vote_round, open_vote_round, reveal_vote_round
from .users import (
    all_users,
    authenticate,
    change_password,
    create_token,
    create_user,
    end_login,
    log_out_everywhere,
    login_exists,
    revoke_token,
    set_user_active,
    start_login,
    tokens_of,
    user_for_token,
)
from .workshops import (
    add_co_facilitator,
    create_workshop,
    duplicate_workshop,
    normalise_join_code,
    regenerate_projector_secret,
    remove_co_facilitator,
    set_active_prompt,
    set_projector_view,
    save_settings,
    set_status,
    update_workshop,
)

__all__ = [
    "activate_prompt",
    "add_prompt",
    "delete_prompt",
    "update_prompt",
    "add_co_facilitator",
    "cast_votes",
    "close_vote_round",
    "all_users",
    "authenticate",
    "change_password",
    "create_theme",
    "create_token",
    "create_user",
    "end_login",
    "login_exists",
    "start_login",
    "create_workshop",
    "delete_theme",
    "delete_workshop",
    "dismiss_hint",
    "duplicate_workshop",
    "expire_timer",
    "hide_input",
    "import_inputs",
    "import_workshop",
    "log_out_everywhere",
    "merge_themes",
    "move_input",
    "normalise_join_code",
    "open_vote_round",
    "purge_expired",
    "purge_workshop",
    "regenerate_projector_secret",
    "remove_co_facilitator",
    "reveal_vote_round",
    "revoke_token",
    "set_active_prompt",
    "set_projector_view",
    "save_settings",
    "set_status",
    "set_timer",
    "set_user_active",
    "store_embeddings",
    "submit_input",
    "tokens_of",
    "unhide_input",
    "update_theme",
    "user_for_token",
]
