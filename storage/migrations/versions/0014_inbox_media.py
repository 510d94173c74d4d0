"""Inbox media: an update with a photo or document is `media_state = "pending"` until
its files are fetched into the media store (then "done", or "failed" with the platform
reference kept), so no turn answers it before; channel contacts remember a chat that
blocked the bot.

Revision ID: 0014_inbox_media
Revises: 0013_case_targets
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_inbox_media"
down_revision = "0013_case_targets"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("inbox") as batch:
        batch.add_column(sa.Column("media_state", sa.String(16), nullable=True))
    op.create_index("ix_inbox_media_state", "inbox", ["platform", "media_state", "id"])
    with op.batch_alter_table("channel_contacts") as batch:
        batch.add_column(sa.Column("blocked_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("channel_contacts") as batch:
        batch.drop_column("blocked_at")
    op.drop_index("ix_inbox_media_state", table_name="inbox")
    with op.batch_alter_table("inbox") as batch:
        batch.drop_column("media_state")
