"""The provider area: obligations and readiness, only for the user's own provider(s)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from providers.constants import AgreementStatus, Coverage, DeliveryMethod
from providers.models import Participation
from providers.services import provider_staff_add
from register.models import AuditEntry
from tests.factories import (
    CareTypeFactory,
    DatasetVersionFactory,
    DecisionFactory,
    ProviderFactory,
    RegistryFactory,
    VariableFactory,
)

# The assertions name the English texts; the portal's default language is Dutch.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

DASHBOARD = reverse("provider:dashboard")
TODAY = timezone.localdate()

READINESS = {
    "agreement_status": AgreementStatus.SIGNED,
    "agreement_signed_on": "2026-04-01",
    "pseudonymisation_connected_on": "2026-05-15",
    "delivery_method": DeliveryMethod.BATCH,
    "coverage": Coverage.PARTIAL,
    "notes": "Batch via het EPD.",
}


def include(registry, *, variables, effective_from=datetime.date(2026, 3, 1), published=True):
    version = DatasetVersionFactory(registry=registry, submitted=True)
    for code, requirements in variables.items():
        VariableFactory(dataset_version=version, code=code, requirements=requirements)
    return DecisionFactory(
        dataset_version=version, effective_from=effective_from, published=published
    )


def edit_url(provider, registry):
    return reverse("provider:participation_edit", args=[provider.agb_code, registry.acronym])


@pytest.fixture
def included(registry):
    """The hip fracture registry in force today: two base and one plus variable for AZ."""
    include(
        registry,
        variables={
            "A": {"AZ": "base"},
            "B": {"AZ": "base", "UMC": "plus"},
            "C": {"AZ": "plus"},
            "D": {"UMC": "base"},
        },
        effective_from=TODAY - datetime.timedelta(days=30),
    )
    return registry


# --- access ------------------------------------------------------------------------------------


def test_anonymous_user_is_sent_to_sign_in(client):
    response = client.get(DASHBOARD)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_user_without_provider_role_is_forbidden(client, registry_user):
    client.force_login(registry_user)
    assert client.get(DASHBOARD).status_code == 403


def test_provider_role_without_provider_sees_explanation(client, provider_user, provider):
    provider_user.user_permissions.clear()
    provider.delete()  # the user keeps the role but acts for no provider any more
    client.force_login(provider_user)

    response = client.get(DASHBOARD)

    assert response.status_code == 200
    assert "does not act for a provider" in response.content.decode()


@pytest.mark.parametrize("url_name", ["provider_detail", "obligation_detail", "participation_edit"])
def test_provider_cannot_open_other_providers_pages(
    client, provider_user, other_provider, included, url_name
):
    client.force_login(provider_user)
    args = [other_provider.agb_code] + ([] if url_name == "provider_detail" else ["dhfa"])
    assert client.get(reverse(f"provider:{url_name}", args=args)).status_code == 404


def test_provider_cannot_edit_other_providers_participation(
    client, provider_user, other_provider, registry
):
    client.force_login(provider_user)

    response = client.post(edit_url(other_provider, registry), READINESS)

    assert response.status_code == 404
    assert not Participation.objects.exists()
    assert not AuditEntry.objects.filter(action="participation.save").exists()


# --- the dashboard -----------------------------------------------------------------------------


def test_dashboard_shows_own_provider_with_obligations_in_force_and_counts(
    client, provider_user, provider, other_provider, included
):
    client.force_login(provider_user)

    response = client.get(DASHBOARD)

    assert response.status_code == 200
    assert response.context["provider"] == provider
    [(obligation, record)] = response.context["current"]
    assert obligation.registry == included
    assert (obligation.base_count, obligation.plus_count) == (2, 1)
    assert record is None
    body = response.content.decode()
    assert "Ziekenhuis Rivierenland" in body
    assert "Algemeen ziekenhuis (AZ)" in body
    assert "Heupfractuurzorg" in body
    assert other_provider.name not in body
    assert edit_url(provider, included) in body


def test_dashboard_separates_upcoming_obligations(client, provider_user, registry, other_registry):
    include(registry, variables={"A": {"AZ": "base"}}, effective_from=TODAY)
    later = TODAY + datetime.timedelta(days=60)
    include(other_registry, variables={"A": {"AZ": "plus"}}, effective_from=later)
    client.force_login(provider_user)

    response = client.get(DASHBOARD)

    assert [o.registry for o, _ in response.context["current"]] == [registry]
    assert [o.registry for o, _ in response.context["upcoming"]] == [other_registry]


def test_dashboard_omits_registries_for_care_not_delivered(client, provider_user):
    heart = RegistryFactory(acronym="heart", care_types=[CareTypeFactory(code="heart")])
    include(heart, variables={"A": {"AZ": "base"}})
    client.force_login(provider_user)

    response = client.get(DASHBOARD)

    assert response.context["current"] == []
    assert response.context["upcoming"] == []


def test_dashboard_shows_readiness_record(client, provider_user, provider, included):
    Participation.objects.create(
        provider=provider,
        registry=included,
        agreement_status=AgreementStatus.SIGNED,
        delivery_method=DeliveryMethod.FHIR,
        coverage=Coverage.FULL,
    )
    client.force_login(provider_user)

    response = client.get(DASHBOARD)

    [(_, record)] = response.context["current"]
    assert record.delivery_method == DeliveryMethod.FHIR
    assert "full dataset" in response.content.decode()


def test_user_of_several_providers_chooses_one(
    client, provider_user, provider, other_provider, included
):
    provider_staff_add(provider=other_provider, user=provider_user)
    client.force_login(provider_user)

    dashboard = client.get(DASHBOARD)
    detail = client.get(reverse("provider:provider_detail", args=[other_provider.agb_code]))

    assert dashboard.context["providers"] == [other_provider, provider]  # by name
    assert (
        reverse("provider:provider_detail", args=[provider.agb_code]) in dashboard.content.decode()
    )
    assert detail.status_code == 200
    assert detail.context["provider"] == other_provider
    # other_provider is an STZ: the AZ variables are not asked of it.
    assert detail.context["current"] == []


# --- the variables of one obligation -----------------------------------------------------------


def test_obligation_detail_lists_variables_with_set_per_provider_category(
    client, provider_user, provider, included
):
    provider.categories.add(*list(provider.categories.model.objects.filter(code="UMC")))
    client.force_login(provider_user)

    response = client.get(reverse("provider:obligation_detail", args=[provider.agb_code, "dhfa"]))

    assert [c.code for c in response.context["categories"]] == ["UMC", "AZ"]
    cells = {variable.code: row for variable, row in response.context["rows"]}
    assert cells == {
        "A": ["", "base"],
        "B": ["plus", "base"],
        "C": ["", "plus"],
        "D": ["base", ""],
    }
    assert '<td class="cell cell-plus">plus</td>' in response.content.decode()


def test_obligation_detail_for_registry_without_obligation_is_404(
    client, provider_user, provider, other_registry
):
    include(other_registry, variables={"A": {"UMC": "base"}})
    client.force_login(provider_user)

    url = reverse("provider:obligation_detail", args=[provider.agb_code, "other"])
    assert client.get(url).status_code == 404


# --- editing readiness -------------------------------------------------------------------------


def test_participation_save_writes_record_and_audit(client, provider_user, provider, included):
    client.force_login(provider_user)

    response = client.post(edit_url(provider, included), READINESS)

    assert response.status_code == 302
    record = Participation.objects.get(provider=provider, registry=included)
    assert record.agreement_status == AgreementStatus.SIGNED
    assert record.agreement_signed_on == datetime.date(2026, 4, 1)
    assert record.pseudonymisation_connected_on == datetime.date(2026, 5, 15)
    assert record.coverage == Coverage.PARTIAL
    entry = AuditEntry.objects.get(action="participation.save")
    assert entry.actor == provider_user
    assert entry.registry == included
    assert entry.changes["delivery_method"] == ["unknown", "batch"]


def test_participation_edit_updates_existing_record(client, provider_user, provider, included):
    Participation.objects.create(provider=provider, registry=included, notes="oud")
    client.force_login(provider_user)

    form = client.get(edit_url(provider, included))
    client.post(edit_url(provider, included), {**READINESS, "notes": "nieuw"})

    assert "oud</textarea>" in form.content.decode()
    assert Participation.objects.get().notes == "nieuw"
    assert AuditEntry.objects.get(action="participation.save").changes["notes"] == ["oud", "nieuw"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"agreement_signed_on": "1 april"}, "agreement_signed_on"),
        ({"delivery_method": "pigeon"}, "delivery_method"),
        ({"coverage": ""}, "coverage"),
    ],
)
def test_participation_bad_input_gives_field_error_and_writes_nothing(
    client, provider_user, provider, included, changes, field
):
    client.force_login(provider_user)

    response = client.post(edit_url(provider, included), {**READINESS, **changes})

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Participation.objects.exists()
    assert not AuditEntry.objects.filter(action="participation.save").exists()


def test_participation_for_unknown_registry_is_404(client, provider_user, provider):
    client.force_login(provider_user)
    url = reverse("provider:participation_edit", args=[provider.agb_code, "nope"])
    assert client.post(url, READINESS).status_code == 404
    assert not Participation.objects.exists()


# --- a constant number of queries --------------------------------------------------------------


@pytest.mark.parametrize("size", [3, 15])
def test_dashboard_queries_do_not_grow_with_data(
    client, provider_user, provider, care_type, size, django_assert_max_num_queries
):
    for n in range(size):
        registry = RegistryFactory(acronym=f"q{n:02d}", care_types=[care_type])
        include(registry, variables={f"V{m:02d}": {"AZ": "base"} for m in range(size)})
        later = RegistryFactory(acronym=f"later{n:02d}", care_types=[care_type])
        include(
            later,
            variables={f"V{m:02d}": {"AZ": "plus"} for m in range(size)},
            effective_from=TODAY + datetime.timedelta(days=30),
        )
        Participation.objects.create(provider=provider, registry=registry)
        Participation.objects.create(provider=provider, registry=RegistryFactory())
    client.force_login(provider_user)

    with django_assert_max_num_queries(15):
        response = client.get(DASHBOARD)

    assert len(response.context["current"]) == size
    assert len(response.context["upcoming"]) == size
    assert len(response.context["other_records"]) == size


@pytest.mark.parametrize("size", [2, 12])
def test_several_providers_dashboard_queries_do_not_grow(
    client, provider_user, care_type, size, django_assert_max_num_queries
):
    for _ in range(size - 1):
        provider = ProviderFactory(categories=["AZ", "UMC"], care_types=[care_type])
        provider_staff_add(provider=provider, user=provider_user)
    client.force_login(provider_user)

    with django_assert_max_num_queries(7):
        response = client.get(DASHBOARD)

    assert len(response.context["providers"]) == size
