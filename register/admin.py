from django.contrib import admin
from guardian.admin import GuardedModelAdmin

from .models import (
    AuditEntry,
    CareType,
    DatasetVersion,
    Decision,
    Document,
    ProviderCategory,
    Registry,
    RegistryHolder,
    Submission,
)


@admin.register(ProviderCategory)
class ProviderCategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "ordering"]


@admin.register(CareType)
class CareTypeAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(RegistryHolder)
class RegistryHolderAdmin(admin.ModelAdmin):
    list_display = ["name", "kvk_number", "contact_email"]
    search_fields = ["name", "kvk_number"]


@admin.register(Registry)
class RegistryAdmin(GuardedModelAdmin):
    list_display = ["acronym", "name", "holder", "statutory", "bsn_allowed"]
    list_filter = ["statutory", "bsn_allowed"]
    search_fields = ["acronym", "name"]


@admin.register(DatasetVersion)
class DatasetVersionAdmin(admin.ModelAdmin):
    """Read-only: tables change through the portal's services, which audit every change."""

    list_display = ["registry", "number", "status", "submitted_at"]
    list_filter = ["status"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ["registry", "stage", "status", "submitted_at"]
    list_filter = ["stage", "status"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    list_display = ["registry", "outcome", "effective_from", "published_at"]
    list_filter = ["outcome"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["registry", "kind", "title", "confidential", "uploaded_at"]
    list_filter = ["kind", "confidential"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor", "action", "object_repr", "registry"]
    list_filter = ["action"]
    search_fields = ["object_repr", "action"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
