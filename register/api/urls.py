from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework import routers

from providers.api.urls import router as providers_router

from .permissions import PublicReadOnly
from .viewsets import (
    CareTypeViewSet,
    DecisionViewSet,
    ObligationView,
    ProviderCategoryViewSet,
    RegistryVariableViewSet,
    RegistryViewSet,
)


class APIRootView(routers.APIRootView):
    """Register voor Kwaliteitsregistraties API, version 1. Public endpoints need no login."""

    permission_classes = [PublicReadOnly]


class Router(routers.DefaultRouter):
    """A public API root that also lists the endpoints that are not viewsets."""

    APIRootView = APIRootView
    extra_root_entries = {"obligations": "api-obligations"}

    def get_api_root_view(self, api_urls=None):
        list_name = self.routes[0].name
        root = {
            prefix: list_name.format(basename=basename) for prefix, _v, basename in self.registry
        }
        root.update(self.extra_root_entries)
        return self.APIRootView.as_view(api_root_dict=root)


router = Router()
router.register("registries", RegistryViewSet, basename="api-registry")
router.register(
    r"registries/(?P<acronym>[^/.]+)/variables", RegistryVariableViewSet, basename="api-variable"
)
router.register("decisions", DecisionViewSet, basename="api-decision")
router.register("provider-categories", ProviderCategoryViewSet, basename="api-provider-category")
router.register("care-types", CareTypeViewSet, basename="api-care-type")
# One API root for both apps: the providers' routes are registered here too.
router.registry.extend(providers_router.registry)

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("obligations/", ObligationView.as_view(), name="api-obligations"),
    *router.urls,
]
