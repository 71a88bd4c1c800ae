"""Serializers of the providers' API: only for staff of the provider itself."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from providers.models import Provider
from register.api.serializers import (
    CareTypeSerializer,
    ObligationReportSerializer,
    ProviderCategorySerializer,
)


class ProviderSerializer(serializers.ModelSerializer):
    """Expects categories and care types prefetched (``providers_for_user``)."""

    categories = ProviderCategorySerializer(many=True, read_only=True)
    care_types = CareTypeSerializer(many=True, read_only=True)

    class Meta:
        model = Provider
        fields = ["agb_code", "name", "categories", "care_types"]
        read_only_fields = fields


class ProviderSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = Provider
        fields = ["agb_code", "name"]
        read_only_fields = fields


class ProviderObligationReportSerializer(ObligationReportSerializer):
    """The obligation report for the provider's own categories and care types."""

    provider = ProviderSummarySerializer(help_text=_("The provider the report is for."))
