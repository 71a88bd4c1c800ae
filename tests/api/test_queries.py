"""List endpoints use a fixed number of queries, whatever the data size (no N+1)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from providers.services import provider_staff_add
from tests.factories import CareTypeFactory, ProviderFactory, RegistryFactory, UserFactory

from .conftest import publish

pytestmark = pytest.mark.django_db

# Maximum queries per page; the same for 1 object as for many.
LIMITS = {
    "/api/v1/registries/": 4,  # count, rows, care types, decisions
    "/api/v1/registries/?care_type=care-0&provider_category=AZ&q=reg": 6,  # + the two codes
    "/api/v1/decisions/": 2,
    "/api/v1/provider-categories/": 2,
    "/api/v1/care-types/": 2,
}


def make_registries(n):
    for _ in range(n):
        care_types = [CareTypeFactory(code=f"care-{i}") for i in range(3)]
        registry = RegistryFactory(care_types=care_types)
        publish(registry, variables=[(f"V{j}", {"AZ": "base", "UMC": "plus"}) for j in range(3)])
        publish(registry, variables=[("V0", {"AZ": "base"})])  # a history of two decisions


def counts(api):
    result = {}
    for url in LIMITS:
        with CaptureQueriesContext(connection) as ctx:
            assert api.get(url).status_code == 200, url
        result[url] = len(ctx.captured_queries)
    return result


def test_public_lists_use_constant_queries(api):
    make_registries(1)
    counts(api)  # warms caches (ContentType) so both measurements compare like with like
    small = counts(api)
    make_registries(15)
    large = counts(api)

    assert large == small
    for url, limit in LIMITS.items():
        assert small[url] <= limit, (url, small[url])


def test_public_lists_return_data_when_large(api):
    make_registries(15)

    body = api.get("/api/v1/registries/").json()

    assert body["count"] == 15
    assert all(len(r["care_types"]) == 3 for r in body["results"])
    assert api.get("/api/v1/decisions/").json()["count"] == 30


def test_provider_list_uses_constant_queries(api):
    user = UserFactory()
    provider_staff_add(provider=ProviderFactory(categories=["AZ"]), user=user)
    api.force_authenticate(user)
    api.get("/api/v1/providers/")  # warms the ContentType cache

    with CaptureQueriesContext(connection) as small:
        api.get("/api/v1/providers/")
    care_type = CareTypeFactory()
    for _ in range(10):
        provider_staff_add(
            provider=ProviderFactory(categories=["AZ", "UMC"], care_types=[care_type]), user=user
        )
    with CaptureQueriesContext(connection) as large:
        body = api.get("/api/v1/providers/").json()

    assert body["count"] == 11
    assert len(large.captured_queries) == len(small.captured_queries)
    assert len(large.captured_queries) <= 6
