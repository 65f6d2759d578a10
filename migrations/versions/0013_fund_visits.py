"""Fund visits: a facilitator's visits (day, notes) and the actions agreed, open until done.

Revision ID: 0013
Revises: 0007
Create Date: 2026-12-04 17:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0013"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "fund_visits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("visited_on", sa.Date(), nullable=False),
        sa.Column("visited_by", sa.String(length=80), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["fund_id"], ["funds.id"], name=op.f("fk_fund_visits_fund_id_funds")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fund_visits")),
    )
    op.create_index(op.f("ix_fund_visits_fund_id"), "fund_visits", ["fund_id"])
    op.create_table(
        "visit_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.Text(), nullable=False),
        sa.Column("who", sa.String(length=200), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["fund_visits.id"], name=op.f("fk_visit_actions_visit_id_fund_visits")
        ),
        sa.ForeignKeyConstraint(
            ["fund_id"], ["funds.id"], name=op.f("fk_visit_actions_fund_id_funds")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit_actions")),
    )
    op.create_index(op.f("ix_visit_actions_visit_id"), "visit_actions", ["visit_id"])
    op.create_index(op.f("ix_visit_actions_fund_id"), "visit_actions", ["fund_id"])


def downgrade():
    op.drop_index(op.f("ix_visit_actions_fund_id"), table_name="visit_actions")
    op.drop_index(op.f("ix_visit_actions_visit_id"), table_name="visit_actions")
    op.drop_table("visit_actions")
    op.drop_index(op.f("ix_fund_visits_fund_id"), table_name="fund_visits")
    op.drop_table("fund_visits")
