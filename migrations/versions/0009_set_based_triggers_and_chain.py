"""Set-based ledger triggers on PostgreSQL; a hash chain per fund over posted entries.

PostgreSQL: the row-level guards of entries and postings (one PL/pgSQL call and five
queries per entry posted) become statement-level triggers with transition tables: one
call per statement checks every entry it posts in one pass (at least two postings,
balanced, on open accounts of its fund and currency, after the period close, a valid
reversal) and updates the balances of every account touched in one UPDATE. The
guarantees are the same (tests/integration/test_db_guarantees.py on both databases).
SQLite keeps its triggers (it has no statement-level triggers).

Both: ``entry_chain`` holds each posted entry's link in its fund's hash chain
(``ledger/chain.py``); the links of the entries already posted are computed here, in id
order per fund. A link is never changed or deleted.

Revision ID: 0009
Revises: 0010b
Create Date: 2026-12-04 17:00:00

"""

import importlib.util
from collections import defaultdict
from pathlib import Path

import sqlalchemy as sa
from alembic import op

from ledger.chain import GENESIS, ChainedEntry, entry_hash, posting_line

# revision identifiers, used by Alembic.
revision = "0009"
down_revision = "0010b"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "entry_chain",
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("fund_id", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["entry_id"], ["entries.id"], name=op.f("fk_entry_chain_entry_id_entries")
        ),
        sa.ForeignKeyConstraint(
            ["fund_id"], ["funds.id"], name=op.f("fk_entry_chain_fund_id_funds")
        ),
        sa.PrimaryKeyConstraint("entry_id", name=op.f("pk_entry_chain")),
    )
    op.create_index(
        "ix_entry_chain_fund_id_entry_id", "entry_chain", ["fund_id", "entry_id"], unique=False
    )
    _chain_posted_entries(op.get_bind())
    if op.get_bind().dialect.name == "postgresql":
        for statement in [*POSTGRESQL_ROW_DROP, *POSTGRESQL_STATEMENT_TRIGGERS, *POSTGRESQL_CHAIN]:
            op.execute(statement)
    else:
        for statement in SQLITE_CHAIN:
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for statement in POSTGRESQL_STATEMENT_DROP:
            op.execute(statement)
        for statement in _core_migration().POSTGRESQL_TRIGGERS[:4]:
            op.execute(statement)  # the row-level guards of entries and postings, as before
    else:
        for name in SQLITE_CHAIN_NAMES:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_index("ix_entry_chain_fund_id_entry_id", table_name="entry_chain")
    op.drop_table("entry_chain")


def _core_migration():
    """Load 0001 (its row-level PostgreSQL triggers come back on downgrade)."""
    path = Path(__file__).with_name("0001_ledger_core.py")
    spec = importlib.util.spec_from_file_location("ledger_core_0001", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _chain_posted_entries(connection):
    """Write the chain links of the entries already posted, fund by fund in id order."""
    entries = connection.execute(
        sa.text(
            "SELECT id, fund_id, date, currency, source_type, source_ref, reverses_id, memo, actor"
            " FROM entries WHERE status = 'posted' ORDER BY id"
        )
    ).all()
    postings = defaultdict(list)
    for entry_id, account_id, side, amount in connection.execute(
        sa.text("SELECT entry_id, account_id, side, amount FROM postings ORDER BY entry_id, id")
    ):
        postings[entry_id].append(posting_line(account_id, side, amount))
    heads = defaultdict(lambda: GENESIS)
    links = []
    for row in entries:
        entry = ChainedEntry(*row)
        heads[entry.fund_id] = entry_hash(heads[entry.fund_id], entry, postings[entry.id])
        links.append({"entry_id": entry.id, "fund_id": entry.fund_id, "hash": heads[entry.fund_id]})
    if links:
        connection.execute(
            sa.text(
                "INSERT INTO entry_chain (entry_id, fund_id, hash) VALUES (:entry_id, :fund_id, :hash)"
            ),
            links,
        )


# --- SQLite: the chain's links are final ------------------------------------------------

SQLITE_CHAIN = [
    """CREATE TRIGGER entry_chain_never_updated BEFORE UPDATE ON entry_chain
    BEGIN SELECT RAISE(ABORT, 'ledger: a chain link is never changed'); END""",
    """CREATE TRIGGER entry_chain_never_deleted BEFORE DELETE ON entry_chain
    BEGIN SELECT RAISE(ABORT, 'ledger: a chain link is never deleted'); END""",
]
SQLITE_CHAIN_NAMES = [s.split()[2] for s in SQLITE_CHAIN]

# --- PostgreSQL ---------------------------------------------------------------------------

POSTGRESQL_ROW_DROP = [
    "DROP TRIGGER IF EXISTS entries_guard ON entries",
    "DROP TRIGGER IF EXISTS postings_guard ON postings",
    "DROP FUNCTION IF EXISTS ledger_guard_entries()",
    "DROP FUNCTION IF EXISTS ledger_guard_postings()",
]

POSTGRESQL_STATEMENT_TRIGGERS = [
    r"""CREATE FUNCTION ledger_entries_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF EXISTS (SELECT 1 FROM new_entries WHERE status <> 'draft') THEN
        RAISE EXCEPTION 'ledger: an entry is inserted as a draft, then posted';
      END IF;
      RETURN NULL;
    END $$""",
    """CREATE TRIGGER entries_inserted AFTER INSERT ON entries
    REFERENCING NEW TABLE AS new_entries
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_entries_inserted()""",
    # Every row the statement leaves posted was a draft before it (a posted row may not
    # change at all), so the rows it posts are its new rows whose status is 'posted'.
    # Their ids go into an array: "= ANY(array)" reads postings and entries by index
    # whatever the planner guesses of a transition table's size.
    r"""CREATE FUNCTION ledger_entries_updated() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE
      posted_ids integer[];
      too_few boolean;
      unbalanced boolean;
      outside boolean;
    BEGIN
      IF EXISTS (SELECT 1 FROM old_entries WHERE status = 'posted') THEN
        RAISE EXCEPTION 'ledger: a posted entry is never changed or deleted';
      END IF;
      posted_ids := ARRAY(SELECT id FROM new_entries WHERE status = 'posted');
      IF cardinality(posted_ids) = 0 THEN
        RETURN NULL;
      END IF;
      SELECT bool_or(s.postings < 2), bool_or(s.net <> 0), bool_or(s.outside)
        INTO too_few, unbalanced, outside
      FROM (SELECT e.id,
                   COUNT(p.id) AS postings,
                   COALESCE(SUM(CASE p.side WHEN 'debit' THEN p.amount ELSE -p.amount END), 0)
                     AS net,
                   COALESCE(bool_or(a.fund_id <> e.fund_id OR a.currency <> e.currency
                                    OR NOT a.is_open), false) AS outside
            FROM entries e
            LEFT JOIN postings p ON p.entry_id = e.id
            LEFT JOIN accounts a ON a.id = p.account_id
            WHERE e.id = ANY(posted_ids)
            GROUP BY e.id) s;
      IF too_few THEN
        RAISE EXCEPTION 'ledger: an entry needs at least two postings';
      END IF;
      IF unbalanced THEN
        RAISE EXCEPTION 'ledger: unbalanced entry';
      END IF;
      IF outside THEN
        RAISE EXCEPTION 'ledger: posting to a closed account or outside the entry''s fund';
      END IF;
      IF EXISTS (SELECT 1 FROM entries e JOIN period_closes c
                   ON c.fund_id = e.fund_id AND c.closed_through >= e.date
                 WHERE e.id = ANY(posted_ids)) THEN
        RAISE EXCEPTION 'ledger: the period is closed';
      END IF;
      IF EXISTS (SELECT 1 FROM entries e
                 WHERE e.id = ANY(posted_ids) AND e.reverses_id IS NOT NULL
                   AND NOT EXISTS (
                     SELECT 1 FROM entries o WHERE o.id = e.reverses_id AND o.status = 'posted'
                       AND o.fund_id = e.fund_id AND o.reverses_id IS NULL)) THEN
        RAISE EXCEPTION 'ledger: a reversal must reverse a posted entry of its fund';
      END IF;
      UPDATE accounts a SET balance = a.balance + d.net
      FROM (SELECT account_id,
                   SUM(CASE side WHEN 'debit' THEN amount ELSE -amount END) AS net
            FROM postings WHERE entry_id = ANY(posted_ids) GROUP BY account_id) d
      WHERE a.id = d.account_id;
      RETURN NULL;
    END $$""",
    """CREATE TRIGGER entries_updated AFTER UPDATE ON entries
    REFERENCING OLD TABLE AS old_entries NEW TABLE AS new_entries
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_entries_updated()""",
    r"""CREATE FUNCTION ledger_entries_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF EXISTS (SELECT 1 FROM old_entries WHERE status = 'posted') THEN
        RAISE EXCEPTION 'ledger: a posted entry is never changed or deleted';
      END IF;
      RETURN NULL;
    END $$""",
    """CREATE TRIGGER entries_deleted AFTER DELETE ON entries
    REFERENCING OLD TABLE AS old_entries
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_entries_deleted()""",
    r"""CREATE FUNCTION ledger_postings_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF EXISTS (SELECT 1 FROM entries
                 WHERE id = ANY(ARRAY(SELECT entry_id FROM new_postings))
                   AND status = 'posted') THEN
        RAISE EXCEPTION 'ledger: the postings of a posted entry are final';
      END IF;
      RETURN NULL;
    END $$""",
    """CREATE TRIGGER postings_inserted AFTER INSERT ON postings
    REFERENCING NEW TABLE AS new_postings
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_postings_inserted()""",
    r"""CREATE FUNCTION ledger_postings_updated() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF EXISTS (SELECT 1 FROM new_postings) THEN
        RAISE EXCEPTION 'ledger: a posting is never changed';
      END IF;
      RETURN NULL;
    END $$""",
    """CREATE TRIGGER postings_updated AFTER UPDATE ON postings
    REFERENCING NEW TABLE AS new_postings
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_postings_updated()""",
    r"""CREATE FUNCTION ledger_postings_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF EXISTS (SELECT 1 FROM entries
                 WHERE id = ANY(ARRAY(SELECT entry_id FROM old_postings))
                   AND status = 'posted') THEN
        RAISE EXCEPTION 'ledger: the postings of a posted entry are final';
      END IF;
      RETURN NULL;
    END $$""",
    """CREATE TRIGGER postings_deleted AFTER DELETE ON postings
    REFERENCING OLD TABLE AS old_postings
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_postings_deleted()""",
]

POSTGRESQL_CHAIN = [
    r"""CREATE FUNCTION ledger_guard_entry_chain() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'ledger: a chain link is never changed or deleted';
    END $$""",
    """CREATE TRIGGER entry_chain_guard BEFORE UPDATE OR DELETE ON entry_chain
    FOR EACH ROW EXECUTE FUNCTION ledger_guard_entry_chain()""",
]

POSTGRESQL_STATEMENT_DROP = [
    "DROP TRIGGER IF EXISTS entries_inserted ON entries",
    "DROP TRIGGER IF EXISTS entries_updated ON entries",
    "DROP TRIGGER IF EXISTS entries_deleted ON entries",
    "DROP TRIGGER IF EXISTS postings_inserted ON postings",
    "DROP TRIGGER IF EXISTS postings_updated ON postings",
    "DROP TRIGGER IF EXISTS postings_deleted ON postings",
    "DROP TRIGGER IF EXISTS entry_chain_guard ON entry_chain",
    "DROP FUNCTION IF EXISTS ledger_entries_inserted()",
    "DROP FUNCTION IF EXISTS ledger_entries_updated()",
    "DROP FUNCTION IF EXISTS ledger_entries_deleted()",
    "DROP FUNCTION IF EXISTS ledger_postings_inserted()",
    "DROP FUNCTION IF EXISTS ledger_postings_updated()",
    "DROP FUNCTION IF EXISTS ledger_postings_deleted()",
    "DROP FUNCTION IF EXISTS ledger_guard_entry_chain()",
]
