"""Staff security and idempotent intake: server-side dashboard sessions, failed sign-in
counts shared by all workers, the staff second factor (TOTP secret, last step, hashed
recovery codes, enrolment link), a unique intake id on complaints (one complaint per
confirmation), and stored web chat replies by client message id (retries answered once).

Revision ID: 0009_staff_security
Revises: 0008_media
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_staff_security"
down_revision = "0008_media"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff_sessions",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("mfa_passed", sa.Boolean(), nullable=False),
        sa.Column("ip", sa.String(64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"], ondelete="CASCADE",
                                name="fk_staff_sessions_staff_id_staff"),
        sa.PrimaryKeyConstraint("id", name="pk_staff_sessions"),
    )
    op.create_index("ix_staff_sessions_staff_id", "staff_sessions", ["staff_id"])
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(160), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_login_failures"),
    )
    op.create_index("ix_login_failures_key_at", "login_failures", ["key", "created_at"])
    op.create_table(
        "chat_replies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("user_id", sa.String(128), nullable=False),
        sa.Column("client_id", sa.String(64), nullable=False),
        sa.Column("replies", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_chat_replies"),
        sa.UniqueConstraint("channel", "user_id", "client_id", name="uq_chat_replies_message"),
    )
    op.create_index("ix_chat_replies_created_at", "chat_replies", ["created_at"])
    with op.batch_alter_table("staff") as batch:
        batch.add_column(sa.Column("totp_secret", sa.String(64), nullable=True))
        batch.add_column(sa.Column("totp_last_step", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("recovery_codes", sa.JSON(), nullable=False,
                                   server_default="[]"))
        batch.add_column(sa.Column("enrol_token_hash", sa.String(64), nullable=True))
        batch.add_column(sa.Column("enrol_expires_at", sa.DateTime(timezone=True),
                                   nullable=True))
    with op.batch_alter_table("complaints") as batch:
        batch.add_column(sa.Column("intake_id", sa.String(32), nullable=True))
        batch.create_unique_constraint("uq_complaints_intake_id", ["intake_id"])


def downgrade() -> None:
    with op.batch_alter_table("complaints") as batch:
        batch.drop_constraint("uq_complaints_intake_id", type_="unique")
        batch.drop_column("intake_id")
    with op.batch_alter_table("staff") as batch:
        for column in ("enrol_expires_at", "enrol_token_hash", "recovery_codes",
                       "totp_last_step", "totp_secret"):
            batch.drop_column(column)
    op.drop_index("ix_chat_replies_created_at", table_name="chat_replies")
    op.drop_table("chat_replies")
    op.drop_index("ix_login_failures_key_at", table_name="login_failures")
    op.drop_table("login_failures")
    op.drop_index("ix_staff_sessions_staff_id", table_name="staff_sessions")
    op.drop_table("staff_sessions")
