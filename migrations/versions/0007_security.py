"""Security: a session version per user, the append-only security events, the demo's mark.

- ``users.session_version``: part of the id kept in the session cookie; raising it
  ends every session of the user (logout, password change or reset, role change,
  deactivation).
- ``security_events``: logins, lockouts, logouts, password and role changes, users
  created or deactivated, sensitive fields viewed; never updated or deleted
  (triggers on SQLite and PostgreSQL, like the ledger's).
- ``instance_marks``: facts about the database itself; ``demo`` says that
  ``sandogh demo`` created its data.

Revision ID: 0007
Revises: 0009
Create Date: 2026-12-04 16:30:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0007"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("session_version", sa.Integer(), nullable=False, server_default="0")
        )
    op.create_table(
        "security_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("actor", sa.String(length=80), nullable=False),
        sa.Column("ip", sa.String(length=45), nullable=False),
        sa.Column("detail", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_security_events_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_security_events")),
    )
    op.create_index(op.f("ix_security_events_occurred_at"), "security_events", ["occurred_at"])
    op.create_index(op.f("ix_security_events_user_id"), "security_events", ["user_id"])
    op.create_table(
        "instance_marks",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("marked_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_instance_marks")),
    )
    postgresql = op.get_bind().dialect.name == "postgresql"
    for statement in POSTGRESQL_TRIGGERS if postgresql else SQLITE_TRIGGERS:
        op.execute(statement)


def downgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    for statement in POSTGRESQL_DROP if postgresql else SQLITE_DROP:
        op.execute(statement)
    op.drop_table("instance_marks")
    op.drop_index(op.f("ix_security_events_user_id"), table_name="security_events")
    op.drop_index(op.f("ix_security_events_occurred_at"), table_name="security_events")
    op.drop_table("security_events")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("session_version")


SQLITE_TRIGGERS = [
    """CREATE TRIGGER security_events_never_updated BEFORE UPDATE ON security_events
    BEGIN SELECT RAISE(ABORT, 'security_events: an event is never changed'); END""",
    """CREATE TRIGGER security_events_never_deleted BEFORE DELETE ON security_events
    BEGIN SELECT RAISE(ABORT, 'security_events: an event is never deleted'); END""",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS security_events_never_updated",
    "DROP TRIGGER IF EXISTS security_events_never_deleted",
]
POSTGRESQL_TRIGGERS = [
    r"""CREATE FUNCTION security_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'security_events: an event is never changed or deleted';
    END $$""",
    """CREATE TRIGGER security_events_guard BEFORE UPDATE OR DELETE ON security_events
    FOR EACH ROW EXECUTE FUNCTION security_events_append_only()""",
]
POSTGRESQL_DROP = [
    "DROP TRIGGER IF EXISTS security_events_guard ON security_events",
    "DROP FUNCTION IF EXISTS security_events_append_only()",
]
