from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F

from houqin.assets.depreciation import (
    DepreciationError,
    depreciate_month,
    next_month,
    previous_month,
)
from houqin.assets.models import Asset, AssetEvent, DepreciationLine, DepreciationRun, Status
from houqin.assets.tests.factories import AssetFactory, category
from houqin.org.models import School
from houqin.org.tests.factories import DepartmentFactory
from houqin.schedules.jobs import get_job
from houqin.schedules.models import RunStatus, ScheduleRun
from houqin.schedules.recurrence import RuleKind
from houqin.schedules.services import claim_slot
from houqin.schedules.tests.factories import ScheduleFactory

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
COMPUTER = "A02010105"  # 台式计算机, depreciable
BOOKS = "A040101"  # 普通图书, not depreciated


def card(school, **fields):
    fields.setdefault("acquired_on", date(2026, 1, 5))
    fields.setdefault("booked_on", fields["acquired_on"])
    value = fields.setdefault("original_value", Decimal("4800.00"))
    fields.setdefault("net_value", value - fields.get("accumulated_depreciation", Decimal("0")))
    return AssetFactory(school=school, **fields)


def run_months(school, first, count):
    period = first
    for _month in range(count):
        depreciate_month(school, period, now=NOW)
        period = next_month(period)


def test_it_books_the_original_value_over_the_life_and_the_remainder_last(school):
    asset = card(school, original_value=Decimal("100.00"), life_months=3)

    depreciate_month(school, date(2026, 1, 1), now=NOW)
    asset.refresh_from_db()
    assert asset.accumulated_depreciation == Decimal("33.33")
    assert asset.net_value == Decimal("66.67")
    assert asset.depreciated_months == 1
    assert asset.depreciated_through == date(2026, 1, 1)

    run_months(school, date(2026, 2, 1), 2)
    asset.refresh_from_db()
    assert asset.accumulated_depreciation == Decimal("100.00")
    assert asset.net_value == Decimal("0.00")
    assert asset.depreciated_months == 3
    amounts = list(
        DepreciationLine.objects.filter(run__school=school)
        .order_by("run__period")
        .values_list("amount", flat=True)
    )
    assert amounts == [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")]

    result = depreciate_month(school, date(2026, 4, 1), now=NOW)
    assert result.created and result.run.asset_count == 0
    asset.refresh_from_db()
    assert asset.accumulated_depreciation == Decimal("100.00")


def test_it_sums_exactly_to_the_original_value_over_a_whole_life(school):
    # 4,800 yuan over 72 months: 66.67 a month, 66.43 in the last one.
    bought = date(2020, 1, 5)
    whole = card(school, acquired_on=bought, original_value=Decimal("4800.00"), life_months=72)
    # 1,234.57 over 72 months: 17.15 a month, 16.92 in the last one.
    odd = card(school, acquired_on=bought, original_value=Decimal("1234.57"), life_months=72)

    run_months(school, date(2020, 1, 1), 73)

    whole.refresh_from_db()
    odd.refresh_from_db()
    assert whole.accumulated_depreciation == Decimal("4800.00")
    assert odd.accumulated_depreciation == Decimal("1234.57")
    assert whole.net_value == odd.net_value == Decimal("0.00")
    assert whole.depreciated_months == odd.depreciated_months == 72
    runs = DepreciationRun.objects.filter(school=school)
    assert sum(run.amount for run in runs) == Decimal("6034.57")
    assert runs.get(period=date(2020, 1, 1)).amount == Decimal("83.82")
    assert runs.get(period=date(2025, 12, 1)).amount == Decimal("83.35")
    assert runs.get(period=date(2026, 1, 1)).asset_count == 0


def test_it_starts_in_the_month_the_card_came_onto_the_books(school):
    march = card(school, acquired_on=date(2026, 2, 20), booked_on=date(2026, 3, 31), life_months=72)
    april = card(school, acquired_on=date(2026, 4, 1), booked_on=None, life_months=72)

    depreciate_month(school, date(2026, 3, 1), now=NOW)

    march.refresh_from_db()
    april.refresh_from_db()
    assert march.depreciated_months == 1 and march.life_locked
    assert april.depreciated_months == 0 and not april.life_locked
    depreciate_month(school, date(2026, 4, 1), now=NOW)
    april.refresh_from_db()
    assert april.depreciated_months == 1
    assert april.accumulated_depreciation == Decimal("66.67")


def test_it_skips_exempt_classes_cards_without_life_and_disposed_cards(school):
    books = card(school, category=category(BOOKS), life_months=None)
    books_with_life = card(school, category=category(BOOKS), life_months=60)
    no_life = card(school, life_months=None)
    disposed = card(school, life_months=72, status=Status.DISPOSED)
    due = card(school, life_months=72, status=Status.IDLE)

    result = depreciate_month(school, date(2026, 1, 1), now=NOW)

    assert result.run.asset_count == 1
    for skipped in (books, books_with_life, no_life, disposed):
        skipped.refresh_from_db()
        assert skipped.accumulated_depreciation == Decimal("0.00")
        assert skipped.depreciated_through is None
        assert not skipped.life_locked
    due.refresh_from_db()
    assert due.accumulated_depreciation == Decimal("66.67")


def test_it_never_depreciates_past_the_value_of_a_card_imported_half_done(school):
    asset = card(
        school,
        original_value=Decimal("100.00"),
        life_months=3,
        depreciated_months=1,
        accumulated_depreciation=Decimal("90.00"),
    )

    depreciate_month(school, date(2026, 1, 1), now=NOW)

    asset.refresh_from_db()
    assert asset.accumulated_depreciation == Decimal("100.00")
    assert asset.net_value == Decimal("0.00")
    assert asset.depreciated_months == 2
    assert depreciate_month(school, date(2026, 2, 1), now=NOW).run.asset_count == 0


def test_it_runs_a_month_once(school):
    asset = card(school, life_months=72)
    first = depreciate_month(school, date(2026, 1, 1), now=NOW)

    again = depreciate_month(school, date(2026, 1, 15), now=NOW)

    assert first.created and not again.created
    assert again.run == first.run
    assert DepreciationRun.objects.filter(school=school).count() == 1
    asset.refresh_from_db()
    assert asset.depreciated_months == 1
    assert asset.accumulated_depreciation == Decimal("66.67")


def test_it_refuses_a_future_month_an_earlier_month_and_a_gap(school):
    card(school, life_months=72)
    with pytest.raises(DepreciationError, match="还没有到"):
        depreciate_month(school, date(2026, 12, 1), now=NOW)
    depreciate_month(school, date(2026, 3, 1), now=NOW)
    with pytest.raises(DepreciationError, match="不能再计提更早"):
        depreciate_month(school, date(2026, 2, 1), now=NOW)
    with pytest.raises(DepreciationError, match="请先计提 2026-04"):
        depreciate_month(school, date(2026, 5, 1), now=NOW)
    assert list(DepreciationRun.objects.values_list("period", flat=True)) == [date(2026, 3, 1)]


def test_it_continues_an_imported_ledger_from_the_month_it_reached(school):
    imported = card(
        school,
        acquired_on=date(2025, 1, 10),
        life_months=72,
        depreciated_months=20,
        accumulated_depreciation=Decimal("1333.40"),
        depreciated_through=date(2026, 8, 1),
    )
    with pytest.raises(DepreciationError, match="请先计提 2026-09"):
        depreciate_month(school, date(2026, 10, 1), now=NOW)
    with pytest.raises(DepreciationError, match="不能再计提更早的 2026-07"):
        depreciate_month(school, date(2026, 7, 1), now=NOW)

    depreciate_month(school, date(2026, 9, 1), now=NOW)

    imported.refresh_from_db()
    assert imported.depreciated_months == 21
    assert imported.accumulated_depreciation == Decimal("1400.07")
    assert imported.net_value == Decimal("3399.93")


def test_it_writes_lines_by_class_and_department_for_the_reports(school):
    teaching, office = DepartmentFactory(school=school), DepartmentFactory(school=school)
    desk = category("A05010203")
    card(school, life_months=72, using_department=teaching)
    card(school, life_months=72, using_department=teaching)
    card(school, life_months=72, using_department=office)
    card(school, life_months=180, category=desk, original_value=Decimal("900.00"))

    run = depreciate_month(school, date(2026, 1, 1), now=NOW).run

    lines = {
        (line.category.code, line.department_id): (line.asset_count, line.amount)
        for line in run.lines.select_related("category")
    }
    assert lines == {
        (COMPUTER, teaching.pk): (2, Decimal("133.34")),
        (COMPUTER, office.pk): (1, Decimal("66.67")),
        ("A05010203", None): (1, Decimal("5.00")),
    }
    assert run.asset_count == 4
    assert run.amount == Decimal("205.01")
    assert run.finished_at == NOW


def test_it_leaves_other_schools_alone(school, other_school):
    mine = card(school, life_months=72)
    theirs = card(other_school, life_months=72)

    depreciate_month(school, date(2026, 1, 1), now=NOW)

    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.depreciated_months == 1
    assert theirs.depreciated_months == 0
    assert not DepreciationRun.objects.filter(school=other_school).exists()


def test_it_knows_the_months_around_a_year_end():
    assert next_month(date(2026, 12, 1)) == date(2027, 1, 1)
    assert previous_month(date(2027, 1, 1)) == date(2026, 12, 1)
    assert previous_month(date(2026, 11, 1)) == date(2026, 10, 1)


@pytest.mark.django_db
def test_it_registers_the_monthly_job():
    job = get_job("assets.depreciation")
    assert job is not None
    assert str(job.label) == "月度折旧"


def test_it_depreciates_the_previous_month_from_a_schedule(
    school, django_capture_on_commit_callbacks
):
    asset = card(school, acquired_on=date(2026, 10, 9), life_months=72)
    schedule = ScheduleFactory(
        school=school,
        job_code="assets.depreciation",
        params={},
        rule=RuleKind.MONTHLY_DAY,
        month_day=1,
        weekdays=0,
        time_of_day=time(1, 0),
    )

    with django_capture_on_commit_callbacks(execute=True):
        claim_slot(schedule, date(2026, 11, 1))
    with django_capture_on_commit_callbacks(execute=True):
        claim_slot(schedule, date(2026, 11, 2))

    first, second = ScheduleRun.objects.filter(schedule=schedule).order_by("slot")
    assert first.status == RunStatus.DONE, first.error
    assert first.result == "2026-10 计提折旧 1 张卡片，合计 66.67 元。"
    assert second.result == "2026-10 已计提过折旧，未重复计提。"
    asset.refresh_from_db()
    assert asset.depreciated_through == date(2026, 10, 1)


def test_it_fails_the_scheduled_run_with_the_reason(school, django_capture_on_commit_callbacks):
    card(school, life_months=72)
    depreciate_month(school, date(2026, 8, 1), now=NOW)
    schedule = ScheduleFactory(
        school=school,
        job_code="assets.depreciation",
        params={},
        rule=RuleKind.MONTHLY_DAY,
        month_day=1,
        weekdays=0,
    )

    with django_capture_on_commit_callbacks(execute=True):
        claim_slot(schedule, date(2026, 11, 1))

    run = ScheduleRun.objects.get(schedule=schedule)
    assert run.status == RunStatus.FAILED
    assert "请先计提 2026-09" in run.error


def test_it_depreciates_from_the_command(school, other_school, capsys):
    asset = card(school, life_months=72)
    card(other_school, life_months=72)

    call_command("depreciate", "--period", "2026-01", "--school", str(school.pk))
    call_command("depreciate", "--period", "2026-01", "--all")

    out = capsys.readouterr().out
    assert "善真学校：1 张卡片，66.67 元" in out
    assert "善真学校：2026-01 已计提过，跳过" in out
    assert "别的学校：1 张卡片，66.67 元" in out
    asset.refresh_from_db()
    assert asset.depreciated_months == 1
    with pytest.raises(CommandError, match="月份格式"):
        call_command("depreciate", "--period", "2026/01", "--all")
    with pytest.raises(CommandError, match="未能计提"):
        call_command("depreciate", "--period", "2026-03", "--all")
    assert Asset.objects.filter(depreciated_months=1).count() == 2


def test_it_generates_a_district_whose_next_month_depreciates(db, capsys):
    call_command("generate_district", "--schools", "2", "--cards", "120", "--through", "2026-09")

    schools = School.objects.filter(district__name="基准测试区")
    cards = Asset.objects.filter(school__in=schools)
    assert schools.count() == 2
    assert cards.count() == 120
    assert AssetEvent.objects.filter(asset__in=cards).count() >= 120
    assert not cards.filter(accumulated_depreciation__gt=F("original_value")).exists()
    assert set(
        cards.exclude(depreciated_through=None).values_list("depreciated_through", flat=True)
    ) == {date(2026, 9, 1)}
    for school in schools:
        depreciate_month(school, date(2026, 10, 1), now=NOW)
    assert cards.filter(depreciated_through=date(2026, 10, 1)).exists()
    with pytest.raises(CommandError, match="已存在"):
        call_command("generate_district", "--schools", "1", "--cards", "10")
