from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet

from register.selectors import Obligation, obligations, upcoming_obligations

from .models import Participation, Provider
from .permissions import providers_of


def providers_for_user(user) -> QuerySet[Provider]:
    return providers_of(user).prefetch_related("categories", "care_types").order_by("name")


@dataclass
class ProviderObligations:
    current: list[Obligation]
    upcoming: list[Obligation]
    participations: dict[int, Participation]  # registry id -> participation


def provider_obligations(*, provider: Provider, on: date) -> ProviderObligations:
    """Obligations in force on ``on`` and those that start later, with readiness records.

    Expects ``provider`` with categories and care types prefetched. A fixed number of queries.
    """
    categories = [c.code for c in provider.categories.all()]
    care_types = [c.code for c in provider.care_types.all()]
    current = obligations(category_codes=categories, care_type_codes=care_types, on=on)
    upcoming = upcoming_obligations(
        category_codes=categories, care_type_codes=care_types, on=on, current=current
    )
    participations = {p.registry_id: p for p in Participation.objects.filter(provider=provider)}
    return ProviderObligations(current=current, upcoming=upcoming, participations=participations)


def participation_records(*, provider: Provider) -> QuerySet[Participation]:
    """All readiness records of a provider with their registry, for registries listed by name."""
    return (
        Participation.objects.filter(provider=provider)
        .select_related("registry")
        .order_by("registry__acronym")
    )
