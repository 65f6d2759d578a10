"""Web accounts: users (role, locale, lockout) and facilitator assignments.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 09:00:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=12), nullable=False),
        sa.Column("locale", sa.String(length=2), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=True),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "role IN ('admin', 'facilitator', 'treasurer', 'member', 'viewer')",
            name=op.f("ck_users_role"),
        ),
        sa.CheckConstraint("locale IN ('fa', 'en')", name=op.f("ck_users_locale")),
        sa.ForeignKeyConstraint(["fund_id"], ["funds.id"], name=op.f("fk_users_fund_id_funds")),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_users_member_id_members")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_users_fund_id"), ["fund_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_users_member_id"), ["member_id"], unique=False)

    op.create_table(
        "facilitator_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["fund_id"], ["funds.id"], name=op.f("fk_facilitator_assignments_fund_id_funds")
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_facilitator_assignments_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_facilitator_assignments")),
        sa.UniqueConstraint(
            "user_id", "fund_id", name=op.f("uq_facilitator_assignments_user_id_fund_id")
        ),
    )
    with op.batch_alter_table("facilitator_assignments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_facilitator_assignments_fund_id"), ["fund_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_facilitator_assignments_user_id"), ["user_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("facilitator_assignments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_facilitator_assignments_user_id"))
        batch_op.drop_index(batch_op.f("ix_facilitator_assignments_fund_id"))
    op.drop_table("facilitator_assignments")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_member_id"))
        batch_op.drop_index(batch_op.f("ix_users_fund_id"))
    op.drop_table("users")
