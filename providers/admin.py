from django.contrib import admin
from guardian.admin import GuardedModelAdmin

from .models import Participation, Provider


@admin.register(Provider)
class ProviderAdmin(GuardedModelAdmin):
    list_display = ["name", "agb_code"]
    search_fields = ["name", "agb_code"]
    filter_horizontal = ["categories", "care_types"]


@admin.register(Participation)
class ParticipationAdmin(admin.ModelAdmin):
    list_display = ["provider", "registry", "agreement_status", "delivery_method", "coverage"]
    list_filter = ["agreement_status", "delivery_method", "coverage"]
