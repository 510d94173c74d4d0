"""Villages: village registry with referral codes, user attribution, weekly
topic counts, agency sightings, and the village/district scope of staff accounts.

Revision ID: 0006_villages
Revises: 0005_channels
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_villages"
down_revision = "0005_channels"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "villages",
        sa.Column("code", sa.String(20), nullable=False),
        sa.Column("name", sa.String(150), nullable=False),
        sa.Column("subdistrict", sa.String(150), nullable=False),
        sa.Column("district_code", sa.String(10), nullable=False),
        sa.Column("district", sa.String(150), nullable=False),
        sa.Column("province", sa.String(150), nullable=False),
        sa.Column("referral_code", sa.String(16), nullable=False),
        sa.Column("demo", sa.Boolean(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("code", name="pk_villages"),
        sa.UniqueConstraint("referral_code", name="uq_villages_referral_code"),
    )
    op.create_index("ix_villages_district_code", "villages", ["district_code"])
    op.create_index("ix_villages_district", "villages", ["district"])
    op.create_table(
        "user_attribution",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("village_code", sa.String(20), nullable=True),
        sa.Column("district_code", sa.String(10), nullable=True),
        sa.Column("district", sa.String(150), nullable=True),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE",
                                name="fk_user_attribution_user_id_users"),
        sa.PrimaryKeyConstraint("user_id", name="pk_user_attribution"),
    )
    op.create_index("ix_user_attribution_village_code", "user_attribution", ["village_code"])
    op.create_index("ix_user_attribution_district_code", "user_attribution",
                    ["district_code"])
    op.create_index("ix_user_attribution_created_at", "user_attribution", ["created_at"])
    op.create_table(
        "topic_counts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("week", sa.Date(), nullable=False),
        sa.Column("village_code", sa.String(20), nullable=False),
        sa.Column("district_code", sa.String(10), nullable=False),
        sa.Column("intent", sa.String(64), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_topic_counts"),
        sa.UniqueConstraint("week", "village_code", "district_code", "intent",
                            name="uq_topic_counts_week_place_intent"),
    )
    op.create_index("ix_topic_counts_week", "topic_counts", ["week"])
    op.create_index("ix_topic_counts_village_code", "topic_counts", ["village_code"])
    op.create_index("ix_topic_counts_district_code", "topic_counts", ["district_code"])
    op.create_table(
        "agency_sightings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name_key", sa.String(255), nullable=False),
        sa.Column("query", sa.String(200), nullable=False),
        sa.Column("verdict", sa.String(20), nullable=False),
        sa.Column("district_code", sa.String(10), nullable=True),
        sa.Column("district", sa.String(150), nullable=True),
        sa.Column("village_code", sa.String(20), nullable=True),
        sa.Column("channel", sa.String(20), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_agency_sightings"),
    )
    op.create_index("ix_agency_sightings_name_key_district", "agency_sightings",
                    ["name_key", "district"])
    op.create_index("ix_agency_sightings_created_at", "agency_sightings", ["created_at"])
    with op.batch_alter_table("staff") as batch:
        batch.add_column(sa.Column("village_code", sa.String(20), nullable=True))
        batch.add_column(sa.Column("district_code", sa.String(10), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("staff") as batch:
        batch.drop_column("district_code")
        batch.drop_column("village_code")
    op.drop_index("ix_agency_sightings_created_at", table_name="agency_sightings")
    op.drop_index("ix_agency_sightings_name_key_district", table_name="agency_sightings")
    op.drop_table("agency_sightings")
    op.drop_index("ix_topic_counts_district_code", table_name="topic_counts")
    op.drop_index("ix_topic_counts_village_code", table_name="topic_counts")
    op.drop_index("ix_topic_counts_week", table_name="topic_counts")
    op.drop_table("topic_counts")
    op.drop_index("ix_user_attribution_created_at", table_name="user_attribution")
    op.drop_index("ix_user_attribution_district_code", table_name="user_attribution")
    op.drop_index("ix_user_attribution_village_code", table_name="user_attribution")
    op.drop_table("user_attribution")
    op.drop_index("ix_villages_district", table_name="villages")
    op.drop_index("ix_villages_district_code", table_name="villages")
    op.drop_table("villages")
