"""Accounts that can be deactivated, workshops that can be locked, and retention after closing.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27

Only columns are added (SQLite adds them in place, no table copy), so the
trigger that keeps input texts immutable on `inputs` is not touched.
"""

from alembic import op
import sqlalchemy as sa


revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("is_active", sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table("workshops", schema=None) as batch_op:
        batch_op.add_column(sa.Column("locked", sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column("retention_days", sa.Integer(), server_default=sa.text("90"), nullable=False))
        batch_op.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("purged_at", sa.DateTime(timezone=True), nullable=True))

    # Workshops closed before this migration start their retention period now:
    # an upgrade must not delete anything nobody was told would be deleted.
    workshops = sa.table("workshops", sa.column("status", sa.String), sa.column("closed_at", sa.DateTime(timezone=True)))
    op.execute(
        workshops.update()
        .where(workshops.c.status.in_(["closed", "archived"]))
        .values(closed_at=sa.func.current_timestamp())
    )


def downgrade() -> None:
    with op.batch_alter_table("workshops", schema=None) as batch_op:
        batch_op.drop_column("purged_at")
        batch_op.drop_column("closed_at")
        batch_op.drop_column("retention_days")
        batch_op.drop_column("locked")

    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("last_login_at")
        batch_op.drop_column("is_active")
