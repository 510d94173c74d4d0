"""Service targets, pushed updates and satisfaction on complaints: when the first response
and the resolution are due (computed at filing from the office's targets in working time),
when the first response came, when the periodic check marked the case overdue, and the
complainant's satisfaction answer after "resolved"; an index for the overdue check.

Revision ID: 0013_case_targets
Revises: 0012_chat_turns
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_case_targets"
down_revision = "0012_chat_turns"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("complaints") as batch:
        batch.add_column(sa.Column("first_response_due", TS, nullable=True))
        batch.add_column(sa.Column("resolution_due", TS, nullable=True))
        batch.add_column(sa.Column("first_response_at", TS, nullable=True))
        batch.add_column(sa.Column("overdue_at", TS, nullable=True))
        batch.add_column(sa.Column("satisfaction", sa.String(16), nullable=True))
        batch.add_column(sa.Column("satisfaction_comment", sa.Text(), nullable=True))
        batch.add_column(sa.Column("satisfaction_at", TS, nullable=True))
    op.create_index("ix_complaints_overdue_check", "complaints",
                    ["overdue_at", "status", "resolution_due"])


def downgrade() -> None:
    op.drop_index("ix_complaints_overdue_check", table_name="complaints")
    with op.batch_alter_table("complaints") as batch:
        for column in ("satisfaction_at", "satisfaction_comment", "satisfaction",
                       "overdue_at", "first_response_at", "resolution_due",
                       "first_response_due"):
            batch.drop_column(column)
