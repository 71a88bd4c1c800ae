"""Reads for the provider area: whose providers, which obligations, which readiness records."""

import datetime

import pytest

from providers.models import Participation, Provider
from providers.selectors import participation_records, provider_obligations, providers_for_user
from register.constants import DecisionOutcome
from register.selectors import upcoming_obligations
from tests.factories import DatasetVersionFactory, DecisionFactory, VariableFactory

pytestmark = pytest.mark.django_db

ON = datetime.date(2026, 6, 1)


def include(registry, *, variables, effective_from=datetime.date(2026, 3, 1), **decision):
    version = DatasetVersionFactory(registry=registry, submitted=True)
    for code, requirements in variables.items():
        VariableFactory(dataset_version=version, code=code, requirements=requirements)
    decision.setdefault("published", True)
    return DecisionFactory(dataset_version=version, effective_from=effective_from, **decision)


def obligations_of(provider, on=ON):
    provider = Provider.objects.prefetch_related("categories", "care_types").get(pk=provider.pk)
    return provider_obligations(provider=provider, on=on)


def test_providers_for_user_are_only_the_users_own(
    provider_user, provider, other_provider, other_provider_user
):
    assert list(providers_for_user(provider_user)) == [provider]
    assert list(providers_for_user(other_provider_user)) == [other_provider]


def test_providers_for_user_is_empty_for_user_without_provider(registry_user, provider):
    assert list(providers_for_user(registry_user)) == []


def test_obligation_needs_care_type_and_requested_category(provider, registry, other_registry):
    include(registry, variables={"A": {"AZ": "base"}})
    include(other_registry, variables={"A": {"UMC": "base"}})  # same care type, not asked of AZ

    found = obligations_of(provider)

    assert [o.registry for o in found.current] == [registry]


def test_new_version_effective_later_is_upcoming_while_old_one_stays_in_force(provider, registry):
    include(registry, variables={"OLD": {"AZ": "base"}})
    include(
        registry,
        variables={"OLD": {"AZ": "base"}, "NEW": {"AZ": "plus"}},
        effective_from=datetime.date(2027, 1, 1),
    )

    found = obligations_of(provider)

    [current] = found.current
    [upcoming] = found.upcoming
    assert [v.code for v in current.variables] == ["OLD"]
    assert [(v.code, v.set) for v in upcoming.variables] == [("NEW", "plus"), ("OLD", "base")]
    assert upcoming.effective_from == datetime.date(2027, 1, 1)


def test_unpublished_decision_creates_no_obligation(provider, registry):
    include(registry, variables={"A": {"AZ": "base"}}, published=False)

    found = obligations_of(provider)

    assert found.current == [] and found.upcoming == []


def test_published_withdrawal_ends_the_obligation(provider, registry):
    include(registry, variables={"A": {"AZ": "base"}})
    include(
        registry,
        variables={"A": {"AZ": "base"}},
        outcome=DecisionOutcome.WITHDRAW,
        effective_from=ON,
    )

    assert obligations_of(provider).current == []


def test_upcoming_obligations_start_after_the_date(registry):
    include(registry, variables={"A": {"AZ": "base"}}, effective_from=datetime.date(2026, 9, 1))
    kwargs = {"category_codes": ["AZ"], "care_type_codes": ["hip-fracture"]}

    assert [o.registry for o in upcoming_obligations(**kwargs, on=ON)] == [registry]
    assert upcoming_obligations(**kwargs, on=datetime.date(2026, 9, 1)) == []


def test_participation_records_are_the_providers_own_with_registry(
    provider, other_provider, registry, other_registry, django_assert_num_queries
):
    Participation.objects.create(provider=provider, registry=other_registry)
    Participation.objects.create(provider=provider, registry=registry)
    Participation.objects.create(provider=other_provider, registry=registry)

    with django_assert_num_queries(1):
        acronyms = [r.registry.acronym for r in participation_records(provider=provider)]

    assert acronyms == ["dhfa", "other"]
