"""The fund's accounts as the savings services use them, and the entries they post.

Postings of the savings side (amounts in rials, all in the fund's ledger):
- shares bought:      Dr loan-fund cash          / Cr her savings
- social fund:        Dr social-fund cash        / Cr social fund
- loan disbursed:     Dr her loan (principal)    / Cr cash (principal − fee), Cr charges (fee)
- repayment:          Dr cash (or guarantor's savings) / Cr her loan, Cr charges, Cr penalties
- fine / income:      Dr cash                    / Cr fines / other income
- expense:            Dr expenses                / Cr cash
- grant:              Dr social fund             / Cr social-fund cash
- write-off:          Dr write-offs              / Cr her loan
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from groups.savings.chart import CODES
from groups.savings.models import Member
from ledger import balances
from ledger.chart import open_member_account
from ledger.entries import EntryDraft, Source, SourceType, credit, debit
from ledger.models import Account


@dataclass
class FundBook:
    """A fund's account ids by role, and its members' sub-accounts (opened on first use)."""

    session: Session
    fund_id: int
    ids: dict[str, int]
    _member_accounts: dict[tuple[str, int], int] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session, fund_id: int) -> FundBook:
        """Load the fund's control accounts and existing member sub-accounts."""
        rows = session.execute(
            select(Account.code, Account.id, Account.owner_id).where(Account.fund_id == fund_id)
        ).all()
        by_code = {code: account_id for code, account_id, _ in rows}
        book = cls(session, fund_id, {role: by_code[code] for role, code in CODES.items()})
        for code, account_id, owner_id in rows:
            if owner_id is not None:
                book._member_accounts[(code.split("-")[0], owner_id)] = account_id
        return book

    def savings_of(self, member: Member) -> int:
        """Return the id of the member's savings sub-account."""
        return self._member_account("savings", member)

    def loan_of(self, member: Member) -> int:
        """Return the id of the member's loan sub-account."""
        return self._member_account("loans", member)

    def member_account(self, role: str, member_id: int) -> int:
        """Return the id of a member's sub-account by role (opened if she has none yet)."""
        account = self._member_accounts.get((CODES[role], member_id))
        if account is not None:
            return account
        member = self.session.get(Member, member_id)
        assert member is not None
        return self._member_account(role, member)

    def _member_account(self, role: str, member: Member) -> int:
        key = (CODES[role], member.id)
        if key not in self._member_accounts:
            account = open_member_account(
                self.session, self.fund_id, CODES[role], member.id, member.name
            )
            self._member_accounts[key] = account.id
        return self._member_accounts[key]

    def balance(self, role: str) -> int:
        """Return a control account's current balance on its normal side."""
        return balances.balance(self.session, self.ids[role])

    def member_savings(self, member: Member) -> int:
        """Return the member's current savings."""
        return balances.balance(self.session, self.savings_of(member))

    def draft(
        self,
        on: date,
        memo: str,
        debits: list[tuple[int, int]],
        credits: list[tuple[int, int]],
        source: Source,
        key: str,
    ) -> EntryDraft:
        """Return an entry of this fund from (account, amount) pairs; zero amounts are left out."""
        postings = [debit(account, amount) for account, amount in debits if amount] + [
            credit(account, amount) for account, amount in credits if amount
        ]
        return EntryDraft(self.fund_id, on, memo, tuple(postings), source, key)


def meeting_source(meeting_id: int) -> Source:
    """Return the ledger source of a meeting's entries."""
    return Source(SourceType.MEETING, str(meeting_id))
