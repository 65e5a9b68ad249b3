"""Book a month's depreciation by hand (the monthly job does it on schedule):

    manage.py depreciate --period 2026-10 --school 3
    manage.py depreciate --all                 # every active school, the previous month

A month already depreciated is skipped, so running it again is safe.
"""

import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from houqin.assets.depreciation import (
    DepreciationError,
    depreciate_month,
    month_start,
    previous_month,
)
from houqin.org.models import School


def _month(value):
    try:
        year, month = value.split("-")
        return date(int(year), int(month), 1)
    except ValueError:
        raise CommandError(f"月份格式应为 YYYY-MM：{value}") from None


class Command(BaseCommand):
    help = "Depreciate one month for one school or for every active school."

    def add_arguments(self, parser):
        parser.add_argument(
            "--period", type=_month, help="The month (YYYY-MM); default: the previous month."
        )
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--school", type=int, help="The school's id.")
        which.add_argument("--all", action="store_true", dest="every", help="Every active school.")

    def handle(self, *args, period=None, school=None, every=False, **options):
        period = period or previous_month(month_start(timezone.localdate()))
        if every:
            schools = list(School.objects.filter(is_active=True).order_by("pk"))
        else:
            schools = list(School.objects.filter(pk=school))
            if not schools:
                raise CommandError(f"没有 id 为 {school} 的学校。")
        started = time.monotonic()
        cards = failed = 0
        for one in schools:
            try:
                result = depreciate_month(one, period)
            except DepreciationError as error:
                failed += 1
                self.stderr.write(f"{one.name}：{error}")
                continue
            run = result.run
            if result.created:
                cards += run.asset_count
                self.stdout.write(f"{one.name}：{run.asset_count} 张卡片，{run.amount} 元")
            else:
                self.stdout.write(f"{one.name}：{period:%Y-%m} 已计提过，跳过")
        self.stdout.write(
            f"{period:%Y-%m}：{len(schools)} 所学校，计提 {cards} 张卡片，"
            f"用时 {time.monotonic() - started:.1f} 秒"
        )
        if failed:
            raise CommandError(f"{failed} 所学校未能计提。")
