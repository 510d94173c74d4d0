"""Send limits shared by all workers: the time of each outbox row's last send attempt
(accepted or not: Telegram's global and per-chat limits count attempts), and per platform
the next free send slot (the global limit) and a pause after a 429 (no worker calls the
platform before `until`).

Revision ID: 0011_send_limits
Revises: 0010_advert_reports
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_send_limits"
down_revision = "0010_advert_reports"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index("ix_outbox_attempted_at", "outbox", ["channel", "attempted_at"])
    op.create_table(
        "platform_pauses",
        sa.Column("channel", sa.String(20), primary_key=True),
        sa.Column("until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("next_slot", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("platform_pauses")
    op.drop_index("ix_outbox_attempted_at", table_name="outbox")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("attempted_at")
