"""Messaging channels: durable inbox, delivery statuses, channel contacts, and the outbox
columns the push sender needs (retry schedule, error code, platform message id, sent_as).

Revision ID: 0005_channels
Revises: 0004_staff_audit
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_channels"
down_revision = "0004_staff_audit"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "inbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("update_id", sa.String(128), nullable=False),
        sa.Column("user_id", sa.String(128), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.String(500), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("processed_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_inbox"),
        sa.UniqueConstraint("platform", "update_id", name="uq_inbox_platform_update"),
    )
    op.create_index("ix_inbox_platform_status", "inbox", ["platform", "status", "id"])
    op.create_table(
        "delivery_statuses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("platform_message_id", sa.String(128), nullable=False),
        sa.Column("recipient", sa.String(128), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("error_code", sa.String(32), nullable=True),
        sa.Column("error_title", sa.String(200), nullable=True),
        sa.Column("outbox_id", sa.Integer(), nullable=True),
        sa.Column("reported_at", TS, nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_delivery_statuses"),
    )
    op.create_index("ix_delivery_statuses_platform_message_id", "delivery_statuses",
                    ["platform_message_id"])
    op.create_index("ix_delivery_statuses_outbox_id", "delivery_statuses", ["outbox_id"])
    op.create_table(
        "channel_contacts",
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("user_id", sa.String(128), nullable=False),
        sa.Column("phone", sa.String(32), nullable=True),
        sa.Column("last_inbound_at", TS, nullable=True),
        sa.PrimaryKeyConstraint("platform", "user_id", name="pk_channel_contacts"),
    )
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("next_attempt_at", TS, nullable=True))
        batch.add_column(sa.Column("error_code", sa.String(32), nullable=True))
        batch.add_column(sa.Column("platform_message_id", sa.String(128), nullable=True))
        batch.add_column(sa.Column("sent_as", sa.String(16), nullable=True))
    op.create_index("ix_outbox_channel_status", "outbox", ["channel", "status", "id"])


def downgrade() -> None:
    op.drop_index("ix_outbox_channel_status", table_name="outbox")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("sent_as")
        batch.drop_column("platform_message_id")
        batch.drop_column("error_code")
        batch.drop_column("next_attempt_at")
    op.drop_table("channel_contacts")
    op.drop_index("ix_delivery_statuses_outbox_id", table_name="delivery_statuses")
    op.drop_index("ix_delivery_statuses_platform_message_id", table_name="delivery_statuses")
    op.drop_table("delivery_statuses")
    op.drop_index("ix_inbox_platform_status", table_name="inbox")
    op.drop_table("inbox")
