"""Suggestions: stored embeddings, dismissed theme hints, and inputs placed by a suggestion.

Revision ID: 0008
Revises: 0002
Create Date: 2026-12-02

`inputs` only gains a column (SQLite adds it in place, no table copy), so the
trigger that keeps input texts immutable is not touched. Both new tables
cascade from `inputs`, and retention deletes their rows explicitly as well.
"""

from alembic import op
import sqlalchemy as sa


revision = "0008"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("inputs", sa.Column("suggested", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_table(
        "input_embeddings",
        sa.Column("input_id", sa.Integer(), sa.ForeignKey("inputs.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("workshop_id", sa.Integer(), sa.ForeignKey("workshops.id", ondelete="CASCADE"), nullable=False),
        sa.Column("model", sa.String(80), nullable=False),
        sa.Column("vector", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_input_embeddings_workshop_id", "input_embeddings", ["workshop_id"])
    op.create_table(
        "hint_dismissals",
        sa.Column("input_id", sa.Integer(), sa.ForeignKey("inputs.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("theme_id", sa.Integer(), sa.ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("workshop_id", sa.Integer(), sa.ForeignKey("workshops.id", ondelete="CASCADE"), nullable=False),
    )
    op.create_index("ix_hint_dismissals_workshop_id", "hint_dismissals", ["workshop_id"])


def downgrade() -> None:
    op.drop_index("ix_hint_dismissals_workshop_id", table_name="hint_dismissals")
    op.drop_table("hint_dismissals")
    op.drop_index("ix_input_embeddings_workshop_id", table_name="input_embeddings")
    op.drop_table("input_embeddings")
    # A plain DROP COLUMN (SQLite 3.35+ does it in place): a batch table copy would lose the
    # trigger that keeps input texts immutable.
    op.drop_column("inputs", "suggested")
