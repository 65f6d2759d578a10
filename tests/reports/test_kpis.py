"""KPI formulas: DOMAIN.md examples 10 and 11, and the edge cases."""

from datetime import date
from decimal import Decimal
from fractions import Fraction

from groups.savings import rules
from reports import kpis
from reports.flags import Thresholds, flags_of
from reports.kpis import Components


def test_example_10_attendance_of_the_last_four_meetings() -> None:
    meetings = [(5, 20), (18, 20), (17, 20), (20, 20), (15, 20)]
    present, listed = kpis.attendance_of(meetings)
    assert kpis.ratio(present, listed) == Fraction(875, 1000)


def test_example_11_utilisation_and_par30() -> None:
    c = Components(loans_outstanding=80_000, cash=20_000, par30_principal=12_000)
    figures = kpis.kpis_of(c)
    assert figures.utilisation == Fraction(8, 10)
    assert figures.par30 == Fraction(15, 100)
    assert [f.code for f in flags_of(c, figures, Thresholds())] == ["par30"]


def test_no_loans_and_no_meeting_give_no_ratio_and_no_flag() -> None:
    figures = kpis.kpis_of(Components(active_members=10, savings=50_000))
    assert figures.par30 is None and figures.utilisation is None and figures.attendance is None
    assert figures.savings_per_member == 5_000
    assert flags_of(Components(), figures, Thresholds()) == []


def test_a_member_who_left_counts_in_drop_out() -> None:
    assert kpis.kpis_of(Components(members_at_start=20, left_in_period=1)).dropout == Fraction(
        1, 20
    )


def test_roll_up_adds_components_before_dividing() -> None:
    a = Components(loans_outstanding=100, par30_principal=50)
    b = Components(loans_outstanding=900, par30_principal=0)
    total = kpis.roll_up([a, b])
    assert total.funds == 2 and kpis.kpis_of(total).par30 == Fraction(1, 20)


def test_paid_on_time_counts_only_what_was_paid_by_each_due_date() -> None:
    schedule = rules.loan_schedule(
        60_000,
        rules.ChargeMethod.FLAT_MONTHLY,
        Decimal("0.05"),
        [date(2025, 2, 1), date(2025, 3, 1), date(2025, 4, 1)],
    )
    payments = [
        rules.Payment(date(2025, 2, 1), 0, 3_000, 20_000),
        rules.Payment(date(2025, 3, 10), 0, 3_000, 20_000),
    ]
    due, on_time = kpis.paid_on_time(schedule, payments, date(2025, 1, 1), date(2025, 3, 31))
    assert (due, on_time) == (46_000, 23_000)


def test_annualised_return_and_missed_meetings() -> None:
    assert kpis.annualised(1_000, 73) == 5_000
    held = [date(2025, 1, 6), date(2025, 1, 20)]
    scheduled = [date(2025, 1, 6), date(2025, 1, 13), date(2025, 1, 20)]
    assert kpis.missed_meetings(scheduled, held, 3) == 1


def test_thresholds_come_from_configuration() -> None:
    t = Thresholds.from_mapping({"par30": "0.05", "attendance": 0.8})
    assert t.par30 == Fraction(1, 20) and t.attendance == Fraction(4, 5)
