"""The demo's facilitator sees her seven funds ranked by the flags each was made to raise.

The book's fund (web/demo/demo-fund.json) and the six generated ones (web/demo.py
``demo_funds``), as of the demo's day: one in good health, one whose guarantors
repaid a borrower's arrears, and one flag each for arrears, a missed meeting, an
unexplained cash difference and low attendance.
"""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from groups.savings.models import Loan, Repayment, SavingsFund
from ledger.models import Fund
from ledger.verify import verify
from reports.monitoring import FundStatus, fund_statuses, ranked
from reports.persian import to_jalali
from tests.web.conftest import login, text
from web.auth.models import FacilitatorAssignment, User
from web.demo import (
    DEMO_FACILITATOR,
    DEMO_TODAY,
    SMALLEST_REGISTER,
    create_demo_users,
    load_demo_if_empty,
)

#: Each demo fund's flags as of DEMO_TODAY, in the order the dashboard ranks them:
#: most flags first, then the highest PAR 30, then by name.
EXPECTED = (
    ("صندوق زنان روستای حسن‌آباد", ("par30",)),  # borrowers stopped repaying: PAR 30 ≈ 19 %
    ("صندوق زنان روستای باقرآباد", ("cash",)),
    ("صندوق زنان روستای فشافویه", ("attendance",)),
    ("صندوق زنان روستای قمصر", ("missed_meeting",)),
    ("صندوق زنان روستای جعفرآباد", ()),  # a guarantor recovery, and healthy since
    # The book's fund: its guarantors' recovery settled the late instalments first (issue 13,
    # item 4), so the loan is late again only since the next one: in arrears, not PAR 30.
    ("صندوق زنان روستای قلعه‌نو", ()),
    ("صندوق زنان روستای کهریزک", ()),
)
RECOVERY_FUND = "صندوق زنان روستای جعفرآباد"


def test_the_demo_facilitators_dashboard_ranks_the_funds_by_the_flags_each_was_made_to_raise(
    session: Session, client: FlaskClient
) -> None:
    assert load_demo_if_empty(session, SMALLEST_REGISTER)
    create_demo_users(session)
    login(client, "facilitator")
    page = text(client.get("/dashboard?as_of=" + to_jalali(DEMO_TODAY, persian=False)))
    statuses = ranked(fund_statuses(session, None, DEMO_TODAY))

    assert [(s.name, tuple(f.code for f in s.flags)) for s in statuses] == list(EXPECTED)
    places = [page.index(f"/funds/{s.fund_id}/monitoring") for s in statuses]
    assert places == sorted(places)  # her page lists them in the ranked order
    assert "۴ صندوق از ۷ صندوق نیاز به بازدید دارد." in page
    for flag in {flag for s in statuses for flag in s.flags}:
        assert flag.fa in page
    assert_every_demo_fund_is_hers(session, statuses)
    assert_the_funds_are_as_made(session, statuses)


def assert_every_demo_fund_is_hers(session: Session, statuses: list[FundStatus]) -> None:
    """The demo facilitator is assigned every fund, and her name is on each."""
    facilitator = session.scalars(select(User.id).where(User.username == "facilitator")).one()
    hers = session.scalars(
        select(FacilitatorAssignment.fund_id).where(FacilitatorAssignment.user_id == facilitator)
    ).all()
    every_fund = session.scalars(select(Fund.id).join(SavingsFund)).all()
    assert sorted(hers) == sorted(every_fund) == sorted(s.fund_id for s in statuses)
    assert {s.facilitator for s in statuses} == {DEMO_FACILITATOR}


def assert_the_funds_are_as_made(session: Session, statuses: list[FundStatus]) -> None:
    """Sizes, last meetings and the troubles behind the flags; every fund's books verify."""
    assert all(10 <= s.components.active_members <= 20 for s in statuses)
    assert all(s.last_meeting is not None and s.last_meeting < DEMO_TODAY for s in statuses)
    by_name = {s.name: s for s in statuses}
    assert by_name["صندوق زنان روستای قمصر"].components.missed_meetings >= 3  # 3 weeks and more
    assert by_name["صندوق زنان روستای باقرآباد"].kpis.cash_discrepancy < 0  # the box is short
    for status in statuses:
        assert verify(session, status.fund_id) == [], status.name
    # One fund's guarantors paid a borrower's arrears from their savings.
    paid_by_guarantors = session.scalars(
        select(Repayment.id)
        .join(Loan, Loan.id == Repayment.loan_id)
        .where(Loan.fund_id == by_name[RECOVERY_FUND].fund_id, Repayment.payer_id != Loan.member_id)
    ).all()
    assert paid_by_guarantors


def test_without_the_generated_funds_the_demo_is_the_book_s_fund_alone(session: Session) -> None:
    assert load_demo_if_empty(session, SMALLEST_REGISTER, generated_funds=False)
    assert session.scalars(select(Fund.name)).all() == ["صندوق زنان روستای قلعه‌نو"]


def test_no_demo_instalment_shows_a_fraction_of_a_toman(session: Session) -> None:
    """Every demo fund schedules its instalments in multiples of 1,000 toman (10,000 rials;
    the last one takes the remainder), so every instalment, principal and charge is whole
    toman (a multiple of 10 rials) on every screen and statement."""
    from groups.savings.models import Instalment

    assert load_demo_if_empty(session, SMALLEST_REGISTER)
    rows = session.execute(
        select(
            Instalment.loan_id, Instalment.number, Instalment.principal, Instalment.charge
        ).order_by(Instalment.loan_id, Instalment.number)
    ).all()
    last = {loan_id: number for loan_id, number, _, _ in rows}
    assert len(last) > 10  # the book's loans and the generated funds'
    for loan_id, number, principal, charge in rows:
        assert principal % 10 == 0 and charge % 10 == 0, (loan_id, number, principal, charge)
        if number != last[loan_id]:
            assert (principal + charge) % 10_000 == 0, (loan_id, number, principal, charge)
