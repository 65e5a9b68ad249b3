"""The demo school's schedules, all reminders: the daily patrol, Friday's safety talk, the
monthly evacuation drill and the fortnightly staff training. Idempotent: a schedule the
school already has (by name) is left as it is."""

from datetime import time, timedelta

from django.utils import timezone

from houqin.accounts.roles import Position
from houqin.schedules.models import Schedule
from houqin.schedules.recurrence import CalendarMode, HolidayPolicy, RuleKind

THURSDAY, FRIDAY, WEDNESDAY = 3, 4, 2


def _ids(staff, *usernames):
    return [staff[name].pk for name in usernames if name in staff]


def load(school, staff):
    today = timezone.localdate()
    next_thursday = today + timedelta(days=(THURSDAY - today.weekday()) % 7)
    creator = staff["zhoujing"].user if "zhoujing" in staff else None
    specs = [
        {
            "name": "每日巡查提醒",
            "rule": RuleKind.DAILY,
            "time_of_day": time(7, 30),
            "params": {
                "title": "{日期}校园安全巡查",
                "body": "请按巡查路线完成早间巡查：校门、楼道、消防通道、配电房，发现隐患及时上报。",
                "positions": [Position.SECURITY_STAFF],
                "people": _ids(staff, "zhoujing"),
            },
        },
        {
            "name": "每周五安全教育",
            "rule": RuleKind.WEEKLY,
            "weekdays": [FRIDAY],
            "time_of_day": time(7, 40),
            "params": {
                "title": "{日期}（{星期}）班会课安全教育",
                "body": "今天班会课请进行安全教育（交通、防溺水、用电用火等），课后填写安全教育记录。",
                "positions": [Position.CLASS_TEACHER],
            },
        },
        {
            "name": "每月应急疏散演练",
            "rule": RuleKind.MONTHLY_WEEKDAY,
            "month_nth": 1,
            "month_weekday": WEDNESDAY,
            "holiday_policy": HolidayPolicy.NEXT,
            "time_of_day": time(8, 0),
            "params": {
                "title": "{日期}应急疏散演练",
                "body": "本月应急疏散演练定于今天大课间进行：检查疏散通道和指示标志，安排各楼层疏导人员。",
                "people": _ids(staff, "zhoujing", "liuwei"),
            },
        },
        {
            "name": "双周教职工培训",
            "rule": RuleKind.EVERY_N_WEEKS,
            "interval_weeks": 2,
            "weekdays": [THURSDAY],
            "anchor_date": next_thursday,
            "time_of_day": time(14, 0),
            "params": {
                "title": "{日期}教职工安全培训",
                "body": "今天 15:30 在报告厅进行教职工培训，请组织签到并留存照片。",
                "positions": [Position.UNION_CHAIR],
                "people": _ids(staff, "zhoujing"),
            },
        },
    ]
    for spec in specs:
        if Schedule.objects.filter(school=school, name=spec["name"]).exists():
            continue
        weekdays = spec.pop("weekdays", [])
        params = {"campus": None, "robots": False, "link": "", "body": "", "people": []}
        params.update(spec.pop("params"))
        params.setdefault("positions", [])
        schedule = Schedule(
            school=school,
            job_code="reminder",
            params=params,
            calendar_mode=CalendarMode.TEACHING_DAYS,
            start_date=today,
            created_by=creator,
            **spec,
        )
        schedule.set_weekdays(weekdays)
        schedule.full_clean()
        schedule.save()
