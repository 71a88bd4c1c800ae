from rest_framework.routers import SimpleRouter

from .viewsets import ProviderViewSet

router = SimpleRouter()
router.register("providers", ProviderViewSet, basename="api-provider")

urlpatterns = router.urls
