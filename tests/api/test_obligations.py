"""The public obligation checker: /api/v1/obligations/."""

import datetime

import pytest
from django.utils import timezone

from tests.factories import CareTypeFactory, RegistryFactory

from .conftest import publish

pytestmark = pytest.mark.django_db

URL = "/api/v1/obligations/"
ON = "2026-06-01"


def check(api, **params):
    response = api.get(URL, params)
    assert response.status_code == 200, response.content
    return response.json()


def test_obligations_list_registries_and_variables_for_category(api, included_registry):
    body = check(api, provider_category="AZ", care_type="hip-fracture", on=ON)

    assert body["on"] == ON
    assert body["provider_categories"] == [{"code": "AZ", "name": "Algemeen ziekenhuis"}]
    assert body["care_types"] == [{"code": "hip-fracture", "name": "Heupfractuurzorg"}]
    [obligation] = body["obligations"]
    assert obligation["registry"] == {
        "acronym": "dhfa",
        "name": "Dutch Hip Fracture Audit",
        "holder": included_registry.holder.name,
    }
    current = included_registry.decisions.get()
    assert obligation["decision"] == current.pk
    assert obligation["dataset_version"] == current.dataset_version.number
    assert obligation["effective_from"] == "2026-03-01"
    assert obligation["care_types"] == [{"code": "hip-fracture", "name": "Heupfractuurzorg"}]
    assert (obligation["base_count"], obligation["plus_count"]) == (1, 1)
    assert obligation["variables"] == [
        {
            "code": "AGE",
            "name": obligation["variables"][0]["name"],
            "set": "base",
            "sets": {"AZ": "base"},
        },
        {
            "code": "ASA",
            "name": obligation["variables"][1]["name"],
            "set": "plus",
            "sets": {"AZ": "plus"},
        },
    ]
    assert body["upcoming"] == []


def test_rule_care_type_must_match(api, included_registry):
    CareTypeFactory(code="trauma", name="Traumazorg")

    body = check(api, provider_category="AZ", care_type="trauma", on=ON)

    assert body["obligations"] == []


def test_rule_any_of_several_care_types_matches(api, included_registry):
    CareTypeFactory(code="trauma", name="Traumazorg")

    body = check(api, provider_category="AZ", care_type=["trauma", "hip-fracture"], on=ON)

    assert [o["registry"]["acronym"] for o in body["obligations"]] == ["dhfa"]
    assert [c["code"] for c in body["care_types"]] == ["hip-fracture", "trauma"]


def test_rule_only_variables_requested_of_the_category(api, included_registry):
    umc = check(api, provider_category="UMC", care_type="hip-fracture", on=ON)
    ggz = check(api, provider_category="GGZ", care_type="hip-fracture", on=ON)

    assert [v["code"] for v in umc["obligations"][0]["variables"]] == ["AGE", "PROM"]
    assert ggz["obligations"] == []  # nothing requested of this category: no obligation


def test_rule_obligation_starts_on_the_effective_date(api, registry):
    publish(registry, effective_from=datetime.date(2026, 7, 1), variables=[("AGE", {"AZ": "base"})])

    before = check(api, provider_category="AZ", care_type="hip-fracture", on="2026-06-30")
    on_the_day = check(api, provider_category="AZ", care_type="hip-fracture", on="2026-07-01")

    assert before["obligations"] == []
    assert [o["effective_from"] for o in before["upcoming"]] == ["2026-07-01"]
    assert [o["registry"]["acronym"] for o in on_the_day["obligations"]] == ["dhfa"]
    assert on_the_day["upcoming"] == []


def test_on_defaults_to_today(api, included_registry):
    body = check(api, provider_category="AZ", care_type="hip-fracture")

    assert body["on"] == timezone.localdate().isoformat()


@pytest.mark.parametrize(
    "params, parameter",
    [
        ({"care_type": "hip-fracture"}, "provider_category"),
        ({"provider_category": "XYZ", "care_type": "hip-fracture"}, "provider_category"),
        ({"provider_category": "AZ"}, "care_type"),
        ({"provider_category": "AZ", "care_type": ["hip-fracture", "nope"]}, "care_type"),
        ({"provider_category": "AZ", "care_type": "hip-fracture", "on": "01-06-2026"}, "on"),
        ({"provider_category": "AZ", "care_type": "hip-fracture", "on": "2026-02-30"}, "on"),
    ],
)
def test_invalid_parameters_are_400_naming_the_parameter(api, care_type, params, parameter):
    response = api.get(URL, params)

    assert response.status_code == 400
    assert list(response.json()) == [parameter]


def test_unknown_care_type_error_names_the_code(api, care_type):
    response = api.get(URL, {"provider_category": "AZ", "care_type": ["hip-fracture", "nope"]})

    assert "nope" in response.json()["care_type"][0]


def test_obligations_use_a_constant_number_of_queries(
    api, care_type, django_assert_max_num_queries
):
    def run():
        with django_assert_max_num_queries(9):
            body = check(api, provider_category="AZ", care_type="hip-fracture", on=ON)
        return body

    RegistryFactory(acronym="r0", care_types=[care_type])
    publish(
        RegistryFactory(acronym="r1", care_types=[care_type]), variables=[("V", {"AZ": "base"})]
    )
    assert len(run()["obligations"]) == 1

    for i in range(2, 12):
        registry = RegistryFactory(acronym=f"r{i}", care_types=[care_type])
        publish(registry, variables=[(f"V{j}", {"AZ": "base", "UMC": "plus"}) for j in range(10)])
        publish(  # a later inclusion of a newer version: upcoming
            registry,
            effective_from=datetime.date(2027, 1, 1),
            variables=[(f"W{j}", {"AZ": "plus"}) for j in range(5)],
        )
    body = run()
    assert len(body["obligations"]) == 11  # in force on ON: the 2026 inclusions...
    assert len(body["upcoming"]) == 10  # ...replaced by the newer versions from 2027 on
