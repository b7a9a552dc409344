"""Dot voting (vote rounds, each phone's allocation in a round) and the workshop timer.

Revision ID: 0007
Revises: 0002
Create Date: 2026-12-02

Two new tables; nothing existing changes. An allocation is keyed on (round,
hash of the phone key): one phone, one budget, and no way back from the row
to a phone or to its inputs. The timer is one row per workshop, in the
server's clock (epoch milliseconds).
"""

from alembic import op
import sqlalchemy as sa


revision = "0007"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "vote_rounds",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("workshop_id", sa.Integer(), sa.ForeignKey("workshops.id", ondelete="CASCADE"), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("vote_on", sa.String(10), nullable=False),
        sa.Column("theme_ids", sa.JSON(), nullable=True),
        sa.Column("item_ids", sa.JSON(), nullable=False),
        sa.Column("dots", sa.Integer(), nullable=False),
        sa.Column("per_item", sa.Integer(), nullable=False),
        sa.Column("reveal", sa.String(10), nullable=False),
        sa.Column("revealed", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("results", sa.JSON(), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_vote_rounds_workshop_id", "vote_rounds", ["workshop_id"])
    op.create_table(
        "vote_allocations",
        sa.Column("round_id", sa.Integer(), sa.ForeignKey("vote_rounds.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("phone", sa.String(64), primary_key=True),
        sa.Column("allocation", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "workshop_timers",
        sa.Column("workshop_id", sa.Integer(), sa.ForeignKey("workshops.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("duration_ms", sa.BigInteger(), nullable=False),
        sa.Column("ends_at_ms", sa.BigInteger(), nullable=True),
        sa.Column("remaining_ms", sa.BigInteger(), nullable=True),
        sa.Column("on_zero", sa.String(12), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("workshop_timers")
    op.drop_table("vote_allocations")
    op.drop_index("ix_vote_rounds_workshop_id", table_name="vote_rounds")
    op.drop_table("vote_rounds")
