"""The providers' API: a provider's staff see their own provider(s) and obligations."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from providers.selectors import providers_for_user
from register.api.serializers import ObligationDateQuerySerializer
from register.api.viewsets import obligation_report

from .permissions import CanActForProvider
from .serializers import ProviderObligationReportSerializer, ProviderSerializer

AGB_PARAMETER = OpenApiParameter(
    "agb_code", OpenApiTypes.STR, OpenApiParameter.PATH, description=_("The provider's AGB code.")
)


@extend_schema_view(
    list=extend_schema(summary=_("The providers you act for")),
    retrieve=extend_schema(summary=_("A provider you act for"), parameters=[AGB_PARAMETER]),
    obligations=extend_schema(
        summary=_("The delivery obligations of a provider you act for"),
        parameters=[AGB_PARAMETER, ObligationDateQuerySerializer],
        responses=ProviderObligationReportSerializer,
    ),
)
class ProviderViewSet(viewsets.ReadOnlyModelViewSet):
    """Only the providers the user acts for: any other AGB code is a 404 (existence not leaked)."""

    permission_classes = [IsAuthenticated, CanActForProvider]
    serializer_class = ProviderSerializer
    lookup_field = "agb_code"

    def get_queryset(self):
        return providers_for_user(self.request.user)

    @action(detail=True, methods=["get"])
    def obligations(self, request, agb_code=None, format=None):
        provider = self.get_object()
        query = ObligationDateQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        report, context = obligation_report(
            on=query.validated_data["on"],
            categories=list(provider.categories.all()),
            care_types=list(provider.care_types.all()),
        )
        report["provider"] = provider
        return Response(ProviderObligationReportSerializer(report, context=context).data)
