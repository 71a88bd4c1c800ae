import datetime

import pytest

from register.constants import DecisionOutcome
from tests.factories import CareTypeFactory, DecisionFactory, RegistryFactory

from .conftest import publish

pytestmark = pytest.mark.django_db

LIST = "/api/v1/registries/"


def acronyms(response):
    assert response.status_code == 200, response.content
    return [r["acronym"] for r in response.json()["results"]]


def test_public_list_shows_only_included_registries(api, registry, other_registry):
    publish(registry)
    publish(other_registry, outcome=DecisionOutcome.REFUSE)
    RegistryFactory(acronym="draft")  # no decision at all
    unpublished = RegistryFactory(acronym="secret")
    DecisionFactory(registry=unpublished, dataset_version__registry=unpublished)  # not published

    assert acronyms(api.get(LIST)) == ["dhfa"]


def test_list_follows_the_latest_published_decision(api, registry):
    publish(registry)
    publish(registry, outcome=DecisionOutcome.WITHDRAW)

    assert acronyms(api.get(LIST)) == []


def test_list_needs_no_login_and_is_paginated(api, included_registry):
    body = api.get(LIST).json()

    assert body["count"] == 1
    assert {"next", "previous", "results"} <= set(body)
    item = body["results"][0]
    assert item["holder"] == included_registry.holder.name
    assert item["included"] is True
    assert item["care_types"] == [{"code": "hip-fracture", "name": "Heupfractuurzorg"}]
    assert item["current_decision"]["outcome"] == "include"
    assert item["url"].endswith("/api/v1/registries/dhfa/")


def test_list_filters_by_search_care_type_and_provider_category(api, included_registry):
    trauma = CareTypeFactory(code="trauma", name="Traumazorg")
    ltr = RegistryFactory(acronym="ltr", name="Landelijke Traumaregistratie", care_types=[trauma])
    publish(ltr, variables=[("ISS", {"UMC": "base"})])

    assert acronyms(api.get(LIST, {"q": "trauma"})) == ["ltr"]
    assert acronyms(api.get(LIST, {"q": "HIP"})) == ["dhfa"]
    assert acronyms(api.get(LIST, {"care_type": "trauma"})) == ["ltr"]
    assert acronyms(api.get(LIST, {"provider_category": "AZ"})) == ["dhfa"]
    assert acronyms(api.get(LIST, {"provider_category": "UMC"})) == ["dhfa", "ltr"]
    assert acronyms(api.get(LIST, {"provider_category": "GGZ"})) == []


@pytest.mark.parametrize("param", ["care_type", "provider_category"])
def test_list_rejects_unknown_filter_codes_naming_the_parameter(api, param):
    response = api.get(LIST, {param: "nope"})

    assert response.status_code == 400
    assert list(response.json()) == [param]


def test_detail_404_for_unknown_acronym(api):
    assert api.get("/api/v1/registries/nope/").status_code == 404


def test_detail_404_without_any_published_decision(api, registry):
    DecisionFactory(registry=registry, dataset_version__registry=registry)  # decided, unpublished

    assert api.get("/api/v1/registries/dhfa/").status_code == 404


def test_detail_shows_published_fields_and_decision_history(api, registry):
    first = publish(registry, effective_from=datetime.date(2026, 3, 1))
    DecisionFactory(registry=registry, dataset_version__registry=registry)  # unpublished: hidden
    current = publish(registry, effective_from=datetime.date(2027, 1, 1))

    body = api.get("/api/v1/registries/dhfa/").json()

    assert body["acronym"] == "dhfa"
    assert body["name"] == "Dutch Hip Fracture Audit"
    assert body["holder"] == registry.holder.name
    assert body["data_processor"] == registry.data_processor
    assert body["population"] == registry.population
    assert body["care_types"] == [{"code": "hip-fracture", "name": "Heupfractuurzorg"}]
    assert {"website", "statutory", "bsn_allowed"} <= set(body)
    assert body["current_decision"] == {
        "id": current.pk,
        "outcome": "include",
        "decided_at": body["current_decision"]["decided_at"],
        "effective_from": "2027-01-01",
        "published_at": body["current_decision"]["published_at"],
        "dataset_version": current.dataset_version.number,
        "reasoning": current.reasoning,
    }
    assert [d["id"] for d in body["decisions"]] == [current.pk, first.pk]
    # Internal fields never leave the building.
    assert not {"publish_advice_consent", "contact_email", "decided_by", "letter"} & set(body)
    assert "decided_by" not in body["current_decision"]


def test_detail_of_a_refused_registry_is_public_but_not_included(api, registry):
    publish(registry, outcome=DecisionOutcome.REFUSE)

    body = api.get("/api/v1/registries/dhfa/").json()

    assert body["included"] is False
    assert body["current_decision"]["outcome"] == "refuse"


def _advised(registry, registry_user):
    """A first review of the registry with a definitive, unanimous positive advice of both."""
    from django.utils import timezone

    from register.constants import SubmissionStage
    from register.services import dataset_version_create, dataset_version_submit, variable_save
    from reviews import advice as flow
    from tests.factories import clean_dossier, committee_chair, criteria_all_met

    version = dataset_version_create(registry=registry, actor=registry_user, copy_previous=False)
    variable_save(
        dataset_version=version,
        actor=registry_user,
        data={"code": "GEBJAAR", "name": "Geboortejaar", "necessity": "Casemix."},
        requirements={"AZ": "base"},
    )
    clean_dossier(version, SubmissionStage.FIRST)
    submission = dataset_version_submit(
        dataset_version=version, actor=registry_user, stage=SubmissionStage.FIRST
    )
    today = timezone.localdate()
    advice = []
    for review in submission.reviews.order_by("committee__code"):
        chair = committee_chair(review.committee)
        criteria_all_met(review, chair)
        draft = flow.advice_draft(
            review=review,
            actor=chair,
            outcome="positive",
            motivation="Goed onderbouwd.",
            reaction_deadline=today,
        )
        for member in flow.participants(review):
            flow.position_record(advice=draft, actor=member.user, position="agree")
        tomorrow = today + datetime.timedelta(days=1)
        advice.append(flow.advice_conclude(advice=draft, actor=chair, today=tomorrow))
    return advice


def test_detail_publishes_the_advice_only_with_the_registrys_consent(api, registry, registry_user):
    dgc, igc = _advised(registry, registry_user)
    publish(registry)

    body = api.get("/api/v1/registries/dhfa/").json()["advice"]
    # Without consent: no outcomes, but an included registry's re-assessment date is public.
    assert body["consented"] is False
    assert body["committees"] == [] and body["unanimously_positive"] is False
    assert body["reassessment_due"] == min(dgc.valid_until, igc.valid_until).isoformat()

    registry.publish_advice_consent = True
    registry.save(update_fields=["publish_advice_consent"])
    body = api.get("/api/v1/registries/dhfa/").json()["advice"]
    assert body["consented"] is True
    assert [(c["committee"], c["outcome"], c["unanimous"]) for c in body["committees"]] == [
        ("IGC", "positive", True),
        ("DGC", "positive", True),
    ]
    assert body["unanimously_positive"] is True
