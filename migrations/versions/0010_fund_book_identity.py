"""Fund book identity and the reopen day of a meeting.

``savings_funds.book_id`` names the fund's book, so importing the same book twice is
refused; existing funds get a new identity. ``meetings.reopened_on`` keeps the day a
meeting was reopened (its reversals are dated the meeting's own day, issue 13).

Revision ID: 0010
Revises: 0006
Create Date: 2026-12-04 16:40:00

"""

import uuid

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0010"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("meetings") as batch:
        batch.add_column(sa.Column("reopened_on", sa.Date(), nullable=True))
    with op.batch_alter_table("savings_funds") as batch:
        batch.add_column(sa.Column("book_id", sa.String(length=80), nullable=True))
    funds = sa.table("savings_funds", sa.column("fund_id", sa.Integer), sa.column("book_id"))
    connection = op.get_bind()
    for (fund_id,) in connection.execute(sa.select(funds.c.fund_id)).all():
        connection.execute(
            funds.update()
            .where(funds.c.fund_id == fund_id)
            .values(book_id=f"urn:uuid:{uuid.uuid4()}")
        )
    with op.batch_alter_table("savings_funds") as batch:
        batch.alter_column("book_id", existing_type=sa.String(length=80), nullable=False)
        batch.create_unique_constraint(batch.f("uq_savings_funds_book_id"), ["book_id"])


def downgrade():
    with op.batch_alter_table("savings_funds") as batch:
        batch.drop_constraint(batch.f("uq_savings_funds_book_id"), type_="unique")
        batch.drop_column("book_id")
    with op.batch_alter_table("meetings") as batch:
        batch.drop_column("reopened_on")
