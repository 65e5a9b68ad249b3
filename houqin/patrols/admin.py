from django.contrib import admin

from houqin.patrols.models import (
    Checklist,
    ChecklistItem,
    ChecklistVersion,
    ExpectedRound,
    Plan,
    Round,
    Route,
)


class ItemInline(admin.TabularInline):
    model = ChecklistItem
    extra = 0


@admin.register(Checklist)
class ChecklistAdmin(admin.ModelAdmin):
    list_display = ["name", "school", "kind", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "school__name"]
    raw_id_fields = ["school"]


@admin.register(ChecklistVersion)
class ChecklistVersionAdmin(admin.ModelAdmin):
    list_display = ["checklist", "number", "published_at"]
    search_fields = ["checklist__name"]
    raw_id_fields = ["checklist", "published_by"]
    inlines = [ItemInline]


@admin.register(Route)
class RouteAdmin(admin.ModelAdmin):
    list_display = ["name", "school", "checklist", "is_active"]
    search_fields = ["name", "school__name"]
    raw_id_fields = ["school", "campus", "checklist"]


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    list_display = ["name", "school", "route", "start_time", "due_time", "is_active"]
    search_fields = ["name", "school__name"]
    raw_id_fields = ["school", "route", "schedule"]
    filter_horizontal = ["patrollers"]


@admin.register(ExpectedRound)
class ExpectedRoundAdmin(admin.ModelAdmin):
    list_display = ["plan", "day", "due_at", "state", "flagged_at"]
    list_filter = ["state"]
    raw_id_fields = ["school", "plan"]
    date_hierarchy = "day"


@admin.register(Round)
class RoundAdmin(admin.ModelAdmin):
    list_display = ["__str__", "school", "patroller", "state", "started_at", "failed_items"]
    list_filter = ["state"]
    search_fields = ["client_uuid", "patroller__name"]
    raw_id_fields = ["school", "route", "place", "expected", "patroller", "checklist_version"]
    date_hierarchy = "started_at"
