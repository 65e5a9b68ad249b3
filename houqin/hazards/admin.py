"""The platform superusers' view of the register. Hazards change only through the
services (the screens), so the admin shows them and their history read-only."""

from django.contrib import admin

from houqin.hazards.models import Hazard, HazardEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class HazardEventInline(admin.TabularInline):
    model = HazardEvent
    fields = ["created_at", "action", "actor", "from_status", "to_status", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Hazard)
class HazardAdmin(ReadOnlyAdmin):
    list_display = ["number", "title", "school", "domain", "grade", "status", "deadline"]
    list_filter = ["status", "grade", "domain", "source"]
    search_fields = ["number", "title", "school__name"]
    date_hierarchy = "reported_at"
    inlines = [HazardEventInline]
