"""Schema changes through Alembic (the script folder comes from resources)."""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from .resources import resource


def alembic_config(url: str) -> Config:
    """An Alembic config for the database at url."""
    cfg = Config()
    cfg.set_main_option("script_location", str(resource("migrations")))
    # ConfigParser would read "%" in a password as interpolation.
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at url up to revision."""
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    """Take the database at url back to revision."""
    command.downgrade(alembic_config(url), revision)


def revision(url: str, message: str, autogenerate: bool = True) -> None:
    """Write a new migration script from the difference between the models and the database."""
    command.revision(alembic_config(url), message=message, autogenerate=autogenerate)
