"""Clarification rounds (reviews.clarifications): sending, answering, revised versions, the
review clock and the deadline reminders. Dates are fixed: services take ``today=``."""

import datetime

import pytest
from django.core import mail

from register.constants import DatasetStatus, SubmissionStage
from register.exceptions import DomainError, DossierIncomplete, InvalidTransition, PermissionDenied
from register.models import AuditEntry, Variable
from register.services import (
    dataset_version_create,
    dataset_version_submit,
    variable_save,
)
from reviews import clarifications
from reviews.clarifications import (
    clarification_answer,
    clarification_answers_save,
    clarification_notice_send,
    clarification_send,
    deadline_reminders_send,
)
from reviews.constants import ClarificationStatus, ReviewStatus, Verdict
from reviews.models import (
    Assignment,
    ClarificationRequest,
    Committee,
    ConflictOfInterest,
    Membership,
    VariableJudgement,
)
from reviews.tasks import send_deadline_reminders
from tests.factories import UserFactory, clean_dossier

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

D = datetime.date(2026, 3, 2)  # "today" of these tests
NPS = {"necessity": "Nodig voor de indicator.", "proportionality": "p", "subsidiarity": "s"}


def days(n: int) -> datetime.date:
    return D + datetime.timedelta(days=n)


def submit(registry, user, codes=("LEEFTIJD", "GESLACHT"), stage=SubmissionStage.FIRST):
    """A submitted version with the given variables: the submission with an IGC and a DGC review."""
    version = dataset_version_create(registry=registry, actor=user, copy_previous=False)
    for code in codes:
        variable_save(
            dataset_version=version,
            actor=user,
            data={"code": code, "name": code.title(), "purposes": ["learn_improve"], **NPS},
            requirements={"AZ": "base"},
        )
    clean_dossier(version, stage, user=user)
    return dataset_version_submit(dataset_version=version, actor=user, stage=stage)


def send(review, actor, *, deadline=None, questions=None, today=D):
    return clarification_send(
        review=review,
        actor=actor,
        deadline=deadline or days(14),
        questions=questions
        or [
            {"text": "Waarom is de leeftijd nodig?", "variable_code": "leeftijd"},
            {"text": "Wie is de functionaris gegevensbescherming?", "variable_code": ""},
        ],
        today=today,
    )


def all_answers(request):
    return {q.pk: f"Antwoord op vraag {q.position}." for q in request.questions.all()}


@pytest.fixture
def submission(registry, registry_user):
    return submit(registry, registry_user)


@pytest.fixture
def igc_review(submission):
    return submission.reviews.get(committee__code="IGC")


@pytest.fixture
def dgc_review(submission):
    return submission.reviews.get(committee__code="DGC")


# --- Sending ---------------------------------------------------------------------------------


def test_member_sends_a_round_the_review_waits_and_its_clock_stops(
    igc_review, igc_user, registry, registry_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        request = send(igc_review, igc_user)
    igc_review.refresh_from_db()
    assert igc_review.status == ReviewStatus.CLARIFICATION
    assert igc_review.paused_since == D
    assert (request.number, request.deadline, request.status) == (
        1,
        days(14),
        ClarificationStatus.OPEN,
    )
    questions = list(request.questions.order_by("position"))
    assert [(q.position, q.variable_code) for q in questions] == [(1, "LEEFTIJD"), (2, "")]
    entry = AuditEntry.objects.get(action="clarification.send")
    assert entry.registry == registry
    assert entry.changes["round"] == 1 and entry.changes["status"] == ["open", "clarification"]
    # The registry's staff and the holder's contact get one e-mail that points to the portal.
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert set(message.to) == {registry_user.email, registry.holder.contact_email}
    assert f"/dossiers/{registry.acronym}/reviews/{igc_review.pk}/" in message.body
    assert "Waarom is de leeftijd nodig?" not in message.body  # questions stay in the portal


def test_rounds_are_numbered(igc_review, igc_user, registry_user):
    first = send(igc_review, igc_user)
    clarification_answer(
        request=first, actor=registry_user, answers=all_answers(first), today=days(3)
    )
    second = send(igc_review, igc_user, today=days(4), deadline=days(20))
    assert (first.number, second.number) == (1, 2)


@pytest.mark.parametrize("deadline", [D, days(-1)])
def test_a_deadline_today_or_in_the_past_is_refused_naming_the_field(
    igc_review, igc_user, deadline
):
    with pytest.raises(DomainError) as refused:
        send(igc_review, igc_user, deadline=deadline)
    assert refused.value.field == "deadline"
    assert "after today" in refused.value.message
    igc_review.refresh_from_db()
    assert igc_review.status == ReviewStatus.OPEN and igc_review.paused_since is None
    assert not ClarificationRequest.objects.exists()


def test_an_unknown_variable_code_is_refused_naming_the_question(igc_review, igc_user):
    with pytest.raises(DomainError) as refused:
        send(
            igc_review,
            igc_user,
            questions=[
                {"text": "Goed.", "variable_code": "LEEFTIJD"},
                {"text": "En deze?", "variable_code": "BESTAATNIET"},
            ],
        )
    assert refused.value.field == "questions-1-variable_code"
    assert "Question 2" in refused.value.message and "BESTAATNIET" in refused.value.message
    assert not ClarificationRequest.objects.exists()


def test_every_problem_of_a_round_is_named_at_once(igc_review):
    problems = clarifications.clarification_send_problems(
        review=igc_review,
        deadline=days(-3),
        questions=[{"text": "", "variable_code": "LEEFTIJD"}, {"text": "x", "variable_code": "Q"}],
        today=D,
    )
    assert [p.field for p in problems] == [
        "deadline",
        "questions-0-text",
        "questions-1-variable_code",
    ]


def test_a_round_needs_at_least_one_question(igc_review, igc_user):
    with pytest.raises(DomainError) as refused:
        send(igc_review, igc_user, questions=[{"text": "  ", "variable_code": ""}])
    assert refused.value.field == "questions"


def test_only_members_of_the_reviewing_committee_send_questions(
    igc_review, igc_user, dgc_user, registry_user, secretariat_user
):
    for user in (dgc_user, registry_user, secretariat_user):
        with pytest.raises(PermissionDenied):
            send(igc_review, user)
    ConflictOfInterest.objects.create(review=igc_review, member=igc_user, reason="Adviseur.")
    with pytest.raises(PermissionDenied):
        send(igc_review, igc_user)
    assert not ClarificationRequest.objects.exists()


def test_no_new_round_while_one_is_open(igc_review, igc_user):
    send(igc_review, igc_user)
    with pytest.raises(DomainError) as refused:
        send(igc_review, igc_user, today=days(1))
    assert "not answered the previous round" in refused.value.message
    assert ClarificationRequest.objects.count() == 1


# --- Answering -------------------------------------------------------------------------------


def test_every_question_needs_an_answer_naming_it_and_nothing_is_sent(
    igc_review, igc_user, registry_user
):
    request = send(igc_review, igc_user)
    first, second = request.questions.order_by("position")
    with pytest.raises(DomainError) as refused:
        clarification_answer(
            request=request, actor=registry_user, answers={first.pk: "Ja.", second.pk: " "}
        )
    assert refused.value.field == f"answer_{second.pk}"
    assert "question 2" in refused.value.message
    request.refresh_from_db()
    igc_review.refresh_from_db()
    assert request.status == ClarificationStatus.OPEN
    assert igc_review.status == ReviewStatus.CLARIFICATION


def test_draft_answers_are_kept_and_not_sent(
    igc_review, igc_user, registry_user, django_capture_on_commit_callbacks
):
    request = send(igc_review, igc_user)
    first, second = request.questions.order_by("position")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        clarification_answers_save(request=request, actor=registry_user, answers={first.pk: "Ja."})
    first.refresh_from_db()
    request.refresh_from_db()
    assert first.answer == "Ja." and request.status == ClarificationStatus.OPEN
    assert mail.outbox == []
    # A failed send keeps the draft: the second answer is still missing.
    with pytest.raises(DomainError):
        clarification_answer(request=request, actor=registry_user, answers={})
    first.refresh_from_db()
    assert first.answer == "Ja."
    result = clarification_answer(
        request=request, actor=registry_user, answers={second.pk: "Mevrouw X."}
    )
    assert result.request.status == ClarificationStatus.ANSWERED
    assert sorted(request.questions.values_list("answer", flat=True)) == ["Ja.", "Mevrouw X."]


def test_only_the_registrys_staff_answer(
    igc_review, igc_user, dgc_user, other_registry_user, secretariat_user
):
    request = send(igc_review, igc_user)
    for user in (igc_user, dgc_user, other_registry_user, secretariat_user):
        with pytest.raises(PermissionDenied):
            clarification_answer(request=request, actor=user, answers=all_answers(request))
        with pytest.raises(PermissionDenied):
            clarification_answers_save(request=request, actor=user, answers=all_answers(request))
    request.refresh_from_db()
    assert request.status == ClarificationStatus.OPEN
    assert set(request.questions.values_list("answer", flat=True)) == {""}


def test_an_answered_round_cannot_be_answered_again(igc_review, igc_user, registry_user):
    request = send(igc_review, igc_user)
    clarification_answer(request=request, actor=registry_user, answers=all_answers(request))
    with pytest.raises(InvalidTransition):
        clarification_answer(request=request, actor=registry_user, answers=all_answers(request))
    with pytest.raises(InvalidTransition):
        clarification_answers_save(request=request, actor=registry_user, answers={})


def test_a_late_answer_is_accepted_and_recorded_as_late(igc_review, igc_user, registry_user):
    request = send(igc_review, igc_user, deadline=days(14))
    result = clarification_answer(
        request=request, actor=registry_user, answers=all_answers(request), today=days(20)
    )
    assert result.late is True
    assert result.request.status == ClarificationStatus.ANSWERED
    entry = AuditEntry.objects.get(action="clarification.answer")
    assert entry.changes["late"] is True
    # Shown as late from the recorded moment: answered after the (real) deadline.
    ClarificationRequest.objects.filter(pk=request.pk).update(deadline=days(-400))
    (round_,) = clarifications.clarification_rounds(review=igc_review)
    assert round_.late is True


def test_an_answer_in_time_is_not_late(igc_review, igc_user, registry_user):
    request = send(igc_review, igc_user, deadline=days(14))
    result = clarification_answer(
        request=request, actor=registry_user, answers=all_answers(request), today=days(14)
    )
    assert result.late is False
    assert AuditEntry.objects.get(action="clarification.answer").changes["late"] is False


def test_the_clock_stops_while_the_registry_holds_the_review_and_the_due_date_moves(
    igc_review, igc_user, registry_user
):
    igc_review.due_date = days(100)
    igc_review.save(update_fields=["due_date"])
    request = send(igc_review, igc_user, today=D)
    igc_review.refresh_from_db()
    clock = clarifications.review_clock(igc_review, today=days(6))
    assert clock["paused_now"] and clock["paused_days"] == 6
    assert clock["days_left"] == 100  # the clock does not run while paused
    clarification_answer(
        request=request, actor=registry_user, answers=all_answers(request), today=days(10)
    )
    igc_review.refresh_from_db()
    assert igc_review.status == ReviewStatus.OPEN
    assert igc_review.paused_since is None
    assert igc_review.paused_days == 10
    assert igc_review.due_date == days(110)
    assert AuditEntry.objects.get(action="clarification.answer").changes["due_date"] == (
        days(110).isoformat()
    )


def test_the_answer_notifies_the_committee_members_without_a_conflict(
    igc_review, igc_user, registry_user, django_capture_on_commit_callbacks
):
    colleague = UserFactory(email="igc2@example.org")
    committee = Committee.objects.get(code="IGC")
    colleague.groups.add(committee.group)
    Membership.objects.create(committee=committee, user=colleague, perspective="insurers")
    conflicted = UserFactory(email="igc3@example.org")
    conflicted.groups.add(committee.group)
    Membership.objects.create(committee=committee, user=conflicted, perspective="providers")
    ConflictOfInterest.objects.create(review=igc_review, member=conflicted, reason="Bestuurder.")
    request = send(igc_review, igc_user)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        clarification_answer(request=request, actor=registry_user, answers=all_answers(request))
    assert len(mail.outbox) == 1
    assert sorted(mail.outbox[0].to) == ["igc2@example.org", "igc@example.org"]
    assert "Antwoord op vraag 1." not in mail.outbox[0].body  # answers stay in the portal
    assert f"/reviews/{igc_review.pk}/clarifications/" in mail.outbox[0].body


def test_a_notice_goes_out_once(igc_review, igc_user):
    request = send(igc_review, igc_user)
    mail.outbox.clear()
    assert clarification_notice_send(request_id=request.pk, kind="notice:sent") is True
    assert clarification_notice_send(request_id=request.pk, kind="notice:sent") is False
    assert len(mail.outbox) == 1


# --- A revised version -----------------------------------------------------------------------


def _judge(review, user, version, code, verdict=Verdict.ACCEPT):
    return VariableJudgement.objects.create(
        review=review,
        variable=version.variables.get(code=code),
        verdict=verdict,
        necessity=f"Nodig: {code}.",
        judged_by=user,
        judged_at=datetime.datetime(2026, 3, 1, 12, tzinfo=datetime.UTC),
    )


def _revision(registry, user, *, rename="GESLACHT"):
    """A draft copy of the newest version with one variable renamed (so it changed)."""
    draft = dataset_version_create(registry=registry, actor=user)
    variable = draft.variables.get(code=rename)
    variable_save(
        dataset_version=draft,
        actor=user,
        variable=variable,
        data={"name": "Geslacht bij geboorte"},
        requirements={"AZ": "base"},
    )
    return draft


def test_a_revised_version_moves_the_submission_and_both_reviews_and_carries_judgements(
    submission, igc_review, dgc_review, igc_user, dgc_user, registry, registry_user
):
    v1 = submission.dataset_version
    _judge(igc_review, igc_user, v1, "LEEFTIJD", Verdict.ACCEPT)
    _judge(igc_review, igc_user, v1, "GESLACHT", Verdict.QUESTION)
    _judge(dgc_review, dgc_user, v1, "LEEFTIJD", Verdict.REJECT)
    request = send(igc_review, igc_user)
    v2 = _revision(registry, registry_user)
    result = clarification_answer(
        request=request,
        actor=registry_user,
        answers=all_answers(request),
        revised_version=v2,
        today=days(5),
    )
    v2.refresh_from_db()
    submission.refresh_from_db()
    igc_review.refresh_from_db()
    dgc_review.refresh_from_db()
    assert v2.status == DatasetStatus.SUBMITTED and v2.submitted_at is not None
    assert submission.dataset_version == v2
    assert igc_review.dataset_version == v2 and dgc_review.dataset_version == v2
    assert result.request.revised_version == v2
    # Unchanged LEEFTIJD carries over in both reviews; the renamed GESLACHT is judged again.
    carried = VariableJudgement.objects.filter(variable__dataset_version=v2)
    assert sorted(carried.values_list("review__committee__code", "variable__code", "verdict")) == [
        ("DGC", "LEEFTIJD", Verdict.REJECT),
        ("IGC", "LEEFTIJD", Verdict.ACCEPT),
    ]
    assert all(carried.values_list("carried_over", flat=True))
    assert result.judgements_carried_over == 2
    # The judgements of the first version stay, as they were.
    assert VariableJudgement.objects.filter(variable__dataset_version=v1).count() == 3
    assert igc_review.status == ReviewStatus.OPEN
    assert dgc_review.status == ReviewStatus.OPEN
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "dataset_version.submit_revision",
        "submission.revise",
        "review.version_change",
    } <= actions


def test_a_revised_version_with_blocking_findings_is_refused_and_nothing_changes(
    submission, igc_review, igc_user, registry, registry_user
):
    request = send(igc_review, igc_user)
    v2 = dataset_version_create(registry=registry, actor=registry_user)
    Variable.objects.create(dataset_version=v2, code="ZONDERNUT", name="Zonder noodzaak")
    with pytest.raises(DossierIncomplete) as refused:
        clarification_answer(
            request=request,
            actor=registry_user,
            answers=all_answers(request),
            revised_version=v2,
        )
    assert "revised version" in refused.value.message
    assert refused.value.check_url.startswith(f"/dossiers/{registry.acronym}/versions/")
    v2.refresh_from_db()
    request.refresh_from_db()
    submission.refresh_from_db()
    assert v2.status == DatasetStatus.DRAFT
    assert request.status == ClarificationStatus.OPEN
    assert submission.dataset_version_id != v2.pk


def test_a_revised_version_must_be_a_draft_of_the_same_registry(
    submission, igc_review, igc_user, registry_user, other_registry, other_registry_user
):
    request = send(igc_review, igc_user)
    foreign = dataset_version_create(registry=other_registry, actor=other_registry_user)
    for version in (foreign, submission.dataset_version):
        with pytest.raises(DomainError) as refused:
            clarification_answer(
                request=request,
                actor=registry_user,
                answers=all_answers(request),
                revised_version=version,
            )
        assert refused.value.field == "revised_version"
    request.refresh_from_db()
    assert request.status == ClarificationStatus.OPEN


def test_no_revised_version_once_a_committee_sent_its_draft_advice(
    submission, igc_review, dgc_review, igc_user, registry, registry_user
):
    request = send(igc_review, igc_user)
    dgc_review.status = ReviewStatus.DRAFT_ADVICE
    dgc_review.save(update_fields=["status"])
    v2 = _revision(registry, registry_user)
    with pytest.raises(DomainError) as refused:
        clarification_answer(
            request=request,
            actor=registry_user,
            answers=all_answers(request),
            revised_version=v2,
        )
    assert refused.value.field == "revised_version"
    v2.refresh_from_db()
    assert v2.status == DatasetStatus.DRAFT
    # Without the revision the answers go through.
    result = clarification_answer(
        request=request, actor=registry_user, answers=all_answers(request)
    )
    assert result.request.status == ClarificationStatus.ANSWERED


# --- Reminders -------------------------------------------------------------------------------


def _registry_mails():
    return [m for m in mail.outbox if "questions" in m.subject]


def test_registry_reminders_before_the_deadline_and_when_overdue_each_once(
    igc_review, igc_user, registry_user
):
    igc_review.due_date = days(300)  # no review reminders in this test
    igc_review.save(update_fields=["due_date"])
    request = send(igc_review, igc_user, deadline=days(14))
    mail.outbox.clear()
    runs = {}
    for day in (6, 7, 7, 8, 12, 13, 13, 14, 15, 15, 30):
        before = len(mail.outbox)
        deadline_reminders_send(today=days(day))
        runs.setdefault(day, 0)
        runs[day] += len(mail.outbox) - before
    assert runs == {6: 0, 7: 1, 8: 0, 12: 0, 13: 1, 14: 0, 15: 1, 30: 0}
    subjects = [m.subject for m in mail.outbox]
    assert subjects[0].startswith("Reminder") and subjects[2].startswith("Overdue")
    assert all(registry_user.email in m.to for m in mail.outbox)
    assert "in 7 days" in mail.outbox[0].body and "in 1 day" in mail.outbox[1].body
    request.refresh_from_db()
    assert {"before:7", "before:1", "overdue"} <= set(request.reminders_sent)
    assert AuditEntry.objects.filter(action="clarification.reminder").count() == 3


def test_a_missed_day_sends_only_the_nearest_reminder(igc_review, igc_user):
    send(igc_review, igc_user, deadline=days(14))
    mail.outbox.clear()
    deadline_reminders_send(today=days(13))
    deadline_reminders_send(today=days(13))
    assert len(mail.outbox) == 1 and "in 1 day" in mail.outbox[0].body


def test_a_short_deadline_skips_reminders_whose_moment_has_passed(igc_review, igc_user):
    request = send(igc_review, igc_user, deadline=days(3))
    assert request.reminders_sent == ["before:7"]
    mail.outbox.clear()
    deadline_reminders_send(today=days(1))
    assert mail.outbox == []
    deadline_reminders_send(today=days(2))
    assert len(mail.outbox) == 1


def test_an_answered_round_gets_no_reminders(igc_review, igc_user, registry_user):
    request = send(igc_review, igc_user, deadline=days(14))
    clarification_answer(request=request, actor=registry_user, answers=all_answers(request))
    mail.outbox.clear()
    for day in (7, 13, 20):
        deadline_reminders_send(today=days(day))
    assert _registry_mails() == []


def test_committee_reminders_a_week_before_the_due_date_and_when_overdue_each_once(
    igc_review, dgc_review, igc_user, secretariat_user
):
    igc_review.due_date = days(30)
    igc_review.save(update_fields=["due_date"])
    dgc_review.due_date = days(300)
    dgc_review.save(update_fields=["due_date"])
    colleague = UserFactory(email="igc2@example.org")
    committee = Committee.objects.get(code="IGC")
    colleague.groups.add(committee.group)
    Membership.objects.create(committee=committee, user=colleague, perspective="insurers")
    sent = {}
    for day in (22, 23, 23, 24, 30, 31, 31, 40):
        before = len(mail.outbox)
        send_deadline_reminders(today=days(day).isoformat())  # the beat task itself
        sent[day] = sent.get(day, 0) + len(mail.outbox) - before
    assert sent == {22: 0, 23: 1, 24: 0, 30: 0, 31: 1, 40: 0}
    first, overdue = mail.outbox
    assert sorted(first.to) == ["igc2@example.org", "igc@example.org"]  # no one assigned
    assert "Due in a week" in first.subject and overdue.subject.startswith("Overdue")
    assert AuditEntry.objects.filter(action="review.reminder", registry=None).count() == 2


def test_committee_reminders_go_to_the_assigned_members_if_any(
    igc_review, igc_user, secretariat_user
):
    colleague = UserFactory(email="igc2@example.org")
    committee = Committee.objects.get(code="IGC")
    colleague.groups.add(committee.group)
    Membership.objects.create(committee=committee, user=colleague, perspective="insurers")
    Assignment.objects.create(review=igc_review, member=colleague, assigned_by=secretariat_user)
    igc_review.due_date = days(5)
    igc_review.save(update_fields=["due_date"])
    deadline_reminders_send(today=D)
    review_mails = [m for m in mail.outbox if "review of" in m.subject]
    assert [m.to for m in review_mails] == [["igc2@example.org"]]


def test_a_paused_review_gets_no_committee_reminder_and_a_moved_due_date_gets_its_own(
    igc_review, igc_user, registry_user
):
    igc_review.due_date = days(10)
    igc_review.save(update_fields=["due_date"])
    deadline_reminders_send(today=days(3))  # a week before: reminded
    assert len([m for m in mail.outbox if "review of" in m.subject]) == 1
    request = send(igc_review, igc_user, today=days(4), deadline=days(30))
    mail.outbox.clear()
    deadline_reminders_send(today=days(12))  # paused: the clock does not run
    assert [m for m in mail.outbox if "review of" in m.subject] == []
    clarification_answer(
        request=request, actor=registry_user, answers=all_answers(request), today=days(20)
    )
    igc_review.refresh_from_db()
    assert igc_review.due_date == days(26)
    deadline_reminders_send(today=days(20))  # 6 days before the moved due date (28 March)
    deadline_reminders_send(today=days(21))
    reminded = [m for m in mail.outbox if "review of" in m.subject]
    assert len(reminded) == 1 and "28 March 2026: in 6 days" in reminded[0].body


# --- Closing a round the registry did not answer -----------------------------------------------


def close(request, actor, *, reason="Geen antwoord ontvangen; we gaan verder.", today=None):
    return clarifications.clarification_close_unanswered(
        request=request, actor=actor, reason=reason, today=today or days(15)
    )


@pytest.mark.parametrize("day", [1, 14])  # the deadline day itself has not passed yet
def test_a_round_cannot_be_closed_before_its_deadline_has_passed(
    igc_review, igc_user, day, django_capture_on_commit_callbacks
):
    request = send(igc_review, igc_user, deadline=days(14))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(DomainError) as refused:
            close(request, igc_user, today=days(day))
    assert "only after the deadline has passed" in refused.value.message
    assert "16-03-2026" in refused.value.message
    request.refresh_from_db()
    igc_review.refresh_from_db()
    assert request.status == ClarificationStatus.OPEN and request.closed_reason == ""
    assert igc_review.status == ReviewStatus.CLARIFICATION and igc_review.paused_since == D
    assert not AuditEntry.objects.filter(action="clarification.close").exists()
    assert mail.outbox == []


def test_after_the_deadline_a_member_closes_the_round_and_the_clock_resumes(
    igc_review, igc_user, registry
):
    igc_review.due_date = days(100)
    igc_review.save(update_fields=["due_date"])
    request = send(igc_review, igc_user, deadline=days(14))
    closed = close(request, igc_user, reason="  Geen reactie na herinneringen.  ", today=days(20))
    closed.refresh_from_db()
    igc_review.refresh_from_db()
    assert closed.status == ClarificationStatus.CLOSED
    assert closed.closed_reason == "Geen reactie na herinneringen."
    assert closed.answered_at is None and closed.answered_by is None
    assert igc_review.status == ReviewStatus.OPEN
    assert igc_review.paused_since is None and igc_review.paused_days == 20
    assert igc_review.due_date == days(120)  # moved by the 20 days the registry held it
    entry = AuditEntry.objects.get(action="clarification.close")
    assert entry.registry == registry and entry.actor == igc_user
    assert entry.changes["round"] == 1
    assert entry.changes["closed_reason"] == "Geen reactie na herinneringen."
    assert entry.changes["status"] == ["clarification", "open"]
    assert entry.changes["due_date"] == days(120).isoformat()
    assert clarifications.is_late(closed) is False  # closed, not answered late
    # The committee goes on: a new round may be sent.
    second = send(igc_review, igc_user, today=days(21), deadline=days(30))
    assert second.number == 2


def test_closing_needs_a_reason_naming_the_field(igc_review, igc_user):
    request = send(igc_review, igc_user, deadline=days(14))
    with pytest.raises(DomainError) as refused:
        close(request, igc_user, reason="   ")
    assert refused.value.field == "reason"
    request.refresh_from_db()
    assert request.status == ClarificationStatus.OPEN


def test_only_members_of_the_reviewing_committee_close_a_round(
    igc_review, igc_user, dgc_user, registry_user, secretariat_user
):
    request = send(igc_review, igc_user, deadline=days(14))
    for user in (dgc_user, registry_user, secretariat_user):
        with pytest.raises(PermissionDenied):
            close(request, user)
    ConflictOfInterest.objects.create(review=igc_review, member=igc_user, reason="Adviseur.")
    with pytest.raises(PermissionDenied):
        close(request, igc_user)
    request.refresh_from_db()
    assert request.status == ClarificationStatus.OPEN
    assert not AuditEntry.objects.filter(action="clarification.close").exists()


def test_a_closed_round_cannot_be_closed_again_nor_answered(igc_review, igc_user, registry_user):
    request = send(igc_review, igc_user, deadline=days(14))
    close(request, igc_user)
    with pytest.raises(InvalidTransition):
        close(request, igc_user, today=days(16))
    with pytest.raises(InvalidTransition) as refused:
        clarification_answer(
            request=request, actor=registry_user, answers=all_answers(request), today=days(16)
        )
    assert "closed these questions without answers" in refused.value.message
    with pytest.raises(InvalidTransition):
        clarification_answers_save(
            request=request, actor=registry_user, answers=all_answers(request)
        )
    assert AuditEntry.objects.filter(action="clarification.close").count() == 1


def test_closing_emails_the_registry_once_pointing_to_the_portal(
    igc_review, igc_user, registry, registry_user, django_capture_on_commit_callbacks
):
    request = send(igc_review, igc_user, deadline=days(14))
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        close(request, igc_user, reason="REDEN-IN-HET-PORTAAL")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert set(message.to) == {registry_user.email, registry.holder.contact_email}
    assert "closed its questions" in message.subject
    assert "round 1" in message.body and "16 March 2026" in message.body
    assert f"/dossiers/{registry.acronym}/reviews/{igc_review.pk}/" in message.body
    assert "REDEN-IN-HET-PORTAAL" not in message.body  # the reason stays in the portal
    assert clarification_notice_send(request_id=request.pk, kind="notice:closed") is False
    assert len(mail.outbox) == 1
    notice = AuditEntry.objects.get(action="clarification.notice", changes__notice="notice:closed")
    assert notice.registry == registry


def test_a_closed_round_gets_no_reminders(igc_review, igc_user):
    igc_review.due_date = days(300)  # no review reminders in this test
    igc_review.save(update_fields=["due_date"])
    request = send(igc_review, igc_user, deadline=days(14))
    deadline_reminders_send(today=days(13))  # the "1 day before" reminder
    close(request, igc_user, today=days(15))
    mail.outbox.clear()
    for day in (15, 16, 30):
        deadline_reminders_send(today=days(day))
    assert _registry_mails() == []
    request.refresh_from_db()
    assert "overdue" not in request.reminders_sent
    assert not AuditEntry.objects.filter(
        action="clarification.reminder", changes__reminder="overdue"
    ).exists()
