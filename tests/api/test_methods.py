"""The public API is read-only: no unsafe method ever succeeds, logged in or not."""

import pytest
from django.urls import get_resolver

from register.api.permissions import PublicReadOnly

from .conftest import publish

pytestmark = pytest.mark.django_db

PUBLIC_URLS = [
    "/api/v1/",
    "/api/v1/registries/",
    "/api/v1/registries/dhfa/",
    "/api/v1/registries/dhfa/variables/",
    "/api/v1/decisions/",
    "/api/v1/decisions/{decision}/",
    "/api/v1/provider-categories/",
    "/api/v1/provider-categories/AZ/",
    "/api/v1/care-types/",
    "/api/v1/care-types/hip-fracture/",
    "/api/v1/obligations/?provider_category=AZ&care_type=hip-fracture",
    "/api/v1/schema/",
    "/api/v1/docs/",
]
AUTHENTICATED_URLS = [
    "/api/v1/providers/",
    "/api/v1/providers/06010101/",
    "/api/v1/providers/06010101/obligations/",
]


@pytest.fixture
def urls(registry):
    decision = publish(registry, variables=[("AGE", {"AZ": "base"})])
    return [u.format(decision=decision.pk) for u in PUBLIC_URLS]


def test_public_urls_are_readable_anonymously(api, urls):
    for url in urls:
        assert api.get(url).status_code == 200, url


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("who", ["anonymous", "provider", "superuser"])
def test_unsafe_methods_never_succeed(api, urls, provider_user, django_user_model, method, who):
    if who == "provider":
        api.force_authenticate(provider_user)
    elif who == "superuser":
        api.force_authenticate(
            django_user_model.objects.create_superuser("root@example.org", "root@example.org", "x")
        )
    for url in urls + AUTHENTICATED_URLS:
        response = getattr(api, method)(url, {"acronym": "x"}, format="json")
        assert response.status_code in (401, 403, 405), (method, url, response.status_code)


def test_every_api_view_is_public_read_only_or_authenticated():
    """New API views must choose: PublicReadOnly, or the default IsAuthenticated."""
    from rest_framework.permissions import IsAuthenticated

    def walk(patterns, prefix=""):
        for p in patterns:
            if hasattr(p, "url_patterns"):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            else:
                yield prefix + str(p.pattern), p

    api_views = [
        (route, p) for route, p in walk(get_resolver().url_patterns) if route.startswith("api/v1/")
    ]
    assert len(api_views) > 10
    for route, pattern in api_views:
        if pattern.name in {"api-schema", "api-docs"}:
            continue  # drf-spectacular's views: GET only (see test_unsafe_methods_never_succeed)
        cls = pattern.callback.cls
        permissions = set(cls.permission_classes)
        assert PublicReadOnly in permissions or IsAuthenticated in permissions, route
