"""Reads of the Register (register.selectors)."""

import datetime

import pytest

from register import selectors
from tests.factories import DatasetVersionFactory, DecisionFactory, VariableFactory

pytestmark = pytest.mark.django_db


def include(registry, *, variables, effective_from):
    version = DatasetVersionFactory(registry=registry, submitted=True)
    for code, requirements in variables.items():
        VariableFactory(dataset_version=version, code=code, requirements=requirements)
    return DecisionFactory(dataset_version=version, effective_from=effective_from, published=True)


def acronyms(**criteria) -> list[str]:
    return [r.acronym for r in selectors.included_registries(**criteria)]


def test_provider_category_filter_uses_the_table_in_force_on_the_date(registry):
    """The category filter reads the version of the current decision as of ``on``."""
    include(registry, variables={"A": {"AZ": "base"}}, effective_from=datetime.date(2026, 3, 1))
    include(registry, variables={"A": {"UMC": "base"}}, effective_from=datetime.date(2027, 1, 1))

    before = datetime.date(2026, 6, 1)
    assert acronyms(provider_category="AZ", on=before) == ["dhfa"]
    assert acronyms(provider_category="UMC", on=before) == []

    after = datetime.date(2027, 6, 1)
    assert acronyms(provider_category="AZ", on=after) == []
    assert acronyms(provider_category="UMC", on=after) == ["dhfa"]

    # Without a date the latest published decision counts, as for the rest of the register.
    assert acronyms(provider_category="UMC") == ["dhfa"]
    assert acronyms(provider_category="AZ") == []


def test_provider_category_filter_lists_a_registry_once(registry, care_type):
    include(
        registry,
        variables={f"V{n}": {"AZ": "base", "UMC": "plus"} for n in range(3)},
        effective_from=datetime.date(2026, 3, 1),
    )
    assert acronyms(provider_category="AZ", care_type=care_type.code) == ["dhfa"]
