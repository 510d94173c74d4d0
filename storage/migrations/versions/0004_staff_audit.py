"""Staff audit log (sign-in, sign-out, failed sign-in, CSV export) for the dashboard.

Revision ID: 0004_staff_audit
Revises: 0003_complaints
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_staff_audit"
down_revision = "0003_complaints"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("office_code", sa.String(32), nullable=True),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("ip", sa.String(64), nullable=True),
        sa.Column("detail", sa.String(500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"], ondelete="SET NULL",
                                name="fk_staff_audit_staff_id_staff"),
        sa.PrimaryKeyConstraint("id", name="pk_staff_audit"),
    )
    op.create_index("ix_staff_audit_staff_id", "staff_audit", ["staff_id"])
    op.create_index("ix_staff_audit_created_at", "staff_audit", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_staff_audit_created_at", table_name="staff_audit")
    op.drop_index("ix_staff_audit_staff_id", table_name="staff_audit")
    op.drop_table("staff_audit")
