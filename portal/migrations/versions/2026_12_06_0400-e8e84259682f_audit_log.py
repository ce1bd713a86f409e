"""audit log: one table of staff actions for every capability (grievance events move into it)

Revision ID: e8e84259682f
Revises: b4e8d2a6c1f3
Create Date: 2026-12-06 04:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "e8e84259682f"
down_revision = "b4e8d2a6c1f3"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=20), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_audit_events_user_id_users"), ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index("ix_audit_events_subject", ["subject", "subject_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_audit_events_user_id"), ["user_id"], unique=False)
    # Existing case audit entries keep their order, authors and times.
    op.execute(
        "INSERT INTO audit_events (subject, subject_id, user_id, action, detail, created_at) "
        "SELECT 'grievance', grievance_id, user_id, action, detail, created_at "
        "FROM grievance_events ORDER BY id"
    )
    with op.batch_alter_table("grievance_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_grievance_events_grievance_id"))
        batch_op.drop_index(batch_op.f("ix_grievance_events_user_id"))
    op.drop_table("grievance_events")


def downgrade():
    op.create_table(
        "grievance_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("grievance_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["grievance_id"], ["grievances.id"],
                                name=op.f("fk_grievance_events_grievance_id_grievances"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_grievance_events_user_id_users"), ondelete="RESTRICT"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_grievance_events")),
    )
    with op.batch_alter_table("grievance_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_grievance_events_grievance_id"), ["grievance_id"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_grievance_events_user_id"), ["user_id"], unique=False)
    op.execute(
        "INSERT INTO grievance_events (grievance_id, user_id, action, detail, created_at) "
        "SELECT subject_id, user_id, action, detail, created_at FROM audit_events "
        "WHERE subject = 'grievance' AND subject_id IN (SELECT id FROM grievances) ORDER BY id"
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_events_user_id"))
        batch_op.drop_index("ix_audit_events_subject")
    op.drop_table("audit_events")
