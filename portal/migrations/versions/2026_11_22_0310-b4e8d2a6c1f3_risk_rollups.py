"""risk rollups: counts per site x group x indicator x quarter; responses per campaign x site x day

Revision ID: b4e8d2a6c1f3
Revises: a3c9e1f27b64
Create Date: 2026-11-22 03:10:00

"""

import sqlalchemy as sa
from alembic import op

revision = "b4e8d2a6c1f3"
down_revision = "a3c9e1f27b64"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "risk_cells",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("stakeholder_group", sa.String(length=20), nullable=False),
        sa.Column("indicator", sa.String(length=8), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("k", sa.Integer(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("missing", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"],
                                name=op.f("fk_risk_cells_site_id_sites"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_risk_cells")),
        sa.UniqueConstraint("site_id", "stakeholder_group", "indicator", "period",
                            name="uq_risk_cells_key"),
    )
    with op.batch_alter_table("risk_cells", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_risk_cells_indicator"), ["indicator"])
        batch_op.create_index(batch_op.f("ix_risk_cells_period"), ["period"])
        batch_op.create_index(batch_op.f("ix_risk_cells_site_id"), ["site_id"])
    op.create_table(
        "response_counts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaigns.id"],
                                name=op.f("fk_response_counts_campaign_id_campaigns"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"],
                                name=op.f("fk_response_counts_site_id_sites"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_response_counts")),
        sa.UniqueConstraint("campaign_id", "site_id", "day", name="uq_response_counts_key"),
    )
    with op.batch_alter_table("response_counts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_response_counts_campaign_id"), ["campaign_id"])
        batch_op.create_index(batch_op.f("ix_response_counts_site_id"), ["site_id"])
    # Existing answers (if any) are counted by `flask --app portal risk rebuild`.


def downgrade():
    op.drop_table("response_counts")
    op.drop_table("risk_cells")
