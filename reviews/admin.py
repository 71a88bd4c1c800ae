"""Admin for committees and their reviews.

Membership changes go through reviews.services, which keeps the committee's auth group (to
which reviews are granted) in step. Reviews and advice are read-only here: they change only
through the services, which check the workflow and write the audit trail.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Advice, Committee, CriteriaCatalogue, Criterion, Membership, Review


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ["user", "perspective", "is_chair"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False  # add members on the membership page, so the group follows


@admin.register(Committee)
class CommitteeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "group"]
    readonly_fields = ["code", "group"]
    inlines = [MembershipInline]

    def has_add_permission(self, request):
        return False  # IGC and DGC come from a migration

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "committee", "perspective", "is_chair"]
    list_filter = ["committee", "perspective", "is_chair"]
    search_fields = ["user__username", "user__email", "user__first_name", "user__last_name"]
    autocomplete_fields = ["user"]
    actions = ["remove_selected"]

    def save_model(self, request, obj, form, change):
        services.membership_save(membership=obj, actor=request.user)

    def delete_model(self, request, obj):
        services.membership_remove(membership=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for membership in queryset.select_related("committee__group", "user"):
            services.membership_remove(membership=membership, actor=request.user)

    @admin.action(description=_("Remove the selected members from their committee"))
    def remove_selected(self, request, queryset):
        self.delete_queryset(request, queryset)


class AdviceInline(admin.StackedInline):
    model = Advice
    extra = 0
    can_delete = False
    fields = ["outcome", "motivation", "conditions", "given_by", "given_at", "document"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["__str__", "committee", "status", "due_date", "created_at"]
    list_filter = ["committee", "status"]
    search_fields = ["submission__registry__acronym", "submission__registry__name"]
    list_select_related = ["committee", "submission__registry", "submission__dataset_version"]
    readonly_fields = ["submission", "committee", "status", "created_at"]
    fields = ["submission", "committee", "status", "due_date", "created_at"]
    inlines = [AdviceInline]

    def has_add_permission(self, request):
        return False  # reviews open when a dataset version is submitted

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Advice)
class AdviceAdmin(admin.ModelAdmin):
    list_display = ["__str__", "review", "outcome", "given_by", "given_at"]
    list_filter = ["outcome", "review__committee"]
    list_select_related = ["review__committee", "review__submission__registry", "given_by"]
    search_fields = ["review__submission__registry__acronym"]

    def has_add_permission(self, request):
        return False  # advice is recorded by the committee in /reviews/

    def has_change_permission(self, request, obj=None):
        return False  # a concluded advice cannot be changed

    def has_delete_permission(self, request, obj=None):
        return False


# --- Criteria catalogues (reviews.criteria): read-only; the secretariat publishes new versions
# in /reviews/catalogues/, so a published version never changes.


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0
    can_delete = False
    fields = ["position", "code", "title", "knockout", "minimum_requirement", "growth_path"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(CriteriaCatalogue)
class CriteriaCatalogueAdmin(admin.ModelAdmin):
    list_display = ["__str__", "committee", "stage", "version", "published_at", "published_by"]
    list_filter = ["committee", "stage"]
    list_select_related = ["committee", "published_by"]
    fields = ["committee", "stage", "version", "note", "published_at", "published_by"]
    readonly_fields = fields
    inlines = [CriterionInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
