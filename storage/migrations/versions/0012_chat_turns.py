"""Web chat transcript: the newest turns of each web chat user, shown again on return.

Revision ID: 0012_chat_turns
Revises: 0011_send_limits
"""

import sqlalchemy as sa
from alembic import op

revision = "0012_chat_turns"
down_revision = "0011_send_limits"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "chat_turns",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("said", sa.JSON(), nullable=False),
        sa.Column("replies", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_chat_turns_user_id_id", "chat_turns", ["user_id", "id"])


def downgrade() -> None:
    op.drop_table("chat_turns")
