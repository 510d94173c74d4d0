"""Media: files users sent (photos, PDFs), stored durably in the media folder, one row each.

Revision ID: 0008_media
Revises: 0007_outbox_claims
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_media"
down_revision = "0007_outbox_claims"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "media",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL"),
                  nullable=True),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("source", sa.String(300), nullable=True),
        sa.Column("mime", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_media_user_id", "media", ["user_id"])
    op.create_index("ix_media_sha256", "media", ["sha256"])
    op.create_index("ix_media_created_at", "media", ["created_at"])


def downgrade() -> None:
    op.drop_table("media")
