"""The platform operators' view of the asset tables. Cards change only through the
screens (``services`` write their history); here they are read, and the national classes
may be corrected."""

from django.contrib import admin

from houqin.assets.models import Acceptance, AcceptanceLine, Asset, AssetEvent, Category


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "level", "depreciable", "life_years", "code_2010"]
    list_filter = ["level", "depreciable"]
    search_fields = ["code", "name", "code_2010"]
    raw_id_fields = ["parent"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Asset)
class AssetAdmin(ReadOnlyAdmin):
    list_display = ["number", "name", "school", "category", "status", "original_value"]
    list_filter = ["status"]
    search_fields = ["number", "name", "school__name"]
    list_select_related = ["school", "category"]
    show_full_result_count = False


@admin.register(AssetEvent)
class AssetEventAdmin(ReadOnlyAdmin):
    list_display = ["asset", "action", "actor", "created_at"]
    list_filter = ["action"]
    search_fields = ["asset__number"]
    list_select_related = ["asset", "actor"]
    show_full_result_count = False


class AcceptanceLineInline(admin.TabularInline):
    model = AcceptanceLine
    extra = 0
    can_delete = False
    fields = ["category", "name", "quantity_ordered", "quantity_received", "unit_price"]
    readonly_fields = fields


@admin.register(Acceptance)
class AcceptanceAdmin(ReadOnlyAdmin):
    list_display = ["number", "school", "supplier", "delivered_on", "state"]
    list_filter = ["state"]
    search_fields = ["number", "supplier", "school__name"]
    list_select_related = ["school"]
    inlines = [AcceptanceLineInline]
