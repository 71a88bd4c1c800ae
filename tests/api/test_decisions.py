import pytest

from register.constants import DecisionOutcome
from tests.factories import DecisionFactory

from .conftest import publish

pytestmark = pytest.mark.django_db


def test_decisions_lists_only_published_decisions(api, registry, other_registry):
    included = publish(registry)
    refused = publish(other_registry, outcome=DecisionOutcome.REFUSE)
    hidden = DecisionFactory(registry=registry, dataset_version__registry=registry)

    body = api.get("/api/v1/decisions/").json()

    assert {d["id"] for d in body["results"]} == {included.pk, refused.pk}
    item = next(d for d in body["results"] if d["id"] == included.pk)
    assert item["registry"] == "dhfa"
    assert item["outcome"] == "include"
    assert item["effective_from"] == "2026-03-01"
    assert item["dataset_version"] == included.dataset_version.number
    assert item["reasoning"] == included.reasoning
    assert "decided_at" in item
    assert api.get(f"/api/v1/decisions/{hidden.pk}/").status_code == 404
    assert api.get(f"/api/v1/decisions/{included.pk}/").status_code == 200


def test_decisions_filter_by_registry(api, registry, other_registry):
    publish(registry)
    publish(other_registry)

    body = api.get("/api/v1/decisions/", {"registry": "other"}).json()

    assert [d["registry"] for d in body["results"]] == ["other"]


def test_reference_data_is_public(api, care_type):
    categories = api.get("/api/v1/provider-categories/").json()["results"]
    care_types = api.get("/api/v1/care-types/").json()["results"]

    assert {"code": "AZ", "name": "Algemeen ziekenhuis"} in categories
    assert care_types == [{"code": "hip-fracture", "name": "Heupfractuurzorg"}]
    assert api.get("/api/v1/provider-categories/UMC/").json()["code"] == "UMC"
    assert api.get("/api/v1/care-types/hip-fracture/").status_code == 200
    assert api.get("/api/v1/care-types/nope/").status_code == 404
