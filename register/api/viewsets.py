"""The public, read-only API of the register. Thin: reads go through register.selectors."""

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, viewsets
from rest_framework.response import Response
from rest_framework.views import APIView

from register import selectors
from register.models import CareType, ProviderCategory, Registry

from .permissions import PublicReadOnly
from .schema import PublicAutoSchema
from .serializers import (
    CareTypeSerializer,
    DecisionSerializer,
    ObligationQuerySerializer,
    ObligationReportSerializer,
    ProviderCategorySerializer,
    RegistryDetailSerializer,
    RegistryFilterSerializer,
    RegistrySerializer,
    VariableSerializer,
)


class PublicEndpoint:
    """Mixin of every public view: anyone may read (no login), nobody may write."""

    schema = PublicAutoSchema()


ACRONYM_PARAMETER = OpenApiParameter(
    "acronym", OpenApiTypes.STR, OpenApiParameter.PATH, description=_("The registry's acronym.")
)


@extend_schema_view(
    list=extend_schema(
        summary=_("The register: included registries"),
        parameters=[RegistryFilterSerializer],
    ),
    retrieve=extend_schema(
        summary=_("One registry with its published decisions"),
        parameters=[ACRONYM_PARAMETER],
    ),
)
class RegistryViewSet(viewsets.ReadOnlyModelViewSet):
    """Registries in the register. The list holds only registries whose current published
    decision is inclusion; a single registry is shown once any decision on it is published."""

    permission_classes = [PublicReadOnly]  # no login; safe methods only
    schema = PublicAutoSchema()
    lookup_field = "acronym"

    def get_serializer_class(self):
        return RegistryDetailSerializer if self.action == "retrieve" else RegistrySerializer

    def get_queryset(self):
        if self.action != "list":
            return Registry.objects.none()  # retrieve goes through get_object
        filters = RegistryFilterSerializer(data=self.request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        return selectors.public_registries(
            search=data.get("q", "").strip(),
            care_type=data["care_type"].code if data.get("care_type") else "",
            provider_category=(
                data["provider_category"].code if data.get("provider_category") else ""
            ),
        )

    def get_object(self):
        try:
            registry = selectors.registry_public_detail(acronym=self.kwargs["acronym"])
        except Registry.DoesNotExist:
            raise Http404 from None
        if not registry.published_decisions:
            # Not in the public record yet: a dossier in preparation is nobody else's business.
            raise Http404
        return registry


@extend_schema_view(
    list=extend_schema(
        summary=_("The included dataset of a registry, with requirements per provider category"),
        parameters=[ACRONYM_PARAMETER],
    )
)
class RegistryVariableViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The variables of the dataset version named in the registry's current inclusion decision.

    404 when the registry is not (or no longer) included: then nothing must be delivered.
    """

    permission_classes = [PublicReadOnly]  # no login; safe methods only
    schema = PublicAutoSchema()
    serializer_class = VariableSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return selectors.dataset_variables(dataset_version_id=0)
        try:
            registry = selectors.included_registry(acronym=self.kwargs["acronym"])
        except Registry.DoesNotExist:
            raise Http404 from None
        return selectors.dataset_variables(dataset_version_id=registry.current_dataset_version_id)


@extend_schema_view(
    list=extend_schema(
        summary=_("Published decisions"),
        parameters=[
            OpenApiParameter(
                "registry",
                OpenApiTypes.STR,
                description=_("Only decisions on this registry (acronym)."),
            )
        ],
    ),
    retrieve=extend_schema(summary=_("One published decision")),
)
class DecisionViewSet(viewsets.ReadOnlyModelViewSet):
    """Zorginstituut's published decisions on inclusion, newest first."""

    permission_classes = [PublicReadOnly]  # no login; safe methods only
    schema = PublicAutoSchema()
    serializer_class = DecisionSerializer

    def get_queryset(self):
        decisions = selectors.published_decisions_queryset()
        registry = self.request.query_params.get("registry", "").strip()
        if self.action == "list" and registry:
            decisions = decisions.filter(registry__acronym=registry)
        return decisions


@extend_schema_view(
    list=extend_schema(summary=_("Provider categories")),
    retrieve=extend_schema(summary=_("One provider category")),
)
class ProviderCategoryViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [PublicReadOnly]  # no login; safe methods only
    schema = PublicAutoSchema()
    serializer_class = ProviderCategorySerializer
    queryset = ProviderCategory.objects.all()  # reference data: no selector needed
    lookup_field = "code"


@extend_schema_view(
    list=extend_schema(summary=_("Care types")),
    retrieve=extend_schema(summary=_("One care type")),
)
class CareTypeViewSet(viewsets.ReadOnlyModelViewSet):
    permission_classes = [PublicReadOnly]  # no login; safe methods only
    schema = PublicAutoSchema()
    serializer_class = CareTypeSerializer
    queryset = CareType.objects.all()
    lookup_field = "code"


def obligation_report(*, on, categories, care_types) -> tuple[dict, dict]:
    """The report and serializer context shared by the public and the provider endpoint."""
    category_codes = [c.code for c in categories]
    care_type_codes = [c.code for c in care_types]
    current = selectors.obligations(
        category_codes=category_codes, care_type_codes=care_type_codes, on=on
    )
    upcoming = selectors.upcoming_obligations(
        category_codes=category_codes, care_type_codes=care_type_codes, on=on, current=current
    )
    report = {
        "on": on,
        "provider_categories": categories,
        "care_types": care_types,
        "obligations": current,
        "upcoming": upcoming,
    }
    context = {"version_numbers": selectors.obligation_version_numbers(items=current + upcoming)}
    return report, context


class ObligationView(APIView):
    """The obligation checker: which registries and variables a provider must deliver.

    Wkz: a provider delivering one of an included registry's care types must deliver the
    variables requested (base or plus set) of its category, from the decision's effective date.
    """

    permission_classes = [PublicReadOnly]  # no login; safe methods only
    schema = PublicAutoSchema()

    @extend_schema(
        summary=_("Delivery obligations for a provider category and care types"),
        parameters=[ObligationQuerySerializer],
        responses=ObligationReportSerializer,
    )
    def get(self, request):
        query = ObligationQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        report, context = obligation_report(
            on=query.validated_data["on"],
            categories=[query.validated_data["provider_category"]],
            care_types=query.validated_data["care_type"],
        )
        return Response(ObligationReportSerializer(report, context=context).data)
