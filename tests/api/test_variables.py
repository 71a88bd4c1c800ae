import pytest

from register.constants import DecisionOutcome
from tests.factories import RegistryFactory, VariableFactory

from .conftest import publish

pytestmark = pytest.mark.django_db

URL = "/api/v1/registries/dhfa/variables/"


def test_variables_are_the_included_dataset_with_requirements(api, included_registry):
    body = api.get(URL).json()

    assert body["count"] == 3
    by_code = {v["code"]: v for v in body["results"]}
    assert list(by_code) == ["AGE", "ASA", "PROM"]
    assert by_code["AGE"]["requirements"] == {"UMC": "base", "AZ": "base"}
    assert by_code["ASA"]["requirements"] == {"AZ": "plus"}
    assert set(by_code["AGE"]) == {
        "code",
        "name",
        "description",
        "data_type",
        "unit",
        "code_system",
        "code_system_code",
        "purposes",
        "personal_data",
        "generalisation",
        "necessity",
        "proportionality",
        "subsidiarity",
        "ehr_source",
        "requirements",
    }
    assert by_code["AGE"]["purposes"] == ["learn_improve"]


def test_variables_follow_the_current_decision_not_a_newer_draft(api, included_registry):
    draft = included_registry.dataset_versions.create(number=99)
    VariableFactory(dataset_version=draft, code="DRAFT", requirements={"AZ": "base"})

    codes = [v["code"] for v in api.get(URL).json()["results"]]

    assert "DRAFT" not in codes


def test_variables_404_when_registry_not_included(api, registry):
    publish(registry, outcome=DecisionOutcome.REFUSE, variables=[("X", {"AZ": "base"})])

    assert api.get(URL).status_code == 404
    assert api.get("/api/v1/registries/nope/variables/").status_code == 404


def test_variables_use_a_constant_number_of_queries(api, django_assert_max_num_queries):
    small = RegistryFactory(acronym="small")
    publish(small, variables=[("V1", {"AZ": "base"})])
    large = RegistryFactory(acronym="large")
    publish(
        large,
        variables=[(f"V{i:03d}", {"AZ": "base", "UMC": "plus", "STZ": "base"}) for i in range(40)],
    )

    with django_assert_max_num_queries(4):
        assert api.get("/api/v1/registries/small/variables/").status_code == 200
    with django_assert_max_num_queries(4):
        response = api.get("/api/v1/registries/large/variables/")
    assert len(response.json()["results"]) == 40
