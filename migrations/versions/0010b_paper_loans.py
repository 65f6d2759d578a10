"""Opening balances from paper: a loan's original principal, a member's charges paid so far.

``loans.original_principal`` keeps what a loan from paper was lent (``principal`` is what
remained when the fund came into the books); ``meeting_lines.charges_paid`` keeps, on
the opening line, the service charges she had paid in the cycle so far (issue 13).

Revision ID: 0010b
Revises: 0008
Create Date: 2026-12-04 17:15:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0010b"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("loans") as batch:
        batch.add_column(sa.Column("original_principal", sa.BigInteger(), nullable=True))
    with op.batch_alter_table("meeting_lines") as batch:
        batch.add_column(
            sa.Column("charges_paid", sa.BigInteger(), nullable=False, server_default="0")
        )


def downgrade():
    with op.batch_alter_table("meeting_lines") as batch:
        batch.drop_column("charges_paid")
    with op.batch_alter_table("loans") as batch:
        batch.drop_column("original_principal")
