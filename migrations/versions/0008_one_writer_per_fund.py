"""One writer per fund, enforced by the database: no duplicate meeting, no negative money.

- ``uq_meetings_fund_number_closed``: a fund has one closed meeting of each number;
- ``uq_meetings_fund_date_closed``: and one closed regular meeting a day
  (a reopened meeting keeps its row and number, so both are partial indexes);
- ``savings_money_never_negative``: the stored balance of a savings fund's cash (1010),
  social-fund cash (1020), social fund (3200) and each member's savings (3100-NNNN)
  never goes below zero on its normal side, checked when the transaction commits (a
  meeting's entries may pass through a negative balance on the way: a leaver's loan is
  netted from her savings before her profit is added). PostgreSQL: a constraint trigger
  deferred to the commit re-reads the balance. SQLite has no deferred triggers but has
  deferred foreign keys: a trigger writes an overdrawn account into
  ``savings_overdrawn``, whose foreign key points at ``savings_never_overdrawn`` (always
  empty), and takes it out when the balance is back; a row left there fails the COMMIT.
  Only an update that makes the balance worse is checked, so a book that is already
  wrong can still be repaired.
  Ledgers without a ``savings_funds`` row (the ledger's own tests) are not concerned.

Revision ID: 0008
Revises: 0012
Create Date: 2026-12-04 16:40:00

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0008"
down_revision = "0012"
branch_labels = None
depends_on = None

CLOSED = "status = 'closed'"
CLOSED_REGULAR = "status = 'closed' AND kind = 'regular'"
MESSAGE = "savings: cash, the social fund and a member''s savings are never negative"
GOT_WORSE = """(
    (NEW.code IN ('1010', '1020') AND NEW.balance < 0 AND NEW.balance < OLD.balance)
    OR ((NEW.code = '3200' OR NEW.code LIKE '3100-%')
        AND NEW.balance > 0 AND NEW.balance > OLD.balance))"""

NEGATIVE_NOW = """(
    (NEW.code IN ('1010', '1020') AND NEW.balance < 0)
    OR ((NEW.code = '3200' OR NEW.code LIKE '3100-%') AND NEW.balance > 0))"""

SQLITE_STATEMENTS = [
    "CREATE TABLE savings_never_overdrawn (id INTEGER PRIMARY KEY)",
    """CREATE TABLE savings_overdrawn (
    account_id INTEGER PRIMARY KEY
      REFERENCES savings_never_overdrawn (id) DEFERRABLE INITIALLY DEFERRED)""",
    f"""CREATE TRIGGER savings_money_overdrawn AFTER UPDATE OF balance ON accounts
    WHEN {GOT_WORSE} AND EXISTS (SELECT 1 FROM savings_funds WHERE fund_id = NEW.fund_id)
    BEGIN INSERT OR IGNORE INTO savings_overdrawn (account_id) VALUES (NEW.id); END""",
    f"""CREATE TRIGGER savings_money_restored AFTER UPDATE OF balance ON accounts
    WHEN NOT {NEGATIVE_NOW}
    BEGIN DELETE FROM savings_overdrawn WHERE account_id = NEW.id; END""",
]

POSTGRESQL_FUNCTION = f"""CREATE FUNCTION savings_money_never_negative() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  now_balance bigint;
BEGIN
  IF NOT EXISTS (SELECT 1 FROM savings_funds WHERE fund_id = NEW.fund_id) THEN
    RETURN NULL;
  END IF;
  SELECT balance INTO now_balance FROM accounts WHERE id = NEW.id;
  IF (NEW.code IN ('1010', '1020') AND now_balance < 0)
     OR ((NEW.code = '3200' OR NEW.code LIKE '3100-%') AND now_balance > 0) THEN
    RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'check_violation';
  END IF;
  RETURN NULL;
END $$"""

POSTGRESQL_TRIGGER = f"""CREATE CONSTRAINT TRIGGER savings_money_never_negative
AFTER UPDATE OF balance ON accounts DEFERRABLE INITIALLY DEFERRED
FOR EACH ROW WHEN {GOT_WORSE}
EXECUTE FUNCTION savings_money_never_negative()"""


def upgrade():
    op.create_index(
        "uq_meetings_fund_number_closed",
        "meetings",
        ["fund_id", "number"],
        unique=True,
        sqlite_where=sa.text(CLOSED),
        postgresql_where=sa.text(CLOSED),
    )
    op.create_index(
        "uq_meetings_fund_date_closed",
        "meetings",
        ["fund_id", "date"],
        unique=True,
        sqlite_where=sa.text(CLOSED_REGULAR),
        postgresql_where=sa.text(CLOSED_REGULAR),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRESQL_FUNCTION)
        op.execute(POSTGRESQL_TRIGGER)
    else:
        for statement in SQLITE_STATEMENTS:
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER savings_money_never_negative ON accounts")
        op.execute("DROP FUNCTION savings_money_never_negative()")
    else:
        op.execute("DROP TRIGGER savings_money_restored")
        op.execute("DROP TRIGGER savings_money_overdrawn")
        op.execute("DROP TABLE savings_overdrawn")
        op.execute("DROP TABLE savings_never_overdrawn")
    op.drop_index("uq_meetings_fund_date_closed", table_name="meetings")
    op.drop_index("uq_meetings_fund_number_closed", table_name="meetings")
