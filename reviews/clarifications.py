"""Clarification rounds (hoor en wederhoor) and the deadline reminders.

A committee sends the registry a round of questions with a deadline; the review clock pauses
while the registry holds the review (reviews.workflow). The registry answers in the portal,
may save its answers as a draft first, and may submit a revised dataset version with them: the
submission and the reviews still in progress continue on that version, with the judgements of
unchanged variables carried over (reviews.judgements). Questions and answers stay in the
portal; the e-mails only say that there is something to read there (DOMAIN.md, how the review
works; issue 4 item 4).

Late answers are accepted and recorded as late: the committee decides what they are worth.
A round the registry never answers does not keep the review paused for ever: once its deadline
has passed, the committee may close it without answers, giving its reason, and go on.
"""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Max, Prefetch, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from guardian.shortcuts import get_users_with_perms

from register.audit import audit_record
from register.exceptions import DomainError, InvalidTransition, PermissionDenied
from register.models import AuditEntry, DatasetVersion, Registry, Submission
from register.permissions import can_manage_dossier

from .constants import ClarificationStatus, ReviewStatus
from .judgements import judgements_carry_over
from .models import (
    Assignment,
    ClarificationQuestion,
    ClarificationRequest,
    Membership,
    Review,
)
from .permissions import can_review
from .workflow import REVIEW_MOVE_FIELDS, days_left, review_move

# The committee is reminded this many days before the review's due date, and once when overdue.
REVIEW_REMINDER_DAYS_BEFORE = 7
# A round has at most this many questions (the form offers rows up to it).
MAX_QUESTIONS = 50
# Reviews that continue on a revised version; once a (draft) advice went out the version stays.
IN_PROGRESS = {ReviewStatus.OPEN, ReviewStatus.CLARIFICATION}

# Markers in ClarificationRequest.reminders_sent, so each e-mail goes out once.
NOTICE_SENT = "notice:sent"
NOTICE_ANSWERED = "notice:answered"
NOTICE_CLOSED = "notice:closed"
OVERDUE = "overdue"


def _before(days: int) -> str:
    return f"before:{days}"


# --- Reads -----------------------------------------------------------------------------------


def is_late(request: ClarificationRequest) -> bool:
    """Answered after the deadline (or, still open, past it)."""
    if request.answered_at is not None:
        return timezone.localdate(request.answered_at) > request.deadline
    return request.status == ClarificationStatus.OPEN and timezone.localdate() > request.deadline


def clarification_rounds(*, review: Review) -> list[ClarificationRequest]:
    """Every round of the review, oldest first, with questions, people and ``late``. 3 queries."""
    rounds = list(
        ClarificationRequest.objects.filter(review=review)
        .select_related("sent_by", "answered_by", "revised_version")
        .prefetch_related(
            Prefetch("questions", queryset=ClarificationQuestion.objects.order_by("position"))
        )
        .order_by("number")
    )
    for request in rounds:
        request.late = is_late(request)
        request.is_open = request.status == ClarificationStatus.OPEN
        request.is_closed = request.status == ClarificationStatus.CLOSED
    return rounds


def open_round(rounds: list[ClarificationRequest]) -> ClarificationRequest | None:
    return next((r for r in rounds if r.status == ClarificationStatus.OPEN), None)


def registry_review(*, registry: Registry, pk: int) -> Review:
    """One review of the registry's submissions. Raises Review.DoesNotExist for any other."""
    return Review.objects.select_related(
        "committee", "submission__dataset_version", "dataset_version", "advice"
    ).get(pk=pk, submission__registry=registry)


def registry_draft_versions(*, registry: Registry) -> QuerySet[DatasetVersion]:
    """The drafts the registry may submit as a revised version with its answers."""
    from register.constants import DatasetStatus

    return registry.dataset_versions.filter(status=DatasetStatus.DRAFT).order_by("-number")


def review_clock(review: Review, *, today: date | None = None) -> dict:
    """The review's due date, days left and the days the registry held it (so far)."""
    today = today or timezone.localdate()
    paused_now = review.paused_since is not None
    held_now = (today - review.paused_since).days if paused_now else 0
    left = days_left(review, today=today)
    return {
        "due_date": review.due_date,
        "days_left": left,
        "overdue_days": -left if left is not None and left < 0 else 0,
        "paused_now": paused_now,
        "paused_since": review.paused_since,
        "paused_days": review.paused_days + held_now,
    }


def registry_staff_emails(registry: Registry) -> list[str]:
    """The registry's staff (those who manage its dossier) and the holder's contact."""
    users = get_users_with_perms(
        registry,
        only_with_perms_in=["manage_dossier"],
        with_superusers=False,
        with_group_users=True,
    )
    emails = {user.email for user in users if user.is_active and user.email}
    if registry.holder.contact_email:
        emails.add(registry.holder.contact_email)
    return sorted(emails)


def committee_emails(review: Review, *, assigned_first: bool = False) -> list[str]:
    """The committee's members without a declared conflict of interest; with
    ``assigned_first``, only the members assigned to the review if there are any."""
    User = get_user_model()
    conflicted = review.conflicts.values("member_id")
    users = User.objects.filter(is_active=True).exclude(email="").exclude(pk__in=conflicted)
    if assigned_first:
        assigned = users.filter(pk__in=Assignment.objects.filter(review=review).values("member_id"))
        if assigned.exists():
            return sorted(assigned.values_list("email", flat=True).distinct())
    members = Membership.objects.filter(committee_id=review.committee_id).values("user_id")
    return sorted(users.filter(pk__in=members).values_list("email", flat=True).distinct())


# --- Rules -----------------------------------------------------------------------------------


def clarification_send_problems(
    *, review: Review, deadline: date | None, questions: list[dict], today: date | None = None
) -> list[DomainError]:
    """Everything wrong with a new round, at once (a form shows them together).

    A deadline after today; at least one question; a question's text is required when the row
    has anything in it; a variable code must be one of the version under review. ``field``
    names the input (``deadline``, ``questions``, ``questions-<row>-text`` and
    ``questions-<row>-variable_code``, as the form names them); rows count from 0, the
    messages name the question's number.
    """
    today = today or timezone.localdate()
    problems = []
    if review.status == ReviewStatus.CLARIFICATION:
        problems.append(
            DomainError(
                _(
                    "The registry has not answered the previous round yet: send new questions "
                    "once it has."
                )
            )
        )
    elif review.status != ReviewStatus.OPEN:
        problems.append(
            DomainError(_("Questions can only be sent while the committee is reviewing."))
        )
    if deadline is None:
        problems.append(DomainError(_("Enter the deadline for the answers."), field="deadline"))
    elif deadline <= today:
        problems.append(
            DomainError(
                _("The deadline must be after today (%(today)s).")
                % {"today": today.strftime("%d-%m-%Y")},
                field="deadline",
            )
        )
    rows = [(n, q) for n, q in enumerate(questions) if _text(q) or _code(q)]
    if not rows:
        problems.append(DomainError(_("Ask at least one question."), field="questions"))
    if len(rows) > MAX_QUESTIONS:
        problems.append(
            DomainError(
                _("A round has at most %(max)d questions.") % {"max": MAX_QUESTIONS},
                field="questions",
            )
        )
    codes = _version_codes(review)
    for n, question in rows:
        if not _text(question):
            problems.append(
                DomainError(
                    _("Question %(number)d: write the question.") % {"number": n + 1},
                    field=f"questions-{n}-text",
                )
            )
        code = _code(question)
        if code and code.upper() not in codes:
            problems.append(
                DomainError(
                    _(
                        "Question %(number)d: the version under review has no variable with "
                        "code %(code)s."
                    )
                    % {"number": n + 1, "code": code},
                    field=f"questions-{n}-variable_code",
                )
            )
    return problems


def clarification_answer_problems(
    *, request: ClarificationRequest, answers: dict
) -> list[DomainError]:
    """Every question needs an answer; each problem names the question (field ``answer_<id>``)."""
    answers = {int(key): value for key, value in answers.items()}
    questions = list(request.questions.order_by("position"))
    unknown = set(answers) - {q.pk for q in questions}
    problems = []
    if unknown:
        problems.append(DomainError(_("Some answers are not for questions of this round.")))
    for question in questions:
        if not (answers.get(question.pk) or "").strip():
            problems.append(
                DomainError(
                    _("Answer question %(number)d.") % {"number": question.position},
                    field=f"answer_{question.pk}",
                )
            )
    return problems


def _text(question: dict) -> str:
    return (question.get("text") or "").strip()


def _code(question: dict) -> str:
    return (question.get("variable_code") or "").strip()


def _version_codes(review: Review) -> dict[str, str]:
    """{CODE: code} of the version under review (codes are matched case-insensitively)."""
    version_id = review.dataset_version_id or review.submission.dataset_version_id
    codes = DatasetVersion.objects.get(pk=version_id).variables.values_list("code", flat=True)
    return {code.upper(): code for code in codes}


# --- The committee sends a round -------------------------------------------------------------


def clarification_send(
    *,
    review: Review,
    actor,
    deadline: date,
    questions: list[dict],
    today: date | None = None,
) -> ClarificationRequest:
    """A new round of questions to the registry: the review waits for the registry and its
    clock pauses. Only a member of the reviewing committee (reviews.permissions.can_review).

    ``questions`` are ``{"text", "variable_code"}``; rows with neither are skipped. The
    registry's staff get an e-mail after commit saying that there are questions in the portal.
    """
    if not can_review(actor, review):
        raise PermissionDenied(_("Only members of the reviewing committee can send it questions."))
    today = today or timezone.localdate()
    from .tasks import send_clarification_notice

    with transaction.atomic():
        review = (
            Review.objects.select_for_update(of=("self",))
            .select_related("submission__registry", "committee")
            .get(pk=review.pk)
        )
        problems = clarification_send_problems(
            review=review, deadline=deadline, questions=questions, today=today
        )
        if problems:
            raise problems[0]
        codes = _version_codes(review)
        number = (review.clarifications.aggregate(n=Max("number"))["n"] or 0) + 1
        days_to_deadline = (deadline - today).days
        request = ClarificationRequest.objects.create(
            review=review,
            number=number,
            deadline=deadline,
            sent_by=actor,
            sent_at=timezone.now(),
            # A reminder whose moment has already come is not sent: the notice says it all.
            reminders_sent=[
                _before(days) for days in settings.REMINDER_DAYS_BEFORE if days_to_deadline <= days
            ],
        )
        rows = [q for q in questions if _text(q) or _code(q)]
        ClarificationQuestion.objects.bulk_create(
            [
                ClarificationQuestion(
                    request=request,
                    position=position,
                    text=_text(question),
                    variable_code=codes.get(_code(question).upper(), ""),
                )
                for position, question in enumerate(rows, start=1)
            ]
        )
        changes = review_move(review, ReviewStatus.CLARIFICATION, today=today)
        review.save(update_fields=REVIEW_MOVE_FIELDS)
        audit_record(
            actor=actor,
            action="clarification.send",
            obj=request,
            registry=review.submission.registry,
            changes={
                "committee": review.committee.code,
                "round": number,
                "deadline": deadline.isoformat(),
                "questions": len(rows),
                **changes,
            },
        )
        request_id = request.pk
        transaction.on_commit(lambda: send_clarification_notice.delay(request_id, NOTICE_SENT))
    return request


# --- The registry answers --------------------------------------------------------------------


def clarification_answers_save(
    *,
    request: ClarificationRequest,
    actor,
    answers: dict,
    revised_version: DatasetVersion | None = None,
) -> ClarificationRequest:
    """Save the registry's answers as a draft: partial answers are fine, nothing is sent.

    The committee sees the answers only once they are sent (``clarification_answer``).
    """
    registry = _registry_of(request)
    if not can_manage_dossier(actor, registry):
        raise PermissionDenied(_("Only the registry's staff can answer its questions."))
    with transaction.atomic():
        request = _lock_open_request(request)
        _check_revision_choice(revised_version, registry)
        changed = _store_answers(request, answers)
        revised_id = revised_version.pk if revised_version else None
        if request.revised_version_id != revised_id:
            request.revised_version = revised_version
            request.save(update_fields=["revised_version"])
        audit_record(
            actor=actor,
            action="clarification.draft",
            obj=request,
            registry=registry,
            changes={
                "round": request.number,
                "answers_changed": changed,
                "revised_version": revised_version.number if revised_version else None,
            },
        )
    return request


@dataclass
class AnswerResult:
    request: ClarificationRequest
    late: bool
    revised_version: DatasetVersion | None
    judgements_carried_over: int


def clarification_answer(
    *,
    request: ClarificationRequest,
    actor,
    answers: dict,
    revised_version: DatasetVersion | None = None,
    today: date | None = None,
) -> AnswerResult:
    """Send the registry's answers; every question must be answered. The review returns to the
    committee and its clock resumes (the due date moves by the days the registry held it).

    A late answer (after the deadline) is accepted and recorded as late. With a
    ``revised_version`` (a draft of the registry that passes the dossier check's blocking rules,
    register.services.dataset_version_lock_for_revision) the version is locked, the submission
    and its reviews still in progress move to it, and each review's judgements of unchanged
    variables carry over. All in one transaction; the committee's members get an e-mail after
    commit.
    """
    registry = _registry_of(request)
    if not can_manage_dossier(actor, registry):
        raise PermissionDenied(_("Only the registry's staff can answer its questions."))
    today = today or timezone.localdate()
    from register.services import dataset_version_lock_for_revision

    from .tasks import send_clarification_notice

    with transaction.atomic():
        request = _lock_open_request(request)
        _store_answers(request, answers)
        problems = clarification_answer_problems(
            request=request, answers={q.pk: q.answer for q in request.questions.all()}
        )
        if problems:
            raise problems[0]
        review = (
            Review.objects.select_for_update(of=("self",))
            .select_related("submission", "committee")
            .get(pk=request.review_id)
        )
        submission = Submission.objects.select_for_update().get(pk=review.submission_id)
        carried = 0
        if revised_version is not None:
            _check_revision_choice(revised_version, registry)
            _check_revision_allowed(submission)
            revised_version = dataset_version_lock_for_revision(
                dataset_version=revised_version, actor=actor, stage=submission.stage
            )
            carried = _move_to_revision(
                submission=submission, version=revised_version, actor=actor, registry=registry
            )
            review.refresh_from_db(fields=["dataset_version"])
        late = today > request.deadline
        request.status = ClarificationStatus.ANSWERED
        request.answered_by = actor
        request.answered_at = timezone.now()
        request.revised_version = revised_version
        request.save(update_fields=["status", "answered_by", "answered_at", "revised_version"])
        changes = {}
        if review.status == ReviewStatus.CLARIFICATION:
            changes = review_move(review, ReviewStatus.OPEN, today=today)
            review.save(update_fields=REVIEW_MOVE_FIELDS)
        audit_record(
            actor=actor,
            action="clarification.answer",
            obj=request,
            registry=registry,
            changes={
                "committee": review.committee.code,
                "round": request.number,
                "late": late,
                "revised_version": revised_version.number if revised_version else None,
                **changes,
            },
        )
        request_id = request.pk
        transaction.on_commit(lambda: send_clarification_notice.delay(request_id, NOTICE_ANSWERED))
    return AnswerResult(
        request=request,
        late=late,
        revised_version=revised_version,
        judgements_carried_over=carried,
    )


def _registry_of(request: ClarificationRequest) -> Registry:
    return Registry.objects.select_related("holder").get(
        submissions__reviews__clarifications=request
    )


def _lock_open_request(request: ClarificationRequest) -> ClarificationRequest:
    request = ClarificationRequest.objects.select_for_update().get(pk=request.pk)
    if request.status == ClarificationStatus.CLOSED:
        raise InvalidTransition(
            _(
                "The committee has closed these questions without answers: the review goes on "
                "without them."
            )
        )
    if request.status != ClarificationStatus.OPEN:
        raise InvalidTransition(_("These questions have already been answered."))
    return request


def _store_answers(request: ClarificationRequest, answers: dict) -> int:
    """Write the given answers (others keep what was saved before); the number changed."""
    answers = {int(key): (value or "").strip() for key, value in answers.items()}
    questions = {q.pk: q for q in request.questions.all()}
    if set(answers) - set(questions):
        raise DomainError(_("Some answers are not for questions of this round."))
    changed = [
        question
        for pk, question in questions.items()
        if pk in answers and question.answer != answers[pk]
    ]
    for question in changed:
        question.answer = answers[question.pk]
    ClarificationQuestion.objects.bulk_update(changed, ["answer"])
    return len(changed)


def _check_revision_choice(version: DatasetVersion | None, registry: Registry) -> None:
    if version is None:
        return
    if version.registry_id != registry.pk:
        raise DomainError(_("Choose a draft version of this registry."), field="revised_version")
    if version.is_locked:
        raise DomainError(
            _(
                "Version %(number)s has already been submitted; choose a draft version, or "
                "create a new version in your dossier."
            )
            % {"number": version.number},
            field="revised_version",
        )


def _check_revision_allowed(submission: Submission) -> None:
    """Both committees review the same version: not once one of them gave its (draft) advice."""
    if submission.reviews.exclude(status__in=IN_PROGRESS).exists():
        raise DomainError(
            _(
                "A committee has already given its (draft) advice on version %(number)s, so a "
                "revised version cannot be reviewed now. Send your answers without a revised "
                "version, or contact the secretariat."
            )
            % {"number": submission.dataset_version.number},
            field="revised_version",
        )


def _move_to_revision(*, submission, version, actor, registry) -> int:
    """The submission and its reviews in progress continue on ``version``; judgements of
    unchanged variables carry over. Returns the number of judgements carried over."""
    old_version = submission.dataset_version
    submission.dataset_version = version
    submission.save(update_fields=["dataset_version"])
    audit_record(
        actor=actor,
        action="submission.revise",
        obj=submission,
        registry=registry,
        changes={"dataset_version": [old_version.number, version.number]},
    )
    carried = 0
    for review in (
        Review.objects.select_for_update(of=("self",))
        .select_related("committee", "dataset_version")
        .filter(submission=submission, status__in=IN_PROGRESS)
        .order_by("pk")
    ):
        from_version = review.dataset_version or old_version
        count = judgements_carry_over(review=review, from_version=from_version, to_version=version)
        carried += count
        review.dataset_version = version
        review.save(update_fields=["dataset_version"])
        # Without the registry: the count is the committee's business.
        audit_record(
            actor=actor,
            action="review.version_change",
            obj=review,
            registry=None,
            changes={
                "dataset_version": [from_version.number, version.number],
                "judgements_carried_over": count,
            },
        )
    return carried


# --- The committee closes a round the registry did not answer ----------------------------------


def clarification_close_unanswered(
    *,
    request: ClarificationRequest,
    actor,
    reason: str,
    today: date | None = None,
) -> ClarificationRequest:
    """Close an open round without answers, once its deadline has passed: the review returns to
    the committee and its clock resumes (the due date moves by the days the registry held it).

    Only a member of the reviewing committee (reviews.permissions.can_review), with a reason the
    registry sees on its page. Answers the registry saved as a draft are never sent. The
    registry's staff get an e-mail after commit.
    """
    review = request.review
    if not can_review(actor, review):
        raise PermissionDenied(
            _("Only members of the reviewing committee can close its questions.")
        )
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(
            _("Give the reason for closing the round without answers."), field="reason"
        )
    today = today or timezone.localdate()
    from .tasks import send_clarification_notice

    with transaction.atomic():
        review = (
            Review.objects.select_for_update(of=("self",))
            .select_related("committee", "submission__registry")
            .get(pk=request.review_id)
        )
        request = ClarificationRequest.objects.select_for_update().get(pk=request.pk)
        if request.status != ClarificationStatus.OPEN:
            raise InvalidTransition(
                _("Round %(number)d is no longer open: it has been answered or closed.")
                % {"number": request.number}
            )
        if today <= request.deadline:
            raise DomainError(
                _(
                    "The deadline of round %(number)d is %(deadline)s: the round can be closed "
                    "without answers only after the deadline has passed."
                )
                % {"number": request.number, "deadline": request.deadline.strftime("%d-%m-%Y")}
            )
        request.status = ClarificationStatus.CLOSED
        request.closed_reason = reason
        request.save(update_fields=["status", "closed_reason"])
        changes = {}
        if review.status == ReviewStatus.CLARIFICATION:
            changes = review_move(review, ReviewStatus.OPEN, today=today)
            review.save(update_fields=REVIEW_MOVE_FIELDS)
        audit_record(
            actor=actor,
            action="clarification.close",
            obj=request,
            registry=review.submission.registry,
            changes={
                "committee": review.committee.code,
                "round": request.number,
                "deadline": request.deadline.isoformat(),
                "closed_reason": reason,
                **changes,
            },
        )
        request_id = request.pk
        transaction.on_commit(lambda: send_clarification_notice.delay(request_id, NOTICE_CLOSED))
    return request


# --- E-mail ----------------------------------------------------------------------------------


def portal_url(path: str) -> str:
    """An absolute link for an e-mail (settings.PORTAL_URL, the portal's public address)."""
    base = settings.PORTAL_URL
    return base.rstrip("/") + path


def _send(*, subject: str, template: str, context: dict, to: list[str]) -> bool:
    if not to:
        return False
    body = render_to_string(template, context)
    EmailMessage(subject=subject, body=body, to=to).send()
    return True


def _request_context(request: ClarificationRequest) -> dict:
    review = request.review
    registry = review.submission.registry
    return {
        "request": request,
        "review": review,
        "committee": review.committee,
        "registry": registry,
        "registry_url": portal_url(
            reverse("dossiers:review_status", kwargs={"acronym": registry.acronym, "pk": review.pk})
        ),
        "committee_url": portal_url(
            reverse("reviews:review_clarifications", kwargs={"pk": review.pk})
        ),
    }


# notice → (to the committee, else to the registry's staff; subject; e-mail template)
_NOTICES = {
    NOTICE_SENT: (
        False,
        gettext_lazy("Questions from the %(committee)s about %(registry)s"),
        "email/clarification_sent.txt",
    ),
    NOTICE_ANSWERED: (
        True,
        gettext_lazy("%(registry)s has answered your questions (round %(number)d)"),
        "email/clarification_answered.txt",
    ),
    NOTICE_CLOSED: (
        False,
        gettext_lazy("The %(committee)s has closed its questions about %(registry)s"),
        "email/clarification_closed.txt",
    ),
}


def clarification_notice_send(*, request_id: int, kind: str) -> bool:
    """E-mail that a round was sent or closed without answers (to the registry) or answered (to
    the committee). Once each: safe to run twice. Returns whether an e-mail went out."""
    with transaction.atomic():
        request = (
            ClarificationRequest.objects.select_for_update(of=("self",))
            .select_related(
                "review__committee", "review__submission__registry__holder", "revised_version"
            )
            .get(pk=request_id)
        )
        if kind in request.reminders_sent:
            return False
        context = _request_context(request)
        registry = context["registry"]
        try:
            to_committee, subject, template = _NOTICES[kind]
        except KeyError:
            raise ValueError(f"unknown notice {kind!r}") from None
        if kind == NOTICE_ANSWERED:
            context["late"] = is_late(request)
        to = committee_emails(request.review) if to_committee else registry_staff_emails(registry)
        sent = _send(
            subject=subject
            % {
                "committee": request.review.committee.code,
                "registry": registry.display_acronym,
                "number": request.number,
            },
            template=template,
            context=context,
            to=committee_emails(request.review)
            if to_committee
            else registry_staff_emails(registry),
        )
        request.reminders_sent = [*request.reminders_sent, kind]
        request.save(update_fields=["reminders_sent"])
        audit_record(
            actor=None,
            action="clarification.notice",
            obj=request,
            registry=registry if kind in (NOTICE_SENT, NOTICE_CLOSED) else None,
            changes={"notice": kind, "recipients": len(to)},
        )
    return sent


# --- Reminders (Celery beat: reviews.tasks.send_deadline_reminders) ---------------------------


def _clarification_reminder_due(request: ClarificationRequest, today: date) -> str | None:
    """The one reminder due today, if not sent yet: the nearest "before:N" or "overdue"."""
    left = (request.deadline - today).days
    if left < 0:
        due = OVERDUE
    else:
        thresholds = sorted(n for n in settings.REMINDER_DAYS_BEFORE if left <= n)
        due = _before(thresholds[0]) if thresholds else None
    if due is None or due in request.reminders_sent:
        return None
    return due


def deadline_reminders_send(*, today: date | None = None) -> dict[str, int]:
    """Remind the registry of open clarification rounds (settings.REMINDER_DAYS_BEFORE days
    before the deadline, and once when overdue) and the committee of its reviews (a week before
    the due date, and once when overdue). Each reminder goes out once: safe to run twice, and a
    run that missed a day sends only the nearest reminder. Returns counts per kind."""
    today = today or timezone.localdate()
    counts = {"clarification": 0, "review": 0}
    candidates = ClarificationRequest.objects.filter(status=ClarificationStatus.OPEN).only(
        "pk", "deadline", "reminders_sent", "status"
    )
    for candidate in candidates:
        if _clarification_reminder_due(candidate, today) and _clarification_remind(
            candidate.pk, today
        ):
            counts["clarification"] += 1
    for review_id in _reviews_to_remind(today):
        if _review_remind(review_id, today):
            counts["review"] += 1
    return counts


def _clarification_remind(request_id: int, today: date) -> bool:
    with transaction.atomic():
        request = (
            ClarificationRequest.objects.select_for_update(of=("self",))
            .select_related("review__committee", "review__submission__registry__holder")
            .get(pk=request_id)
        )
        if request.status != ClarificationStatus.OPEN:
            return False
        due = _clarification_reminder_due(request, today)
        if due is None:
            return False
        context = _request_context(request)
        context.update(overdue=due == OVERDUE, days_left=(request.deadline - today).days)
        registry = context["registry"]
        to = registry_staff_emails(registry)
        subject = (
            _("Overdue: answers to the %(committee)s's questions about %(registry)s")
            if due == OVERDUE
            else _("Reminder: answers to the %(committee)s's questions about %(registry)s")
        ) % {"committee": request.review.committee.code, "registry": registry.display_acronym}
        _send(
            subject=subject,
            template="email/clarification_reminder.txt",
            context=context,
            to=to,
        )
        # The reminders of farther thresholds are moot once a nearer one went out.
        moot = [
            _before(n)
            for n in settings.REMINDER_DAYS_BEFORE
            if due == OVERDUE or n >= int(due.split(":")[1])
        ]
        request.reminders_sent = sorted({*request.reminders_sent, due, *moot})
        request.save(update_fields=["reminders_sent"])
        audit_record(
            actor=None,
            action="clarification.reminder",
            obj=request,
            registry=registry,
            changes={"reminder": due, "deadline": request.deadline.isoformat()},
        )
    return True


def _review_reminder_key(review: Review, today: date) -> str | None:
    """Keyed by the due date: once the clock moved it, the new date gets its own reminders."""
    left = days_left(review, today=today)
    if left is None or review.status != ReviewStatus.OPEN:
        return None
    if left < 0:
        return f"{OVERDUE}:{review.due_date.isoformat()}"
    if left <= REVIEW_REMINDER_DAYS_BEFORE:
        return f"{_before(REVIEW_REMINDER_DAYS_BEFORE)}:{review.due_date.isoformat()}"
    return None


def _review_reminders_sent(review_ids) -> set[tuple[str, str]]:
    """{(review id, key)} of the reminders in the audit trail."""
    entries = AuditEntry.objects.filter(
        action="review.reminder",
        object_type=Review._meta.label_lower,
        object_id__in=[str(pk) for pk in review_ids],
    ).values_list("object_id", "changes")
    return {(object_id, changes.get("reminder")) for object_id, changes in entries}


def _reviews_to_remind(today: date) -> list[int]:
    reviews = list(
        Review.objects.filter(status=ReviewStatus.OPEN, due_date__isnull=False).only(
            "pk", "status", "due_date", "paused_since"
        )
    )
    due = {review.pk: _review_reminder_key(review, today) for review in reviews}
    due = {pk: key for pk, key in due.items() if key}
    sent = _review_reminders_sent(due)
    return [pk for pk, key in due.items() if (str(pk), key) not in sent]


def _review_remind(review_id: int, today: date) -> bool:
    with transaction.atomic():
        review = (
            Review.objects.select_for_update(of=("self",))
            .select_related("committee", "submission__registry")
            .get(pk=review_id)
        )
        key = _review_reminder_key(review, today)
        if key is None or (str(review.pk), key) in _review_reminders_sent([review.pk]):
            return False
        overdue = key.startswith(OVERDUE)
        registry = review.submission.registry
        to = committee_emails(review, assigned_first=True)
        subject = (
            _("Overdue: the %(committee)s's review of %(registry)s")
            if overdue
            else _("Due in a week: the %(committee)s's review of %(registry)s")
        ) % {"committee": review.committee.code, "registry": registry.display_acronym}
        _send(
            subject=subject,
            template="email/review_reminder.txt",
            context={
                "review": review,
                "committee": review.committee,
                "registry": registry,
                "overdue": overdue,
                "days_left": days_left(review, today=today),
                "committee_url": portal_url(
                    reverse("reviews:review_detail", kwargs={"pk": review.pk})
                ),
            },
            to=to,
        )
        # Not in the registry's trail: the committee's reminders are its own business.
        audit_record(
            actor=None,
            action="review.reminder",
            obj=review,
            registry=None,
            changes={"reminder": key, "recipients": len(to)},
        )
    return True
