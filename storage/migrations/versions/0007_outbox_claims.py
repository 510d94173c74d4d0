"""Outbox claims: a worker's sender claims a row for a while before it sends it,
so two workers never send the same row; an index on each chat's rows finds the head of
every chat's queue and its last send quickly, one on send times the channel's sends in
the last second (the global rate limit, shared by all workers).

Revision ID: 0007_outbox_claims
Revises: 0006_villages
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_outbox_claims"
down_revision = "0006_villages"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_outbox_chat", "outbox",
                    ["channel", "external_user_id", "status", "id"])
    op.create_index("ix_outbox_sent_at", "outbox", ["channel", "sent_at"])


def downgrade() -> None:
    op.drop_index("ix_outbox_sent_at", table_name="outbox")
    op.drop_index("ix_outbox_chat", table_name="outbox")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("claimed_until")
