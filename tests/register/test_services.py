import datetime

import pytest
from django.core import mail
from django.utils import timezone

from register.constants import DatasetStatus, DecisionOutcome, SubmissionStage, SubmissionStatus
from register.exceptions import DatasetLocked, DomainError, PermissionDenied, PseudonymNotAllowed
from register.models import AuditEntry, Decision, Submission
from register.services import (
    dataset_version_create,
    dataset_version_submit,
    decision_publish,
    decision_record,
    pseudonym_request_add,
    submission_apply,
    variable_save,
)
from reviews.advice import advice_draft
from reviews.constants import AdviceOutcome, ReviewStatus
from tests.factories import advise, clean_dossier

pytestmark = pytest.mark.django_db

VARIABLE = {
    "code": "LEEFTIJD",
    "name": "Leeftijd bij opname",
    "purposes": ["learn_improve", "case_mix"],
    "personal_data": "quasi",
    "necessity": "Nodig voor casemixcorrectie.",
}


@pytest.fixture
def draft(registry, registry_user):
    version = dataset_version_create(registry=registry, actor=registry_user)
    variable_save(
        dataset_version=version,
        actor=registry_user,
        data=VARIABLE,
        requirements={"AZ": "base", "UMC": "plus"},
    )
    return version


def test_variable_save_writes_requirements_and_audit(draft, registry_user):
    variable = draft.variables.get()
    assert dict(variable.requirements.values_list("provider_category__code", "set")) == {
        "AZ": "base",
        "UMC": "plus",
    }
    variable_save(
        dataset_version=draft,
        actor=registry_user,
        variable=variable,
        data={"name": "Leeftijd"},
        requirements={"AZ": "plus"},
    )
    entry = AuditEntry.objects.filter(action="variable.update").get()
    assert entry.actor == registry_user
    assert entry.changes["name"] == ["Leeftijd bij opname", "Leeftijd"]
    assert entry.changes["requirements"] == [{"AZ": "base", "UMC": "plus"}, {"AZ": "plus"}]


def test_unknown_category_is_refused_and_nothing_written(draft, registry_user):
    with pytest.raises(DomainError) as error:
        variable_save(
            dataset_version=draft,
            actor=registry_user,
            data={**VARIABLE, "code": "NIEUW"},
            requirements={"XYZ": "base"},
        )
    assert error.value.field == "requirements"
    assert not draft.variables.filter(code="NIEUW").exists()


def test_other_registry_staff_cannot_edit(draft, other_registry_user):
    with pytest.raises(PermissionDenied):
        variable_save(
            dataset_version=draft,
            actor=other_registry_user,
            data={**VARIABLE, "code": "X"},
            requirements={},
        )
    assert draft.variables.count() == 1


def test_pseudonym_b_only_with_bsn_allowed(draft, registry_user, registry):
    with pytest.raises(PseudonymNotAllowed):
        pseudonym_request_add(
            dataset_version=draft, actor=registry_user, type="B", justification="Koppeling"
        )
    registry.bsn_allowed = True
    registry.save()
    request = pseudonym_request_add(
        dataset_version=draft, actor=registry_user, type="B", justification="Koppeling"
    )
    assert request.type == "B"


def test_submitted_version_is_locked_and_new_version_copies_it(draft, registry_user, registry):
    clean_dossier(draft, SubmissionStage.FIRST)
    submission = dataset_version_submit(
        dataset_version=draft, actor=registry_user, stage=SubmissionStage.FIRST
    )
    assert submission.status == SubmissionStatus.IN_REVIEW
    assert {r.committee.code for r in submission.reviews.all()} == {"IGC", "DGC"}
    draft.refresh_from_db()
    assert draft.status == DatasetStatus.SUBMITTED
    with pytest.raises(DatasetLocked):
        variable_save(
            dataset_version=draft,
            actor=registry_user,
            variable=draft.variables.get(),
            data={"name": "x"},
            requirements={},
        )
    assert draft.variables.get().name == VARIABLE["name"]
    new = dataset_version_create(registry=registry, actor=registry_user)
    assert new.number == draft.number + 1 and new.based_on == draft
    copied = new.variables.get()
    assert copied.code == "LEEFTIJD" and copied.pk != draft.variables.get().pk
    assert dict(copied.requirements.values_list("provider_category__code", "set")) == {
        "AZ": "base",
        "UMC": "plus",
    }


def test_audit_trail_is_append_only(draft):
    entry = AuditEntry.objects.first()
    entry.action = "tampered"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.update(action="x")
    assert AuditEntry.objects.filter(action="tampered").count() == 0


def _advise(submission, igc_user, dgc_user, igc=AdviceOutcome.POSITIVE, dgc=AdviceOutcome.POSITIVE):
    reviews = {r.committee.code: r for r in submission.reviews.all()}
    advise(reviews["IGC"], igc, actor=igc_user, motivation="Goed onderbouwd.")
    advise(reviews["DGC"], dgc, actor=dgc_user, motivation="Privacy op orde.")


def test_full_lifecycle_sends_letter_once(
    draft,
    registry_user,
    igc_user,
    dgc_user,
    zin_user,
    django_capture_on_commit_callbacks,
    tmp_path,
    settings,
):
    settings.MEDIA_ROOT = tmp_path
    clean_dossier(draft, SubmissionStage.SUPPLEMENTARY)
    submission = dataset_version_submit(
        dataset_version=draft, actor=registry_user, stage=SubmissionStage.SUPPLEMENTARY
    )
    with django_capture_on_commit_callbacks(execute=True):
        _advise(submission, igc_user, dgc_user)
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.ADVISED
    assert all(r.advice.document.name.endswith(".pdf") for r in submission.reviews.all())
    from django.core.files.uploadedfile import SimpleUploadedFile

    form = SimpleUploadedFile("aanvraag.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    submission_apply(submission=submission, actor=registry_user, application_form=form)
    decision = decision_record(
        submission=submission,
        actor=zin_user,
        outcome=DecisionOutcome.INCLUDE,
        reasoning="Voldoet.",
        effective_from=datetime.date(2026, 12, 1),
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        decision_publish(decision=decision, actor=zin_user)
    assert len(callbacks) == 1
    decision.refresh_from_db()
    assert decision.letter.read(5) == b"%PDF-"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [submission.registry.holder.contact_email]
    assert mail.outbox[0].attachments[0][1].startswith(b"%PDF-")
    from register.tasks import send_decision_letter

    send_decision_letter(decision.pk)  # a second run sends nothing more
    assert len(mail.outbox) == 1


def test_include_requires_positive_advice_of_both(
    draft, registry_user, igc_user, dgc_user, zin_user
):
    clean_dossier(draft, SubmissionStage.SUPPLEMENTARY)
    submission = dataset_version_submit(
        dataset_version=draft, actor=registry_user, stage=SubmissionStage.SUPPLEMENTARY
    )
    _advise(submission, igc_user, dgc_user, dgc=AdviceOutcome.NEGATIVE)
    Submission.objects.filter(pk=submission.pk).update(status=SubmissionStatus.APPLIED)
    with pytest.raises(DomainError):
        decision_record(
            submission=submission,
            actor=zin_user,
            outcome=DecisionOutcome.INCLUDE,
            reasoning="x",
            effective_from=datetime.date(2026, 12, 1),
        )
    assert not Decision.objects.exists()
    refused = decision_record(
        submission=submission,
        actor=zin_user,
        outcome=DecisionOutcome.REFUSE,
        reasoning="Negatief DGC-advies.",
        effective_from=datetime.date(2026, 12, 1),
    )
    assert refused.outcome == DecisionOutcome.REFUSE


def test_statutory_registry_is_included_without_review(draft, registry, registry_user, zin_user):
    registry.statutory = True
    registry.save()
    clean_dossier(draft, SubmissionStage.FIRST)
    submission = dataset_version_submit(
        dataset_version=draft, actor=registry_user, stage=SubmissionStage.FIRST
    )
    assert submission.status == SubmissionStatus.APPLIED and not submission.reviews.exists()
    decision = decision_record(
        submission=submission,
        actor=zin_user,
        outcome=DecisionOutcome.INCLUDE,
        reasoning="Wettelijke registratie (art. III Wkz).",
        effective_from=datetime.date(2026, 1, 1),
    )
    assert decision.outcome == DecisionOutcome.INCLUDE


def test_rolled_back_publish_dispatches_nothing(
    draft, registry_user, zin_user, django_capture_on_commit_callbacks
):
    from django.db import transaction

    registry = draft.registry
    registry.statutory = True
    registry.save()
    clean_dossier(draft, SubmissionStage.FIRST)
    submission = dataset_version_submit(
        dataset_version=draft, actor=registry_user, stage=SubmissionStage.FIRST
    )
    decision = decision_record(
        submission=submission,
        actor=zin_user,
        outcome=DecisionOutcome.INCLUDE,
        reasoning="Wet.",
        effective_from=datetime.date(2026, 1, 1),
    )
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                decision_publish(decision=decision, actor=zin_user)
                raise RuntimeError("boom")
    assert callbacks == []
    assert mail.outbox == []
    decision.refresh_from_db()
    assert decision.published_at is None


def test_committee_member_cannot_advise_other_committee(draft, registry_user, igc_user):
    clean_dossier(draft, SubmissionStage.FIRST)
    submission = dataset_version_submit(
        dataset_version=draft, actor=registry_user, stage=SubmissionStage.FIRST
    )
    dgc_review = submission.reviews.get(committee__code="DGC")
    with pytest.raises(PermissionDenied):
        advice_draft(
            review=dgc_review,
            actor=igc_user,
            outcome=AdviceOutcome.POSITIVE,
            motivation="x",
            reaction_deadline=timezone.localdate(),
        )
    dgc_review.refresh_from_db()
    assert dgc_review.status == ReviewStatus.OPEN
