from django.contrib import admin

from houqin.schedules.models import Schedule, ScheduleRun


@admin.register(Schedule)
class ScheduleAdmin(admin.ModelAdmin):
    list_display = ["name", "school", "job_code", "rule", "time_of_day", "is_paused", "is_active"]
    list_filter = ["job_code", "rule", "is_paused", "is_active"]
    search_fields = ["name", "school__name"]
    raw_id_fields = ["school", "created_by"]


@admin.register(ScheduleRun)
class ScheduleRunAdmin(admin.ModelAdmin):
    list_display = ["schedule", "slot", "status", "attempts", "finished_at"]
    list_filter = ["status"]
    search_fields = ["schedule__name"]
    raw_id_fields = ["schedule", "requested_by"]
    date_hierarchy = "slot"
