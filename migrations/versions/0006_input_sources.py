"""Inputs remember where they came from: a phone, or an import of paper inputs.

Revision ID: 0006
Revises: 0002
Create Date: 2026-12-02

`source` is "phone" for everything a phone sent (every input before this
migration came from a phone, so that is the column's default); an import
stores its label ("papir", "e-mail", ...). `import_key` groups the inputs of
one import so a repeated import adds nothing. Only columns and an index are
added (SQLite adds them in place), so the trigger that keeps input texts
immutable is not touched on the way up. On the way down SQLite drops the
columns by copying the table, which loses the trigger: downgrade() puts it
back (PostgreSQL drops columns in place and keeps it).
"""

from alembic import op
import sqlalchemy as sa


revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("inputs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("source", sa.String(40), server_default="phone", nullable=False))
        batch_op.add_column(sa.Column("import_key", sa.String(64), nullable=True))
        batch_op.create_index("ix_inputs_workshop_import_key", ["workshop_id", "import_key"])


def downgrade() -> None:
    with op.batch_alter_table("inputs", schema=None) as batch_op:
        batch_op.drop_index("ix_inputs_workshop_import_key")
        batch_op.drop_column("import_key")
        batch_op.drop_column("source")
    if op.get_bind().dialect.name == "sqlite":
        # The same trigger as 0001's: invariant 1, an input's text is never edited.
        op.execute("DROP TRIGGER IF EXISTS inputs_text_immutable")
        op.execute(
            "CREATE TRIGGER inputs_text_immutable BEFORE UPDATE OF text ON inputs "
            "WHEN NEW.text IS NOT OLD.text "
            "BEGIN SELECT RAISE(ABORT, 'input text is immutable'); END"
        )
