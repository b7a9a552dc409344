"""The projector's spotlight (one input or one theme) and its paging pace.

Revision ID: 0009
Revises: 0002
Create Date: 2026-12-02

Only columns are added (SQLite adds them in place), so the trigger that keeps
input texts immutable is not touched.
"""

from alembic import op
import sqlalchemy as sa


revision = "0009"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("workshops", schema=None) as batch_op:
        batch_op.add_column(sa.Column("projector_spotlight", sa.String(40), server_default="", nullable=False))
        batch_op.add_column(sa.Column("projector_page_seconds", sa.Integer(), server_default=sa.text("0"), nullable=False))
        batch_op.add_column(sa.Column("projector_paused", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("workshops", schema=None) as batch_op:
        batch_op.drop_column("projector_paused")
        batch_op.drop_column("projector_page_seconds")
        batch_op.drop_column("projector_spotlight")
