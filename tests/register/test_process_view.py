"""The public overview of the process (/register/process/) and the registry's consent to
publish its advice (DOMAIN.md: publication of the advice only with the registry's consent)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from register.constants import DecisionOutcome, SubmissionStage, SubmissionStatus
from register.exceptions import PermissionDenied
from register.models import AuditEntry, Registry
from register.services import registry_set_advice_consent
from reviews.constants import AdviceOutcome, ReviewStatus
from reviews.models import Committee, Review
from tests.factories import (
    DatasetVersionFactory,
    DecisionFactory,
    RegistryFactory,
    SubmissionFactory,
)
from tests.reviews.test_pipeline import give_advice, in_process, review_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

PROCESS = reverse("public:process")


def consent_url(registry):
    return reverse("dossiers:advice_consent", kwargs={"acronym": registry.acronym})


def advised(acronym, *, consent, definitive=True, outcomes=None):
    outcomes = outcomes or {"IGC": AdviceOutcome.POSITIVE, "DGC": AdviceOutcome.NEGATIVE}
    registry, submission = in_process(
        acronym,
        status=SubmissionStatus.ADVISED,
        publish_advice_consent=consent,
        reviews={code: {"status": ReviewStatus.ADVISED} for code in outcomes},
    )
    for code, outcome in outcomes.items():
        give_advice(review_of(registry, code), outcome, definitive=definitive)
    return registry, submission


def rows(client, **query):
    response = client.get(PROCESS, query)
    assert response.status_code == 200
    return {row.registry.acronym: row for row in response.context["rows"]}, response


def test_every_registry_in_the_process_with_its_stage_in_plain_words(client):
    in_process("first", stage=SubmissionStage.FIRST, reviews={"IGC": {}, "DGC": {}})
    in_process("suppl", reviews={"IGC": {}, "DGC": {}})
    in_process("applied", status=SubmissionStatus.APPLIED)
    RegistryFactory(acronym="law", statutory=True)
    DatasetVersionFactory(registry=RegistryFactory(acronym="draft-only"))

    found, response = rows(client)
    assert set(found) == {"first", "suppl", "applied", "law"}
    page = response.content.decode()
    assert "In the first review by the committees (IGC and DGC)" in page
    assert "In the supplementary review by the committees (IGC and DGC)" in page
    assert "Application filed with Zorginstituut, waiting for its decision" in page
    assert "Included by law (article III Wkz)" in page
    assert "<script" not in page.split('<main id="main"')[1]  # works without JS


def test_a_decision_shows_only_once_published(client):
    _r, unpublished = in_process("quiet", status=SubmissionStatus.DECIDED)
    DecisionFactory(
        registry=unpublished.registry,
        dataset_version=unpublished.dataset_version,
        submission=unpublished,
        outcome=DecisionOutcome.REFUSE,
    )
    _r, published = in_process("open", status=SubmissionStatus.DECIDED)
    DecisionFactory(
        registry=published.registry,
        dataset_version=published.dataset_version,
        submission=published,
        outcome=DecisionOutcome.INCLUDE,
        published=True,
    )
    found, response = rows(client)
    assert found["quiet"].stage == "application"
    assert "not included" not in response.content.decode()
    assert found["open"].stage_text == "Zorginstituut decided: included in the register"
    assert reverse("public:registry_detail", args=["open"]) in response.content.decode()


def test_advice_is_shown_only_when_definitive_and_consented(client):
    advised("both", consent=True)
    advised("no-consent", consent=False)
    advised("draft", consent=True, definitive=False)

    found, response = rows(client)
    assert [(a.committee, a.outcome_label) for a in found["both"].advice] == [
        ("IGC", "positive"),
        ("DGC", "negative"),
    ]
    assert found["no-consent"].advice == []
    assert found["draft"].advice == []
    page = response.content.decode()
    assert page.count(">positive</span>") == 1 and page.count(">negative</span>") == 1
    assert "advice given; the registry can file its application" in page


def test_after_the_first_review_the_supplementary_review_follows(client):
    in_process(
        "prelim",
        stage=SubmissionStage.FIRST,
        status=SubmissionStatus.ADVISED,
        reviews={"IGC": {"status": ReviewStatus.ADVISED}},
    )
    found, _response = rows(client)
    assert found["prelim"].stage_text == (
        "In the first review by the committees (IGC and DGC): preliminary advice given; "
        "the supplementary review follows"
    )


def test_search_and_stage_filter(client):
    in_process("dhfa-x", name="Dutch Hip Fracture Audit", reviews={"IGC": {}})
    in_process("nhr", name="Nederlandse Hart Registratie", status=SubmissionStatus.APPLIED)
    assert set(rows(client, q="hip")[0]) == {"dhfa-x"}
    assert set(rows(client, stage="application")[0]) == {"nhr"}
    response = client.get(PROCESS, {"stage": "nonsense", "q": "hart"})
    assert response.status_code == 200
    assert "error-summary" in response.content.decode()
    assert [row.registry.acronym for row in response.context["rows"]] == ["nhr"]


def test_the_overview_is_paginated_with_constant_queries(client):
    def populate(start, end):
        for k in range(start, end):
            advised(f"r{k:03d}", consent=k % 2 == 0)

    populate(0, 3)
    with CaptureQueriesContext(connection) as small:
        assert client.get(PROCESS).status_code == 200
    populate(3, 30)
    with CaptureQueriesContext(connection) as large:
        response = client.get(PROCESS)
    assert len(response.context["rows"]) == 25
    assert len(small) == len(large)
    assert client.get(PROCESS, {"page": "2"}).context["rows"][0].registry.acronym == "r025"


# --- Consent --------------------------------------------------------------------------------


def test_registry_staff_give_and_withdraw_consent_audited(client, registry, registry_user):
    # The staff's own registry, advised: the IGC's advice is definitive.
    own = SubmissionFactory(
        dataset_version=DatasetVersionFactory(registry=registry, submitted=True),
        status=SubmissionStatus.ADVISED,
    )
    review = Review.objects.create(
        submission=own, committee=Committee.objects.get(code="IGC"), status=ReviewStatus.ADVISED
    )
    give_advice(review, AdviceOutcome.POSITIVE_WITH_CONDITIONS)

    client.force_login(registry_user)
    detail = client.get(reverse("dossiers:registry_detail", args=[registry.acronym]))
    assert f'action="{consent_url(registry)}"' in detail.content.decode()
    assert rows(client)[0][registry.acronym].advice == []

    response = client.post(consent_url(registry), {"consent": "1"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"/dossiers/{registry.acronym}/#advice-consent")
    registry.refresh_from_db()
    assert registry.publish_advice_consent is True
    entry = AuditEntry.objects.get(action="registry.advice_consent")
    assert entry.actor == registry_user and entry.registry == registry
    assert entry.changes == {"publish_advice_consent": [False, True]}
    advice = rows(client)[0][registry.acronym].advice
    assert [(a.committee, a.outcome_label) for a in advice] == [("IGC", "positive with conditions")]
    # The dossier's audit trail names the change in words.
    page = client.get(reverse("dossiers:registry_detail", args=[registry.acronym])).content
    assert "consent to publish the advice changed" in page.decode()

    # The same answer again writes nothing; withdrawing hides the advice again.
    client.post(consent_url(registry), {"consent": "1"})
    assert AuditEntry.objects.filter(action="registry.advice_consent").count() == 1
    client.post(consent_url(registry), {"consent": "0"})
    registry.refresh_from_db()
    assert registry.publish_advice_consent is False
    assert AuditEntry.objects.filter(action="registry.advice_consent").count() == 2
    assert rows(client)[0][registry.acronym].advice == []


def test_consent_of_another_registry_is_404_and_writes_nothing(
    client, registry, other_registry_user
):
    client.force_login(other_registry_user)
    response = client.post(consent_url(registry), {"consent": "1"})
    assert response.status_code == 404
    registry.refresh_from_db()
    assert registry.publish_advice_consent is False
    assert not AuditEntry.objects.filter(action="registry.advice_consent").exists()


@pytest.mark.parametrize("role", ["igc_user", "secretariat_user", "zin_user"])
def test_consent_is_for_registry_staff_only(client, registry, role, request):
    client.force_login(request.getfixturevalue(role))
    assert client.post(consent_url(registry), {"consent": "1"}).status_code == 403
    assert client.get(consent_url(registry)).status_code == 405
    registry.refresh_from_db()
    assert registry.publish_advice_consent is False


def test_the_service_refuses_anyone_but_the_registry_staff(registry, secretariat_user):
    with pytest.raises(PermissionDenied):
        registry_set_advice_consent(registry=registry, actor=secretariat_user, consent=True)
    assert Registry.objects.get(pk=registry.pk).publish_advice_consent is False


def test_anonymous_is_sent_to_login_for_consent(client, registry):
    response = client.post(consent_url(registry), {"consent": "1"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not AuditEntry.objects.filter(action="registry.advice_consent").exists()


def test_no_registry_can_take_the_acronym_of_the_process_page(care_type):
    from django.core.exceptions import ValidationError

    from tests.factories import RegistryFactory

    registry = RegistryFactory.build(acronym="process", holder=RegistryFactory().holder)
    with pytest.raises(ValidationError) as error:
        registry.full_clean()
    assert "acronym" in error.value.message_dict
