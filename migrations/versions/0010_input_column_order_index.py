"""An index on a column's board order, so a move and a post find their place without scanning.

Revision ID: 0010
Revises: 0007
Create Date: 2026-12-07

services/board.py places a moved input between its two new neighbours, found
by (workshop, theme, position, id); a post reads its column's last position.
Only an index is added; the trigger that keeps input texts immutable is not touched.
"""

from alembic import op


revision = "0010"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_inputs_column_order", "inputs", ["workshop_id", "theme_id", "position", "id"])


def downgrade() -> None:
    op.drop_index("ix_inputs_column_order", table_name="inputs")
