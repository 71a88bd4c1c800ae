"""Zorginstituut's area (/decisions/): applications, decisions, publication and the letter."""

import datetime

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from register.constants import DecisionOutcome, SubmissionStage, SubmissionStatus
from register.models import AuditEntry, Decision, Submission
from register.services import (
    dataset_version_create,
    dataset_version_submit,
    decision_publish,
    decision_record,
    submission_apply,
    variable_save,
)
from reviews.constants import AdviceOutcome
from tests.factories import DecisionFactory, VariableFactory, advise, clean_dossier

# The assertions name the English texts; the portal's default language is Dutch.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

PDF = b"%PDF-1.4\n% test\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _submitted(registry, registry_user):
    version = dataset_version_create(registry=registry, actor=registry_user)
    variable_save(
        dataset_version=version,
        actor=registry_user,
        data={"code": "A", "name": "Leeftijd"},
        requirements={"AZ": "base"},
    )
    clean_dossier(version, SubmissionStage.SUPPLEMENTARY)
    return dataset_version_submit(
        dataset_version=version, actor=registry_user, stage=SubmissionStage.SUPPLEMENTARY
    )


def _applied(registry, registry_user, igc_user, dgc_user, capture, dgc=AdviceOutcome.POSITIVE):
    submission = _submitted(registry, registry_user)
    reviews = {r.committee.code: r for r in submission.reviews.all()}
    with capture(execute=True):
        advise(
            reviews["IGC"],
            AdviceOutcome.POSITIVE,
            actor=igc_user,
            motivation="IGC: inhoud goed.",
        )
        advise(
            reviews["DGC"],
            dgc,
            actor=dgc_user,
            motivation="DGC: privacy beoordeeld.",
        )
    submission_apply(
        submission=submission,
        actor=registry_user,
        application_form=SimpleUploadedFile("aanvraag.pdf", PDF),
    )
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.APPLIED
    return submission


@pytest.fixture
def applied(registry, registry_user, igc_user, dgc_user, django_capture_on_commit_callbacks):
    return _applied(registry, registry_user, igc_user, dgc_user, django_capture_on_commit_callbacks)


@pytest.fixture
def zin_client(client, zin_user):
    client.force_login(zin_user)
    return client


def detail_url(submission):
    return reverse("decisions:submission_detail", kwargs={"pk": submission.pk})


DECISION = {
    "outcome": "include",
    "reasoning": "Voldoet aan de criteria van de Wkz.",
    "effective_from": "2026-12-01",
}


# --- Access ----------------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("decisions:application_list"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


@pytest.mark.parametrize(
    "fixture", ["registry_user", "igc_user", "secretariat_user", "provider_user"]
)
def test_other_roles_get_403_and_write_nothing(client, request, fixture, applied):
    client.force_login(request.getfixturevalue(fixture))
    assert client.get(reverse("decisions:application_list")).status_code == 403
    assert client.get(detail_url(applied)).status_code == 403
    assert client.post(detail_url(applied), DECISION).status_code == 403
    assert not Decision.objects.exists()


def test_list_shows_waiting_applications_and_recent_decisions(zin_client, applied, registry):
    DecisionFactory(registry=registry, dataset_version=applied.dataset_version, published=True)
    response = zin_client.get(reverse("decisions:application_list"))
    assert response.status_code == 200
    assert list(response.context["applications"]) == [applied]
    assert response.context["applications"][0].variable_count == 1
    assert len(response.context["decisions"]) == 1


# --- The application and the decision -------------------------------------------------------


def test_detail_shows_advice_documents_and_table(zin_client, applied):
    response = zin_client.get(detail_url(applied))
    assert response.status_code == 200
    content = response.content.decode()
    assert "IGC: inhoud goed." in content and "DGC: privacy beoordeeld." in content
    document = applied.documents.get()
    assert reverse("dossiers:document_download", kwargs={"pk": document.pk}) in content
    assert [row.variable.code for row in response.context["table"].rows] == ["A"]
    download = zin_client.get(reverse("dossiers:document_download", kwargs={"pk": document.pk}))
    assert download.status_code == 200


def test_record_decision(zin_client, applied, zin_user):
    response = zin_client.post(detail_url(applied), DECISION)
    assert response.status_code == 302
    decision = Decision.objects.get()
    assert decision.outcome == DecisionOutcome.INCLUDE and decision.decided_by == zin_user
    assert decision.effective_from == datetime.date(2026, 12, 1) and decision.published_at is None
    applied.refresh_from_db()
    assert applied.status == SubmissionStatus.DECIDED


def test_include_without_positive_advice_is_an_error_on_outcome(
    client,
    zin_user,
    registry,
    registry_user,
    igc_user,
    dgc_user,
    django_capture_on_commit_callbacks,
):
    submission = _applied(
        registry,
        registry_user,
        igc_user,
        dgc_user,
        django_capture_on_commit_callbacks,
        dgc=AdviceOutcome.NEGATIVE,
    )
    client.force_login(zin_user)
    audit_before = AuditEntry.objects.count()
    response = client.post(detail_url(submission), DECISION)
    assert response.status_code == 400
    form = response.context["form"]
    assert "positive advice from both IGC and DGC" in form.errors["outcome"][0]
    assert b'href="#id_outcome_0"' in response.content
    assert not Decision.objects.exists()
    assert AuditEntry.objects.count() == audit_before
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.APPLIED


def test_missing_fields_are_named(zin_client, applied):
    response = zin_client.post(
        detail_url(applied), {"outcome": "", "reasoning": "", "effective_from": "morgen"}
    )
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"outcome", "reasoning", "effective_from"}
    assert not Decision.objects.exists()


def test_withdraw_is_not_an_outcome_of_this_form(zin_client, applied):
    response = zin_client.post(detail_url(applied), {**DECISION, "outcome": "withdraw"})
    assert response.status_code == 400 and "outcome" in response.context["form"].errors
    assert not Decision.objects.exists()


def test_statutory_registry_needs_no_advice(zin_client, registry, registry_user):
    registry.statutory = True
    registry.save()
    submission = _submitted(registry, registry_user)
    page = zin_client.get(detail_url(submission))
    assert b"Statutory registry, no review" in page.content
    assert zin_client.post(detail_url(submission), DECISION).status_code == 302
    assert Decision.objects.get().outcome == DecisionOutcome.INCLUDE


def test_deciding_twice_is_refused(zin_client, applied):
    zin_client.post(detail_url(applied), DECISION)
    response = zin_client.post(detail_url(applied), {**DECISION, "outcome": "refuse"})
    assert response.status_code == 409
    assert Decision.objects.get().outcome == DecisionOutcome.INCLUDE


def test_not_yet_applied_submission_has_no_form(zin_client, registry, registry_user):
    submission = _submitted(registry, registry_user)
    response = zin_client.get(detail_url(submission))
    assert response.status_code == 200 and response.context["form"] is None
    assert zin_client.post(detail_url(submission), DECISION).status_code == 409
    assert not Decision.objects.exists()


# --- Publication and the letter --------------------------------------------------------------


def test_publish_renders_and_mails_the_letter(
    zin_client, applied, zin_user, registry_user, django_capture_on_commit_callbacks, client
):
    decision = decision_record(
        submission=applied,
        actor=zin_user,
        outcome="include",
        reasoning="Voldoet.",
        effective_from=datetime.date(2026, 12, 1),
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = zin_client.post(
            reverse("decisions:decision_publish", kwargs={"pk": decision.pk})
        )
    assert response.status_code == 302 and len(callbacks) == 1
    decision.refresh_from_db()
    assert decision.published_at is not None and decision.letter_sent_at is not None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [applied.registry.holder.contact_email]
    assert mail.outbox[0].attachments[0][1].startswith(b"%PDF-")

    page = zin_client.get(response["Location"], follow=True)
    letter_url = reverse("decisions:decision_letter", kwargs={"pk": decision.pk})
    assert letter_url.encode() in page.content and b"published" in page.content
    letter = zin_client.get(letter_url)
    assert letter.status_code == 200 and b"".join(letter.streaming_content).startswith(b"%PDF-")

    # Publishing again changes nothing and sends nothing.
    with django_capture_on_commit_callbacks(execute=True):
        again = zin_client.post(
            reverse("decisions:decision_publish", kwargs={"pk": decision.pk}), follow=True
        )
    assert b"already been published" in again.content
    assert len(mail.outbox) == 1


@pytest.fixture
def published(applied, zin_user, django_capture_on_commit_callbacks):
    decision = decision_record(
        submission=applied,
        actor=zin_user,
        outcome="include",
        reasoning="Voldoet.",
        effective_from=datetime.date(2026, 12, 1),
    )
    with django_capture_on_commit_callbacks(execute=True):
        decision_publish(decision=decision, actor=zin_user)
    decision.refresh_from_db()
    return decision


def test_registry_staff_download_their_letter_others_do_not(
    client, published, registry_user, other_registry_user, igc_user, secretariat_user
):
    url = reverse("decisions:decision_letter", kwargs={"pk": published.pk})
    client.force_login(registry_user)
    assert client.get(url).status_code == 200
    dossier = client.get(
        reverse("dossiers:registry_detail", kwargs={"acronym": published.registry.acronym})
    )
    assert url.encode() in dossier.content
    for user in (other_registry_user, igc_user, secretariat_user):
        client.force_login(user)
        assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_publish_by_other_role_is_refused(client, registry_user, applied, zin_user):
    decision = decision_record(
        submission=applied,
        actor=zin_user,
        outcome="refuse",
        reasoning="Nee.",
        effective_from=datetime.date(2026, 12, 1),
    )
    client.force_login(registry_user)
    assert (
        client.post(reverse("decisions:decision_publish", kwargs={"pk": decision.pk})).status_code
        == 403
    )
    decision.refresh_from_db()
    assert decision.published_at is None and mail.outbox == []


def test_decision_without_submission_has_its_own_page(zin_client, registry):
    decision = DecisionFactory(registry__acronym="ltr")
    response = zin_client.get(reverse("decisions:decision_detail", kwargs={"pk": decision.pk}))
    assert response.status_code == 200 and b"Publish the decision" in response.content


def test_detail_queries_do_not_grow_with_the_table(
    zin_client, applied, django_assert_max_num_queries
):
    VariableFactory.create_batch(
        60, dataset_version=applied.dataset_version, requirements={"AZ": "base"}
    )
    with django_assert_max_num_queries(16):
        response = zin_client.get(detail_url(applied))
    assert response.status_code == 200
    assert Submission.objects.count() == 1
