"""Themes a participant may choose on the phone (participants_choose_theme).

Revision ID: 0005
Revises: 0002
Create Date: 2026-12-02

One column on `themes`, added in place; existing themes are offered (the
default), so turning the setting on offers every theme until the facilitator
takes some off. Prompts need no change: they already have a position and an
active flag, and inputs already record the prompt they answered.
"""

from alembic import op
import sqlalchemy as sa


revision = "0005"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("themes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("offered", sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("themes", schema=None) as batch_op:
        batch_op.drop_column("offered")
