"""/api/v1/providers/: staff of a provider see that provider only; the rest is a 404."""

import datetime

import pytest
from rest_framework.authtoken.models import Token

from .conftest import publish

pytestmark = pytest.mark.django_db

OWN = "/api/v1/providers/06010101/obligations/"
OTHER = "/api/v1/providers/06020202/obligations/"


def test_provider_staff_see_own_obligations(api, provider_user, included_registry):
    api.force_authenticate(provider_user)

    response = api.get(OWN, {"on": "2026-06-01"})

    assert response.status_code == 200
    body = response.json()
    assert body["provider"] == {"agb_code": "06010101", "name": "Ziekenhuis Rivierenland"}
    assert body["provider_categories"] == [{"code": "AZ", "name": "Algemeen ziekenhuis"}]
    assert body["care_types"] == [{"code": "hip-fracture", "name": "Heupfractuurzorg"}]
    [obligation] = body["obligations"]
    assert obligation["registry"]["acronym"] == "dhfa"
    assert [(v["code"], v["set"]) for v in obligation["variables"]] == [
        ("AGE", "base"),
        ("ASA", "plus"),
    ]
    assert body["on"] == "2026-06-01"


def test_provider_obligations_have_the_public_shape_plus_the_provider(
    api, provider_user, included_registry
):
    api.force_authenticate(provider_user)
    own = api.get(OWN, {"on": "2026-06-01"}).json()
    public = api.get(
        "/api/v1/obligations/",
        {"provider_category": "AZ", "care_type": "hip-fracture", "on": "2026-06-01"},
    ).json()

    assert set(own) - set(public) == {"provider"}
    assert own["obligations"] == public["obligations"]


def test_provider_obligations_show_upcoming_and_validate_on(api, provider_user, registry):
    publish(registry, effective_from=datetime.date(2027, 1, 1), variables=[("A", {"AZ": "base"})])
    api.force_authenticate(provider_user)

    body = api.get(OWN, {"on": "2026-12-31"}).json()
    bad = api.get(OWN, {"on": "tomorrow"})

    assert body["obligations"] == []
    assert [o["registry"]["acronym"] for o in body["upcoming"]] == ["dhfa"]
    assert bad.status_code == 400
    assert list(bad.json()) == ["on"]


def test_provider_cannot_see_other_providers_obligations(
    api, provider_user, other_provider, included_registry
):
    api.force_authenticate(provider_user)

    assert api.get(OTHER).status_code == 404
    assert api.get("/api/v1/providers/06020202/").status_code == 404


def test_unknown_agb_code_is_404(api, provider_user):
    api.force_authenticate(provider_user)

    assert api.get("/api/v1/providers/99999999/obligations/").status_code == 404


def test_other_provider_and_unknown_agb_look_the_same(api, provider_user, other_provider):
    api.force_authenticate(provider_user)

    other = api.get(OTHER)
    unknown = api.get("/api/v1/providers/99999999/obligations/")

    assert other.status_code == unknown.status_code == 404
    assert other.json() == unknown.json()


@pytest.mark.parametrize("url", [OWN, "/api/v1/providers/", "/api/v1/providers/06010101/"])
def test_anonymous_is_refused(api, provider, url):
    assert api.get(url).status_code in (401, 403)


def test_staff_of_other_roles_see_no_provider(api, registry_user, zin_user, provider):
    for user in (registry_user, zin_user):
        api.force_authenticate(user)
        assert api.get("/api/v1/providers/").json()["results"] == []
        assert api.get(OWN).status_code == 404


def test_provider_list_returns_only_the_users_own_providers(
    api, provider_user, other_provider_user
):
    api.force_authenticate(provider_user)

    body = api.get("/api/v1/providers/").json()

    assert [p["agb_code"] for p in body["results"]] == ["06010101"]
    assert body["results"][0]["categories"] == [{"code": "AZ", "name": "Algemeen ziekenhuis"}]


def test_token_authentication_works(api, provider_user, included_registry):
    token = Token.objects.create(user=provider_user)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    assert api.get(OWN).status_code == 200
