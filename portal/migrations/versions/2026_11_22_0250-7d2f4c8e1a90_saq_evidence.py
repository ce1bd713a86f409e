"""supplier questionnaires: review comment, evidence files, one SAQ per site

Revision ID: 7d2f4c8e1a90
Revises: 5c1e0a7b9d21
Create Date: 2026-11-22 02:50:00

"""

import sqlalchemy as sa
from alembic import op

revision = "7d2f4c8e1a90"
down_revision = "5c1e0a7b9d21"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("review_comment", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index(
        "uq_responses_saq_site",
        "responses",
        ["campaign_id", "site_id"],
        unique=True,
        sqlite_where=sa.text("stakeholder_group = 'suppliers'"),
        postgresql_where=sa.text("stakeholder_group = 'suppliers'"),
    )
    op.create_table(
        "evidence",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("question", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("stored_name", sa.String(length=64), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "content_type IN ('application/pdf', 'image/jpeg', 'image/png')",
            name=op.f("ck_evidence_type_allowed"),
        ),
        sa.ForeignKeyConstraint(["response_id"], ["responses.id"],
                                name=op.f("fk_evidence_response_id_responses"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["uploaded_by_id"], ["users.id"],
                                name=op.f("fk_evidence_uploaded_by_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence")),
        sa.UniqueConstraint("stored_name", name=op.f("uq_evidence_stored_name")),
    )
    with op.batch_alter_table("evidence", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evidence_response_id"), ["response_id"])


def downgrade():
    op.drop_table("evidence")
    op.drop_index("uq_responses_saq_site", table_name="responses")
    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.drop_column("updated_at")
        batch_op.drop_column("review_comment")
