"""Advert reports: job adverts users reported from the advert check, for the staff
early-warning page (text, flags, risk, district; no reporter data shown).

Revision ID: 0010_advert_reports
Revises: 0009_staff_security
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_advert_reports"
down_revision = "0009_staff_security"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "advert_reports",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("text_key", sa.String(64), nullable=False),
        sa.Column("risk", sa.String(10), nullable=False),
        sa.Column("flags", sa.String(300), nullable=False),
        sa.Column("district", sa.String(100), nullable=True),
        sa.Column("channel", sa.String(20), nullable=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL"),
                  nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_advert_reports_text_key", "advert_reports", ["text_key"])
    op.create_index("ix_advert_reports_user_id", "advert_reports", ["user_id"])
    op.create_index("ix_advert_reports_created_at", "advert_reports", ["created_at"])


def downgrade() -> None:
    op.drop_table("advert_reports")
