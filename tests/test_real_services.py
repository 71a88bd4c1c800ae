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
