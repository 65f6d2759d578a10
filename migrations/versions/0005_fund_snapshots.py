"""Fund snapshots: each fund's monitoring sums stored at each meeting.

The table starts empty; fill it for the meetings already recorded with
``sandogh report rebuild-snapshots`` (docs/reports.md). Until then the dashboard
shows a fund with no snapshot as having no meeting yet. New meetings write their
own snapshot.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 02:10:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

MONEY = (
    "savings",
    "loans_outstanding",
    "cash",
    "par30_principal",
    "due_in_period",
    "paid_on_time",
    "gain",
    "profit",
    "assets_start",
    "assets",
    "written_off",
    "disbursed",
    "cash_discrepancy",
)
COUNTS = (
    "attendance_present",
    "attendance_sheet",
    "days",
    "members_at_start",
    "left_in_period",
    "loans_over_cap",
    "guarantors_over_pledged",
)


def upgrade():
    op.create_table(
        "fund_snapshots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("period_days", sa.Integer(), nullable=False),
        sa.Column("active_members", sa.Integer(), nullable=False),
        *(sa.Column(name, sa.BigInteger(), nullable=False) for name in MONEY),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in COUNTS),
        sa.ForeignKeyConstraint(
            ["fund_id"], ["funds.id"], name=op.f("fk_fund_snapshots_fund_id_funds")
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"], name=op.f("fk_fund_snapshots_meeting_id_meetings")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fund_snapshots")),
        sa.UniqueConstraint("meeting_id", name=op.f("uq_fund_snapshots_meeting_id")),
    )
    op.create_index("ix_fund_snapshots_fund_date", "fund_snapshots", ["fund_id", "date"])


def downgrade():
    op.drop_index("ix_fund_snapshots_fund_date", table_name="fund_snapshots")
    op.drop_table("fund_snapshots")
