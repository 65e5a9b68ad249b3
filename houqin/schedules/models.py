"""Recurring schedules and the run of each slot.

A Schedule says what job runs (``job_code`` from ``houqin.schedules.jobs``, with its
``params``) and when (a rule checked against the school calendar, at a time of day in the
school's time zone). Each day it is due gets one ScheduleRun: the unique (schedule, slot)
pair is what makes running a schedule twice for the same day create nothing twice.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _

from houqin.core.models import ArchivableModel
from houqin.org.models import SchoolScopedModel, SchoolScopedQuerySet
from houqin.schedules.recurrence import (
    NTH_NAMES,
    WEEKDAY_NAMES,
    CalendarMode,
    HolidayPolicy,
    Rule,
    RuleKind,
)

ALL_WEEKDAYS = 0b1111111


class ScheduleQuerySet(SchoolScopedQuerySet):
    def runnable(self):
        """Schedules the scheduler runs: in use and not paused."""
        return self.filter(is_active=True, is_paused=False)


class Schedule(SchoolScopedModel, ArchivableModel):
    name = models.CharField(_("名称"), max_length=100)
    job_code = models.CharField(_("任务类型"), max_length=64)
    params = models.JSONField(_("任务参数"), default=dict, blank=True)
    rule = models.CharField(
        _("重复方式"), max_length=20, choices=RuleKind.choices, default=RuleKind.WEEKLY
    )
    # Monday = bit 0 … Sunday = bit 6.
    weekdays = models.PositiveSmallIntegerField(_("星期"), default=0)
    interval_weeks = models.PositiveSmallIntegerField(
        _("间隔周数"), default=1, validators=[MinValueValidator(1), MaxValueValidator(52)]
    )
    anchor_date = models.DateField(
        _("起算日期"),
        null=True,
        blank=True,
        help_text=_("从这一天所在的周开始算，每隔 N 周执行一次"),
    )
    month_day = models.PositiveSmallIntegerField(
        _("每月几号"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
        help_text=_("小月没有这一天时，取月末最后一天"),
    )
    month_nth = models.SmallIntegerField(
        _("第几个"), null=True, blank=True, choices=list(NTH_NAMES.items())
    )
    month_weekday = models.PositiveSmallIntegerField(
        _("星期几"), null=True, blank=True, choices=list(WEEKDAY_NAMES.items())
    )
    calendar_mode = models.CharField(
        _("执行日"),
        max_length=20,
        choices=CalendarMode.choices,
        default=CalendarMode.TEACHING_DAYS,
    )
    holiday_policy = models.CharField(
        _("遇到节假日"), max_length=10, choices=HolidayPolicy.choices, default=HolidayPolicy.SKIP
    )
    time_of_day = models.TimeField(_("执行时间"))
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"), null=True, blank=True, help_text=_("留空表示长期"))
    is_paused = models.BooleanField(_("已暂停"), default=False)
    # Slots before this moment are never run by the scheduler: set when the schedule is
    # made, edited or resumed, so none of those sends a burst of catch-up runs.
    runs_from = models.DateTimeField(_("自动执行起点"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="+",
    )

    objects = ScheduleQuerySet.as_manager()

    class Meta:
        ordering = ["school", "-is_active", "time_of_day", "name"]
        verbose_name = _("定时任务")
        verbose_name_plural = _("定时任务")
        constraints = [
            models.CheckConstraint(condition=Q(rule__in=RuleKind.values), name="schedule_rule"),
            models.CheckConstraint(
                condition=Q(calendar_mode__in=CalendarMode.values), name="schedule_calendar_mode"
            ),
            models.CheckConstraint(
                condition=Q(holiday_policy__in=HolidayPolicy.values),
                name="schedule_holiday_policy",
            ),
            models.CheckConstraint(
                condition=Q(weekdays__lte=ALL_WEEKDAYS), name="schedule_weekdays"
            ),
            models.CheckConstraint(
                condition=Q(interval_weeks__gte=1, interval_weeks__lte=52),
                name="schedule_interval_weeks",
            ),
            models.CheckConstraint(
                condition=Q(month_day__isnull=True) | Q(month_day__gte=1, month_day__lte=31),
                name="schedule_month_day",
            ),
            models.CheckConstraint(
                condition=Q(month_nth__isnull=True) | Q(month_nth__in=list(NTH_NAMES)),
                name="schedule_month_nth",
            ),
            models.CheckConstraint(
                condition=Q(month_weekday__isnull=True) | Q(month_weekday__lte=6),
                name="schedule_month_weekday",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="schedule_dates",
            ),
        ]
        indexes = [models.Index(fields=["is_active", "is_paused"], name="schedule_runnable")]

    def __str__(self):
        return self.name

    # The rule

    @property
    def weekday_list(self):
        return [day for day in range(7) if self.weekdays & (1 << day)]

    def set_weekdays(self, days):
        self.weekdays = sum(1 << int(day) for day in set(days))

    def as_rule(self) -> Rule:
        return Rule(
            kind=self.rule,
            weekdays=frozenset(self.weekday_list),
            interval_weeks=self.interval_weeks,
            anchor=self.anchor_date,
            month_day=self.month_day,
            month_nth=self.month_nth,
            month_weekday=self.month_weekday,
            calendar_mode=self.calendar_mode,
            holiday_policy=self.holiday_policy,
            start=self.start_date,
            end=self.end_date,
        )

    def clean(self):
        errors = {}
        if self.rule in (RuleKind.WEEKLY, RuleKind.EVERY_N_WEEKS) and not self.weekdays:
            errors["weekdays"] = _t("请选择星期几执行。")
        if self.rule == RuleKind.EVERY_N_WEEKS:
            if not self.anchor_date:
                errors["anchor_date"] = _t("每隔几周执行，需要填写起算日期（第一次执行的那一周）。")
            if self.interval_weeks == 1:  # 0 and over 52: the field's validators say so
                errors["interval_weeks"] = _t("间隔周数须在 2 到 52 之间；每周执行请选“每周”。")
        if self.rule == RuleKind.MONTHLY_DAY and not self.month_day:
            errors["month_day"] = _t("请填写每月几号执行（1–31）。")
        if self.rule == RuleKind.MONTHLY_WEEKDAY:
            if self.month_nth is None:
                errors["month_nth"] = _t("请选择每月第几个。")
            if self.month_weekday is None:
                errors["month_weekday"] = _t("请选择星期几。")
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _t("结束日期不能早于开始日期。")
        if errors:
            raise ValidationError(errors)

    def describe_rule(self) -> str:
        """The rule in words: 每周五 07:30 · 仅教学日."""
        weekdays = "、".join(str(WEEKDAY_NAMES[day]) for day in self.weekday_list)
        if self.rule == RuleKind.DAILY:
            text = {
                CalendarMode.TEACHING_DAYS: _t("每个教学日"),
                CalendarMode.WORKDAYS: _t("每个工作日"),
                CalendarMode.ALL_DAYS: _t("每天"),
            }[self.calendar_mode]
        elif self.rule == RuleKind.WEEKLY:
            text = _t("每周 %(days)s") % {"days": weekdays}
        elif self.rule == RuleKind.EVERY_N_WEEKS:
            text = _t("每 %(n)d 周的 %(days)s") % {"n": self.interval_weeks, "days": weekdays}
        elif self.rule == RuleKind.MONTHLY_DAY:
            text = _t("每月 %(day)d 日") % {"day": self.month_day or 0}
        else:
            text = _t("每月%(nth)s%(weekday)s") % {
                "nth": NTH_NAMES.get(self.month_nth, ""),
                "weekday": WEEKDAY_NAMES.get(self.month_weekday, ""),
            }
        parts = [f"{text} {self.time_of_day:%H:%M}"]
        if self.rule != RuleKind.DAILY:
            parts.append(
                {
                    CalendarMode.TEACHING_DAYS: _t("仅教学日"),
                    CalendarMode.WORKDAYS: _t("仅工作日"),
                    CalendarMode.ALL_DAYS: _t("不跳过节假日"),
                }[self.calendar_mode]
            )
            if self.calendar_mode != CalendarMode.ALL_DAYS:
                parts.append(
                    _t("遇假顺延") if self.holiday_policy == HolidayPolicy.NEXT else _t("遇假跳过")
                )
        return " · ".join(parts)

    # Time

    @property
    def tz(self):
        return ZoneInfo(self.school.time_zone or settings.TIME_ZONE)

    def slot_time(self, slot):
        """The moment a slot (a date) is due, in the school's time zone."""
        return datetime.combine(slot, self.time_of_day, tzinfo=self.tz)

    def local_date(self, moment):
        return timezone.localtime(moment, self.tz).date()

    @property
    def job(self):
        from houqin.schedules.jobs import get_job

        return get_job(self.job_code)

    @property
    def job_label(self):
        job = self.job
        return job.label if job else _t("未知任务（%(code)s）") % {"code": self.job_code}

    def job_summary(self):
        job = self.job
        if job is None or job.summary is None:
            return ""
        return job.summary(self)


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("执行中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


# A run queued or running longer than this is taken as lost (a worker died, the queue was
# down) and may be retried by hand.
STALE_AFTER = timedelta(minutes=30)


class ScheduleRun(models.Model):
    """The run of one schedule for one slot (a date): created once, whoever asks twice."""

    schedule = models.ForeignKey(
        Schedule, verbose_name=_("定时任务"), on_delete=models.PROTECT, related_name="runs"
    )
    slot = models.DateField(_("执行日期"))
    status = models.CharField(
        _("状态"), max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)
    # The last time the run was handed to the task queue.
    enqueued_at = models.DateTimeField(_("排队时间"), default=timezone.now)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("执行次数"), default=0)
    result = models.TextField(_("结果"), blank=True)
    error = models.TextField(_("错误"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("手动执行人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["schedule", "-slot"]
        verbose_name = _("执行记录")
        verbose_name_plural = _("执行记录")
        constraints = [
            models.UniqueConstraint(fields=["schedule", "slot"], name="schedule_run_slot_unique"),
            models.CheckConstraint(
                condition=Q(status__in=RunStatus.values), name="schedule_run_status"
            ),
        ]
        indexes = [models.Index(fields=["status", "finished_at"], name="schedule_run_status_idx")]

    def __str__(self):
        return f"{self.schedule} {self.slot}"

    @property
    def is_stale(self):
        if self.status == RunStatus.QUEUED:
            return self.enqueued_at < timezone.now() - STALE_AFTER
        if self.status == RunStatus.RUNNING:
            return (self.started_at or self.enqueued_at) < timezone.now() - STALE_AFTER
        return False

    @property
    def can_retry(self):
        return self.status == RunStatus.FAILED or self.is_stale

    @property
    def error_summary(self):
        """The last line of a traceback: what went wrong, in one line."""
        lines = [line for line in self.error.strip().splitlines() if line.strip()]
        return lines[-1] if lines else ""
