"""surveys, versions, campaigns, responses

Revision ID: 5c1e0a7b9d21
Revises: 8735910f381b
Create Date: 2026-11-22 02:40:00

"""

import sqlalchemy as sa
from alembic import op

revision = "5c1e0a7b9d21"
down_revision = "8735910f381b"
branch_labels = None
depends_on = None

GROUPS = "'workers', 'suppliers', 'employees', 'communities', 'ngos', 'investors'"
ANONYMOUS = "'workers', 'communities', 'ngos'"


def upgrade():
    op.create_table(
        "surveys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("form_id", sa.String(length=64), nullable=False),
        sa.Column("audience", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_surveys")),
        sa.UniqueConstraint("form_id", name=op.f("uq_surveys_form_id")),
    )
    op.create_table(
        "survey_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=40), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("source", sa.String(length=255), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["survey_id"], ["surveys.id"],
                                name=op.f("fk_survey_versions_survey_id_surveys"),
                                ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_versions")),
        sa.UniqueConstraint("survey_id", "content_hash",
                            name=op.f("uq_survey_versions_survey_id")),
    )
    op.create_table(
        "campaigns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("survey_version_id", sa.Integer(), nullable=False),
        sa.Column("stakeholder_group", sa.String(length=20), nullable=False),
        sa.Column("opens_on", sa.Date(), nullable=False),
        sa.Column("closes_on", sa.Date(), nullable=False),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(f"stakeholder_group IN ({GROUPS})",
                           name=op.f("ck_campaigns_group_known")),
        sa.CheckConstraint("closes_on >= opens_on", name=op.f("ck_campaigns_window_order")),
        sa.CheckConstraint(
            f"stakeholder_group IN ({ANONYMOUS}) OR stakeholder_group = 'suppliers'"
            " OR token IS NOT NULL",
            name=op.f("ck_campaigns_token_for_invited_groups"),
        ),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"],
                                name=op.f("fk_campaigns_created_by_id_users"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["survey_version_id"], ["survey_versions.id"],
                                name=op.f("fk_campaigns_survey_version_id_survey_versions"),
                                ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaigns")),
        sa.UniqueConstraint("token", name=op.f("uq_campaigns_token")),
    )
    with op.batch_alter_table("campaigns", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_campaigns_survey_version_id"),
                              ["survey_version_id"], unique=False)
    op.create_table(
        "campaign_sites",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaigns.id"],
                                name=op.f("fk_campaign_sites_campaign_id_campaigns"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"],
                                name=op.f("fk_campaign_sites_site_id_sites"),
                                ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("campaign_id", "site_id", name=op.f("pk_campaign_sites")),
    )
    op.create_table(
        "responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("survey_version_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("stakeholder_group", sa.String(length=20), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(f"stakeholder_group IN ({GROUPS})",
                           name=op.f("ck_responses_group_known")),
        sa.CheckConstraint(f"stakeholder_group NOT IN ({ANONYMOUS}) OR user_id IS NULL",
                           name=op.f("ck_responses_anonymous_no_user")),
        sa.CheckConstraint(
            "status IN ('complete', 'draft', 'submitted', 'returned', 'accepted')",
            name=op.f("ck_responses_status_known"),
        ),
        sa.ForeignKeyConstraint(["campaign_id"], ["campaigns.id"],
                                name=op.f("fk_responses_campaign_id_campaigns"),
                                ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"],
                                name=op.f("fk_responses_site_id_sites"), ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["survey_version_id"], ["survey_versions.id"],
                                name=op.f("fk_responses_survey_version_id_survey_versions"),
                                ondelete="RESTRICT"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_responses_user_id_users"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_responses")),
    )
    with op.batch_alter_table("responses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_responses_campaign_id"), ["campaign_id"])
        batch_op.create_index(batch_op.f("ix_responses_site_id"), ["site_id"])
        batch_op.create_index(batch_op.f("ix_responses_submitted_on"), ["submitted_on"])
    op.create_table(
        "answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("question", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("number", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(["response_id"], ["responses.id"],
                                name=op.f("fk_answers_response_id_responses"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answers")),
        sa.UniqueConstraint("response_id", "question", name=op.f("uq_answers_response_id")),
    )
    with op.batch_alter_table("answers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_answers_response_id"), ["response_id"])


def downgrade():
    op.drop_table("answers")
    op.drop_table("responses")
    op.drop_table("campaign_sites")
    op.drop_table("campaigns")
    op.drop_table("survey_versions")
    op.drop_table("surveys")
