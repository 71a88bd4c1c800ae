"""The real stack: PostgreSQL, and Redis with a Celery worker in another process.

.ci/run starts these services; elsewhere the tests are skipped with the reason shown.
"""

import datetime
import email
import os
from pathlib import Path

import pytest
from django.db import connection
from django.db.models import Q

from register.celery import app as celery_app
from register.constants import DecisionOutcome, SubmissionStage
from register.models import AuditEntry, Decision, Variable
from register.services import (
    dataset_version_create,
    dataset_version_submit,
    decision_publish,
    decision_record,
    variable_save,
)
from register.tasks import send_decision_letter
from tests.factories import clean_dossier


@pytest.mark.postgres
@pytest.mark.django_db
def test_suite_runs_on_postgresql_with_json_containment(registry, registry_user):
    assert connection.vendor == "postgresql"
    version = dataset_version_create(registry=registry, actor=registry_user)
    for code, purposes in [("A", ["indicator"]), ("B", ["learn_improve", "instrument"])]:
        variable_save(
            dataset_version=version,
            actor=registry_user,
            data={"code": code, "name": code, "purposes": purposes, "necessity": "n"},
            requirements={"UMC": "base"},
        )
    # JSON containment is a PostgreSQL lookup; SQLite has no support for it.
    plus_candidates = Variable.objects.filter(Q(purposes__contains=["instrument"]))
    assert list(plus_candidates.values_list("code", flat=True)) == ["B"]


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_published_decision_letter_is_rendered_and_sent_once_by_the_worker(
    registry, registry_user, zin_user
):
    replies = celery_app.control.ping(timeout=5)
    assert replies, "no Celery worker answered a ping"
    registry.statutory = True
    registry.save()
    version = dataset_version_create(registry=registry, actor=registry_user)
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
    decision = decision_record(
        submission=submission,
        actor=zin_user,
        outcome=DecisionOutcome.INCLUDE,
        reasoning="Wettelijke registratie (art. III Wkz).",
        effective_from=datetime.date(2026, 1, 1),
    )
    celery_app.conf.task_always_eager = False
    try:
        decision_publish(decision=decision, actor=zin_user)  # dispatches through Redis on commit
        # A second dispatch of the same task: the worker (one process, in order) must find the
        # letter rendered and sent already, and do nothing more.
        send_decision_letter.delay(decision.pk).get(timeout=120)
    finally:
        celery_app.conf.task_always_eager = True

    decision = Decision.objects.get(pk=decision.pk)
    assert decision.letter_sent_at is not None
    with decision.letter.open("rb") as letter:
        assert letter.read(5) == b"%PDF-"
    mails = [
        email.message_from_bytes(path.read_bytes())
        for path in Path(os.environ["WORKER_MAIL_DIR"]).iterdir()
    ]
    to_holder = [m for m in mails if m["To"] == registry.holder.contact_email]
    assert len(to_holder) == 1
    assert (
        AuditEntry.objects.filter(action="decision.letter_sent", object_id=str(decision.pk)).count()
        == 1
    )


def _wait_for(predicate, *, timeout: float = 120.0):
    """Poll the database until the worker's work is visible (it commits in its own process)."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.5)
    raise AssertionError("the worker did not finish in time")


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_large_table_import_runs_in_the_worker_with_progress(registry, registry_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from register.models import TableImport, TableImportStatus
    from register.table_imports import table_import_start

    assert celery_app.control.ping(timeout=5), "no Celery worker answered a ping"
    rows = ["Code,Variabele,Doelen,Noodzakelijkheid,AZ"] + [
        f"V{n:04d},Variabele {n},leren en verbeteren,Nodig,basis" for n in range(1, 701)
    ]
    upload = SimpleUploadedFile("tabel.csv", ("\r\n".join(rows) + "\r\n").encode())
    celery_app.conf.task_always_eager = False
    try:
        job = table_import_start(registry=registry, actor=registry_user, upload=upload)
        assert job.status == TableImportStatus.PENDING  # over 500 rows: for the worker
        _wait_for(
            lambda: (
                TableImport.objects.get(pk=job.pk).status
                in (TableImportStatus.DONE, TableImportStatus.FAILED)
            )
        )
    finally:
        celery_app.conf.task_always_eager = True
    job = TableImport.objects.get(pk=job.pk)
    assert job.status == TableImportStatus.DONE, job.errors
    assert job.progress == 100
    assert job.created_version.variables.count() == 700


@pytest.mark.worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_definitive_advice_pdf_is_rendered_by_the_worker(registry, registry_user, igc_user):
    from pypdf import PdfReader

    from reviews.constants import AdviceOutcome, RenderStatus
    from reviews.models import Advice
    from tests.factories import advise

    assert celery_app.control.ping(timeout=5), "no Celery worker answered a ping"
    version = dataset_version_create(registry=registry, actor=registry_user)
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
    review = submission.reviews.get(committee__code="IGC")
    celery_app.conf.task_always_eager = False
    try:
        advice = advise(review, AdviceOutcome.POSITIVE)
        _wait_for(
            lambda: (
                Advice.objects.get(pk=advice.pk).render_status
                in (RenderStatus.DONE, RenderStatus.FAILED)
            )
        )
    finally:
        celery_app.conf.task_always_eager = True
    advice = Advice.objects.get(pk=advice.pk)
    assert advice.render_status == RenderStatus.DONE, advice.render_error
    with advice.document.open("rb") as document:
        text = "".join(page.extract_text() for page in PdfReader(document).pages)
    assert registry.name in text
