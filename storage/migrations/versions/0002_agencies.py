"""Agency register: agencies, agency_imports, agency_reports.

Revision ID: 0002_agencies
Revises: 0001_core
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_agencies"
down_revision = "0001_core"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "agency_imports",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("file_name", sa.String(255), nullable=False),
        sa.Column("source", sa.String(255), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("rows_imported", sa.Integer(), nullable=False),
        sa.Column("rows_rejected", sa.Integer(), nullable=False),
        sa.Column("duplicate_names", sa.Integer(), nullable=False),
        sa.Column("demo", sa.Boolean(), nullable=False),
        sa.Column("imported_by", sa.String(100), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_agency_imports"),
    )
    op.create_index("ix_agency_imports_created_at", "agency_imports", ["created_at"])
    op.create_table(
        "agencies",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("name_key", sa.String(255), nullable=False),
        sa.Column("sip3mi", sa.String(100), nullable=False),
        sa.Column("number_key", sa.String(100), nullable=False),
        sa.Column("status", sa.String(30), nullable=False),
        sa.Column("province", sa.String(100), nullable=False),
        sa.Column("city", sa.String(100), nullable=False),
        sa.Column("address", sa.String(300), nullable=False),
        sa.Column("phone", sa.String(50), nullable=False),
        sa.Column("issued", sa.Date(), nullable=True),
        sa.Column("expires", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_agencies"),
        sa.ForeignKeyConstraint(
            ["import_id"], ["agency_imports.id"], ondelete="CASCADE",
            name="fk_agencies_import_id_agency_imports",
        ),
    )
    op.create_index("ix_agencies_name_key", "agencies", ["name_key"])
    op.create_index("ix_agencies_number_key", "agencies", ["number_key"])
    op.create_table(
        "agency_reports",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("query", sa.String(500), nullable=False),
        sa.Column("name_key", sa.String(255), nullable=False),
        sa.Column("verdict", sa.String(20), nullable=False),
        sa.Column("matched_name", sa.String(255), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("district", sa.String(100), nullable=True),
        sa.Column("referral", sa.String(64), nullable=True),
        sa.Column("channel", sa.String(20), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_agency_reports"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], ondelete="SET NULL",
            name="fk_agency_reports_user_id_users",
        ),
    )
    op.create_index("ix_agency_reports_name_key", "agency_reports", ["name_key"])
    op.create_index("ix_agency_reports_created_at", "agency_reports", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_agency_reports_created_at", table_name="agency_reports")
    op.drop_index("ix_agency_reports_name_key", table_name="agency_reports")
    op.drop_table("agency_reports")
    op.drop_index("ix_agencies_number_key", table_name="agencies")
    op.drop_index("ix_agencies_name_key", table_name="agencies")
    op.drop_table("agencies")
    op.drop_index("ix_agency_imports_created_at", table_name="agency_imports")
    op.drop_table("agency_imports")
