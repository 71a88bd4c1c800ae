"""API test helpers: an API client and a way to put a registry in the register."""

import datetime

import pytest
from rest_framework.test import APIClient

from register.constants import DecisionOutcome
from tests.factories import DatasetVersionFactory, DecisionFactory, VariableFactory

PAST = datetime.date(2026, 3, 1)


@pytest.fixture
def api():
    return APIClient()


def publish(registry, *, outcome=DecisionOutcome.INCLUDE, effective_from=PAST, variables=(), **kw):
    """A published decision on a new submitted dataset version holding ``variables``.

    ``variables``: (code, {category code: base|plus}) pairs.
    """
    version = DatasetVersionFactory(registry=registry, submitted=True)
    for code, requirements in variables:
        VariableFactory(dataset_version=version, code=code, requirements=requirements)
    return DecisionFactory(
        published=True,
        registry=registry,
        dataset_version=version,
        outcome=outcome,
        effective_from=effective_from,
        **kw,
    )


@pytest.fixture
def included_registry(registry):
    """The ``registry`` fixture (DHFA, hip fracture care) included, with a small table."""
    publish(
        registry,
        variables=[
            ("AGE", {"AZ": "base", "UMC": "base"}),
            ("ASA", {"AZ": "plus"}),
            ("PROM", {"UMC": "plus"}),
        ],
    )
    return registry
