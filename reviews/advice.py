"""A committee's advice: conflicts of interest, the draft, members' positions, the registry's
reaction, the definitive advice and its PDF.

The flow (DOMAIN.md, how the review works; issue 4 items 3 and 5):

- A member with a conflict of interest declares it and is excluded from the review from then on
  (reviews.permissions leaves the review out for that member; here they do not count as
  participants).
- The committee sends a draft advice (review OPEN → DRAFT_ADVICE: the registry holds the review
  and its clock pauses, reviews.workflow). While in draft the committee may revise it or take it
  back (DRAFT_ADVICE → OPEN).
- Each participating member records a position on the draft; the advice is unanimous only when
  every participating member recorded agreement.
- The registry may react until the reaction deadline. The chair concludes once the registry has
  reacted or the deadline has passed; a draft whose deadline passed without a reaction becomes
  definitive by itself (``advice_finalise_lapsed``, run by Celery beat).
- A definitive advice never changes. A positive one is valid for ADVICE_TERM_YEARS; a new
  review round (a new submission) makes a new review and a new advice.

What is internal to the committee (positions, conflicts) is audited without the registry, so it
does not appear in the registry's audit trail on its dossier page.
"""

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from register.audit import audit_record, field_changes
from register.exceptions import DomainError, InvalidTransition, PermissionDenied
from register.models import Submission
from register.permissions import can_manage_dossier

from .constants import (
    ADVICE_TERM_YEARS,
    POSITIVE_OUTCOMES,
    AdviceOutcome,
    AdviceStatus,
    Position,
    RenderStatus,
    ReviewStatus,
    Verdict,
)
from .models import Advice, ConflictOfInterest, MemberPosition, Membership, Review
from .permissions import can_review
from .workflow import REVIEW_MOVE_FIELDS, review_move

logger = logging.getLogger(__name__)

# The reaction deadline the draft form suggests; the committee sets the real one.
DEFAULT_REACTION_DAYS = 28
ADVICE_TEXT_FIELDS = ["outcome", "motivation", "conditions"]
RENDER_ERROR_MAX = 1000
# The advice document's own text is Dutch (templates/pdf/advice.html); its labels follow.
ADVICE_DOCUMENT_LANGUAGE = "nl"


# --- Who takes part ----------------------------------------------------------------------------


def participants(review: Review) -> list[Membership]:
    """The committee's members without a declared conflict of interest for the review, chair
    first, then by perspective. One query."""
    return list(
        Membership.objects.filter(committee_id=review.committee_id)
        .exclude(user__in=ConflictOfInterest.objects.filter(review=review).values("member"))
        .select_related("user")
        .order_by("-is_chair", "perspective", "user__last_name", "user__username")
    )


def is_participant(user, review: Review) -> bool:
    """A member of the reviewing committee (membership and the committee's grant) without a
    declared conflict of interest."""
    return (
        can_review(user, review)
        and Membership.objects.filter(committee_id=review.committee_id, user=user).exists()
    )


def is_chair(user, review: Review) -> bool:
    """Whether the user presides over the review: the committee's chair, or, when the chair has
    declared a conflict of interest (or there is none), the participating member first in the
    committee's order (perspective, then name) acts as chair, so the advice can still be
    concluded by hand."""
    if not can_review(user, review):
        return False
    members = participants(review)
    return bool(members) and members[0].user_id == user.pk


# --- Conflicts of interest ---------------------------------------------------------------------


def conflict_declare(*, review: Review, actor, reason: str) -> ConflictOfInterest:
    """A member declares a conflict of interest and is excluded from the review from then on:
    the member no longer sees the review nor acts on it, and no longer counts as a participant
    (a position recorded earlier no longer counts either)."""
    if not can_review(actor, review):
        raise PermissionDenied(
            _("Only members of the reviewing committee can declare a conflict of interest.")
        )
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Describe the conflict of interest."), field="reason")
    with transaction.atomic():
        review = (
            Review.objects.select_for_update(of=("self",))
            .select_related("committee")
            .get(pk=review.pk)
        )
        if review.conflicts.filter(member=actor).exists():
            raise InvalidTransition(_("You have already declared a conflict of interest."))
        conflict = ConflictOfInterest.objects.create(review=review, member=actor, reason=reason)
        # Internal to the committee: not in the registry's audit trail.
        audit_record(
            actor=actor,
            action="conflict.declare",
            obj=conflict,
            changes={
                "committee": review.committee.code,
                "review": review.pk,
                "member": actor.get_username(),
                "reason": reason,
            },
        )
    return conflict


# --- The draft advice --------------------------------------------------------------------------


def advice_problems(*, outcome: str, motivation: str, conditions: str = "") -> list[DomainError]:
    """What is missing from an advice, every problem at once (a form shows them together).

    An advice needs an outcome and a motivation; conditions are required when the advice is
    positive with conditions.
    """
    problems = []
    if outcome not in AdviceOutcome.values:
        problems.append(DomainError(_("Choose an advice."), field="outcome"))
    if not (motivation or "").strip():
        problems.append(DomainError(_("Give the motivation for the advice."), field="motivation"))
    if outcome == AdviceOutcome.POSITIVE_WITH_CONDITIONS and not (conditions or "").strip():
        problems.append(DomainError(_("State the conditions of the advice."), field="conditions"))
    return problems


def reaction_deadline_problem(deadline: date | None, *, today: date) -> DomainError | None:
    if deadline is None:
        return DomainError(
            _("Give the date until which the registry may react."), field="reaction_deadline"
        )
    if deadline < today:
        return DomainError(
            _("The reaction deadline %(date)s is in the past: choose today or a later date.")
            % {"date": deadline.isoformat()},
            field="reaction_deadline",
        )
    return None


def advice_draft(
    *,
    review: Review,
    actor,
    outcome: str,
    motivation: str,
    conditions: str = "",
    reaction_deadline: date | None,
    today: date | None = None,
) -> Advice:
    """Send the draft advice to the registry, or revise the draft while it is out.

    Review OPEN → DRAFT_ADVICE (the registry holds the review; the clock pauses). In
    DRAFT_ADVICE the committee may revise the draft: every change is audited, and a change of
    the text clears the members' positions (they agreed to another text). A positive advice is
    refused while a knock-out criterion is not met (reviews.criteria). The reaction deadline
    may not be in the past. A draft taken back and sent again is a new round for the registry:
    its earlier reaction (kept in the audit trail) is cleared.
    """
    from .criteria import positive_advice_possible

    if not can_review(actor, review):
        raise PermissionDenied(_("Only members of the reviewing committee can draft its advice."))
    today = today or timezone.localdate()
    conditions = (conditions or "").strip() if outcome != AdviceOutcome.NEGATIVE else ""
    motivation = (motivation or "").strip()
    problems = advice_problems(outcome=outcome, motivation=motivation, conditions=conditions)
    if problems:
        raise problems[0]
    with transaction.atomic():
        review = (
            Review.objects.select_for_update(of=("self",))
            .select_related("committee", "submission__registry")
            .get(pk=review.pk)
        )
        advice = Advice.objects.select_for_update().filter(review=review).first()
        if advice is not None and advice.status == AdviceStatus.DEFINITIVE:
            raise _concluded()
        if review.status not in (ReviewStatus.OPEN, ReviewStatus.DRAFT_ADVICE):
            raise InvalidTransition(
                _("A draft advice cannot be sent while the review is %(status)s.")
                % {"status": review.get_status_display()}
            )
        revising = review.status == ReviewStatus.DRAFT_ADVICE
        if not revising or reaction_deadline != advice.reaction_deadline:
            problem = reaction_deadline_problem(reaction_deadline, today=today)
            if problem:
                raise problem
        if outcome in POSITIVE_OUTCOMES and not positive_advice_possible(review):
            raise DomainError(
                _(
                    "A positive advice is not possible: a knock-out criterion is not met or not "
                    "yet assessed. See the criteria of this review."
                ),
                field="outcome",
            )
        values = {
            "outcome": outcome,
            "motivation": motivation,
            "conditions": conditions,
            "reaction_deadline": reaction_deadline,
        }
        registry = review.submission.registry
        if revising:
            before = {name: getattr(advice, name) for name in values}
            changes = field_changes(before, values)
            if not changes:
                return advice
            for name, value in values.items():
                setattr(advice, name, value)
            advice.save(update_fields=list(values))
            if any(name in changes for name in ADVICE_TEXT_FIELDS):
                # The members agreed to the earlier text; they take a position on this one.
                advice.positions.all().delete()
            audit_record(
                actor=actor, action="advice.revise", obj=advice, registry=registry, changes=changes
            )
            return advice
        move = review_move(review, ReviewStatus.DRAFT_ADVICE, today=today)
        review.save(update_fields=REVIEW_MOVE_FIELDS)
        if advice is None:
            advice = Advice(review=review)
        for name, value in values.items():
            setattr(advice, name, value)
        advice.status = AdviceStatus.DRAFT
        advice.given_by = actor
        advice.given_at = timezone.now()
        advice.registry_reaction = ""
        advice.reacted_at = None
        advice.save()
        advice.positions.all().delete()  # a draft sent again starts a new round of positions
        audit_record(
            actor=actor,
            action="advice.draft",
            obj=advice,
            registry=registry,
            changes={
                "committee": review.committee.code,
                "outcome": outcome,
                "reaction_deadline": reaction_deadline.isoformat(),
                "review": move,
            },
        )
    return advice


def advice_withdraw(*, advice: Advice, actor) -> Advice:
    """The committee takes its draft back to revise it (DRAFT_ADVICE → OPEN); the registry sees
    the review with the committee again. The draft stays, to be sent again."""
    review = advice.review
    if not can_review(actor, review):
        raise PermissionDenied(_("Only members of the reviewing committee can take back a draft."))
    with transaction.atomic():
        advice, review = _lock(advice)
        _require_draft(advice, review)
        move = review_move(review, ReviewStatus.OPEN)
        review.save(update_fields=REVIEW_MOVE_FIELDS)
        audit_record(
            actor=actor,
            action="advice.withdraw",
            obj=advice,
            registry=review.submission.registry,
            changes={"committee": review.committee.code, "review": move},
        )
    return advice


# --- Positions of the members ------------------------------------------------------------------


def position_record(*, advice: Advice, actor, position: str, note: str = "") -> MemberPosition:
    """A participating member records agreement or disagreement with the draft (or changes it
    while the draft is out). Internal to the committee: the registry never sees positions."""
    review = advice.review
    if not is_participant(actor, review):
        raise PermissionDenied(
            _("Only participating members of the committee can take a position on its advice.")
        )
    if position not in Position.values:
        raise DomainError(_("Choose whether you agree with the draft."), field="position")
    note = (note or "").strip()
    with transaction.atomic():
        advice, review = _lock(advice)
        _require_draft(advice, review)
        existing = MemberPosition.objects.filter(advice=advice, member=actor).first()
        before = existing.position if existing else None
        record, _created = MemberPosition.objects.update_or_create(
            advice=advice,
            member=actor,
            defaults={"position": position, "note": note, "recorded_at": timezone.now()},
        )
        audit_record(
            actor=actor,
            action="advice.position",
            obj=advice,
            changes={
                "committee": review.committee.code,
                "member": actor.get_username(),
                "position": [before, position] if before else position,
            },
        )
    return record


@dataclass
class Unanimity:
    """Who takes part in the advice and where each stands. ``unanimous`` only when every
    participating member recorded agreement."""

    participants: list[Membership] = field(default_factory=list)
    agreed: list[Membership] = field(default_factory=list)
    disagreed: list[Membership] = field(default_factory=list)
    not_recorded: list[Membership] = field(default_factory=list)

    @property
    def unanimous(self) -> bool:
        return bool(self.participants) and len(self.agreed) == len(self.participants)


def advice_unanimity(advice: Advice) -> Unanimity:
    """Positions of the participating members (members with a declared conflict do not count,
    nor do positions of people no longer on the committee). Each membership gets ``.position``
    (the MemberPosition or None). Two queries."""
    members = participants(advice.review)
    positions = {p.member_id: p for p in MemberPosition.objects.filter(advice=advice)}
    result = Unanimity(participants=members)
    for membership in members:
        membership.position = positions.get(membership.user_id)
        if membership.position is None:
            result.not_recorded.append(membership)
        elif membership.position.position == Position.AGREE:
            result.agreed.append(membership)
        else:
            result.disagreed.append(membership)
    return result


# --- The registry's reaction -------------------------------------------------------------------


def advice_react(*, advice: Advice, actor, reaction: str, today: date | None = None) -> Advice:
    """The registry reacts to the draft advice, once, until the reaction deadline (inclusive).

    A late reaction is refused with the deadline named; the caller keeps the text in its form.
    """
    registry = advice.review.submission.registry
    if not can_manage_dossier(actor, registry):
        raise PermissionDenied(_("Only the registry's staff can react to its draft advice."))
    reaction = (reaction or "").strip()
    if not reaction:
        raise DomainError(_("Write your reaction to the draft advice."), field="reaction")
    today = today or timezone.localdate()
    with transaction.atomic():
        advice, review = _lock(advice)
        _require_draft(advice, review)
        if advice.reacted_at is not None:
            raise InvalidTransition(
                _("You have already reacted to this draft advice."), field="reaction"
            )
        if advice.reaction_deadline is not None and today > advice.reaction_deadline:
            raise InvalidTransition(
                _(
                    "The deadline for reacting to this draft advice was %(date)s: your reaction "
                    "can no longer be recorded. Contact the committee's secretariat."
                )
                % {"date": advice.reaction_deadline.isoformat()},
                field="reaction",
            )
        advice.registry_reaction = reaction
        advice.reacted_at = timezone.now()
        advice.save(update_fields=["registry_reaction", "reacted_at"])
        audit_record(
            actor=actor,
            action="advice.react",
            obj=advice,
            registry=registry,
            changes={"committee": review.committee.code, "registry_reaction": reaction},
        )
    return advice


# --- The definitive advice ---------------------------------------------------------------------


def advice_concludable(advice: Advice, *, today: date | None = None) -> bool:
    """The registry has had its say: it reacted, or its deadline passed."""
    today = today or timezone.localdate()
    return advice.reacted_at is not None or (
        advice.reaction_deadline is not None and today > advice.reaction_deadline
    )


def advice_conclude(*, advice: Advice, actor, today: date | None = None) -> Advice:
    """The chair makes the draft definitive (DRAFT_ADVICE → ADVISED), once the registry has
    reacted or its reaction deadline has passed (hoor en wederhoor)."""
    if not is_chair(actor, advice.review):
        raise PermissionDenied(
            _("Only the committee's chair (or its acting chair) can conclude its advice.")
        )
    today = today or timezone.localdate()
    with transaction.atomic():
        advice, review = _lock(advice)
        _require_draft(advice, review)
        if not advice_concludable(advice, today=today):
            raise InvalidTransition(
                _(
                    "The registry may react to the draft until %(date)s: conclude the advice "
                    "after it has reacted or after that date."
                )
                % {"date": advice.reaction_deadline.isoformat()}
            )
        _make_definitive(advice, review, actor=actor, today=today)
    return advice


def advice_finalise_lapsed(*, today: date | None = None) -> int:
    """Drafts whose reaction deadline passed without a reaction become definitive (concluded by
    no one: the system). Safe to run twice. Returns how many became definitive."""
    today = today or timezone.localdate()
    lapsed = Advice.objects.filter(
        status=AdviceStatus.DRAFT,
        review__status=ReviewStatus.DRAFT_ADVICE,
        reacted_at__isnull=True,
        reaction_deadline__lt=today,
    ).values_list("pk", flat=True)
    count = 0
    for advice_id in list(lapsed):
        with transaction.atomic():
            advice, review = _lock(Advice(pk=advice_id))
            if (
                advice.status != AdviceStatus.DRAFT
                or review.status != ReviewStatus.DRAFT_ADVICE
                or not advice_concludable(advice, today=today)
                or advice.reacted_at is not None
            ):
                continue  # concluded, reacted to or taken back meanwhile
            try:
                _make_definitive(advice, review, actor=None, today=today)
            except DomainError as error:
                logger.warning("Draft advice %s not finalised: %s", advice_id, error.message)
                continue
            count += 1
    return count


def advice_valid_until(definitive: date, outcome: str) -> date | None:
    """A positive advice is valid for ADVICE_TERM_YEARS (29 February → 28 February)."""
    if outcome not in POSITIVE_OUTCOMES:
        return None
    year = definitive.year + ADVICE_TERM_YEARS
    try:
        return definitive.replace(year=year)
    except ValueError:
        return definitive.replace(year=year, day=28)


def _make_definitive(advice: Advice, review: Review, *, actor, today: date) -> None:
    """Within the caller's transaction, with advice and review locked."""
    from register.services import submission_mark_advised

    from .criteria import positive_advice_possible
    from .tasks import render_advice_document

    if advice.outcome in POSITIVE_OUTCOMES and not positive_advice_possible(review):
        raise InvalidTransition(
            _(
                "A positive advice is no longer possible: a knock-out criterion is not met. Take "
                "the draft back and revise it."
            )
        )
    unanimity = advice_unanimity(advice)
    move = review_move(review, ReviewStatus.ADVISED, today=today)
    review.save(update_fields=REVIEW_MOVE_FIELDS)
    advice.status = AdviceStatus.DEFINITIVE
    advice.definitive_at = timezone.now()
    advice.concluded_by = actor
    advice.valid_until = advice_valid_until(today, advice.outcome)
    advice.unanimous = unanimity.unanimous
    advice.render_status = RenderStatus.PENDING
    advice.render_progress = 0
    advice.render_error = ""
    advice.save(
        update_fields=[
            "status",
            "definitive_at",
            "concluded_by",
            "valid_until",
            "unanimous",
            "render_status",
            "render_progress",
            "render_error",
        ]
    )
    audit_record(
        actor=actor,
        action="advice.conclude" if actor is not None else "advice.lapse",
        obj=advice,
        registry=review.submission.registry,
        changes={
            "committee": review.committee.code,
            "outcome": advice.outcome,
            "valid_until": advice.valid_until.isoformat() if advice.valid_until else None,
            "unanimous": unanimity.unanimous,
            "review": move,
        },
    )
    submission = Submission.objects.select_for_update().get(pk=review.submission_id)
    if not submission.reviews.exclude(status=ReviewStatus.ADVISED).exists():
        submission_mark_advised(submission=submission)
    advice_id = advice.pk
    transaction.on_commit(lambda: render_advice_document.delay(advice_id))


def _lock(advice: Advice) -> tuple[Advice, Review]:
    review = (
        Review.objects.select_for_update(of=("self",))
        .select_related("committee", "submission__registry")
        .get(advice__pk=advice.pk)
    )
    advice = Advice.objects.select_for_update().get(pk=advice.pk)
    advice.review = review
    return advice, review


def _concluded() -> InvalidTransition:
    return InvalidTransition(_("This advice is definitive and can no longer be changed."))


def _require_draft(advice: Advice, review: Review) -> None:
    if advice.status == AdviceStatus.DEFINITIVE:
        raise _concluded()
    if review.status != ReviewStatus.DRAFT_ADVICE:
        raise InvalidTransition(_("There is no draft advice out: the committee took it back."))


# --- The advice document (PDF) -----------------------------------------------------------------


def advice_render_request(*, advice: Advice, actor) -> Advice:
    """Render the PDF again after a failure (or when no worker picked it up)."""
    from .tasks import render_advice_document

    if not can_review(actor, advice.review):
        raise PermissionDenied(
            _("Only members of the reviewing committee can render the advice again.")
        )
    with transaction.atomic():
        advice, review = _lock(advice)
        if advice.status != AdviceStatus.DEFINITIVE:
            raise InvalidTransition(_("Only a definitive advice has a document."))
        if advice.document:
            raise InvalidTransition(_("The advice document is ready."))
        if advice.render_status == RenderStatus.RUNNING:
            raise InvalidTransition(_("The advice document is being rendered."))
        advice.render_status = RenderStatus.PENDING
        advice.render_progress = 0
        advice.render_error = ""
        advice.save(update_fields=["render_status", "render_progress", "render_error"])
        audit_record(
            actor=actor,
            action="advice.render_request",
            obj=advice,
            changes={"committee": review.committee.code},
        )
        advice_id = advice.pk
        transaction.on_commit(lambda: render_advice_document.delay(advice_id))
    return advice


def _render_state(advice_id: int, **values) -> None:
    with transaction.atomic():
        Advice.objects.filter(pk=advice_id).update(**values)


def advice_document_render(*, advice_id: int) -> None:
    """Render the definitive advice as a PDF once; safe to run twice.

    Progress is written as it goes (pending → running → done), each step in its own transaction
    so the advice page can show it. A failure is kept with its message (status failed) for the
    committee to retry; nothing else is lost.
    """
    from django.core.files.base import ContentFile

    from register.pdf import render_pdf

    with transaction.atomic():
        advice = Advice.objects.select_for_update().get(pk=advice_id)
        if advice.status != AdviceStatus.DEFINITIVE:
            return
        if advice.document:
            if advice.render_status != RenderStatus.DONE:
                advice.render_status, advice.render_progress = RenderStatus.DONE, 100
                advice.save(update_fields=["render_status", "render_progress"])
            return
        advice.render_status, advice.render_progress, advice.render_error = (
            RenderStatus.RUNNING,
            10,
            "",
        )
        advice.save(update_fields=["render_status", "render_progress", "render_error"])
    try:
        # The advice is a Dutch document, whatever the language of whoever triggered it.
        with translation.override(ADVICE_DOCUMENT_LANGUAGE):
            context = advice_document_context(advice_id=advice_id)
            _render_state(advice_id, render_progress=40)
            pdf = render_pdf("pdf/advice.html", context)
        _render_state(advice_id, render_progress=80)
    except Exception as error:  # noqa: BLE001 — any failure is kept for the committee to see
        logger.exception("Rendering the advice document %s failed", advice_id)
        message = f"{type(error).__name__}: {error}"[:RENDER_ERROR_MAX]
        with transaction.atomic():
            advice = Advice.objects.select_for_update().get(pk=advice_id)
            if advice.document:
                return  # another run succeeded meanwhile
            advice.render_status = RenderStatus.FAILED
            advice.render_progress = 0
            advice.render_error = message
            advice.save(update_fields=["render_status", "render_progress", "render_error"])
            audit_record(
                actor=None, action="advice.render_failed", obj=advice, changes={"error": message}
            )
        return
    with transaction.atomic():
        advice = (
            Advice.objects.select_for_update(of=("self",))
            .select_related("review__committee", "review__submission__registry")
            .get(pk=advice_id)
        )
        if advice.document:
            return
        registry = advice.review.submission.registry
        advice.document.save(
            f"advies-{advice.review.committee.code.lower()}-{registry.acronym}-{advice.pk}.pdf",
            ContentFile(pdf),
            save=False,
        )
        advice.render_status, advice.render_progress, advice.render_error = (
            RenderStatus.DONE,
            100,
            "",
        )
        advice.save(update_fields=["document", "render_status", "render_progress", "render_error"])


@dataclass
class JudgementsOverview:
    """The variable judgements as the advice reports them: counts per verdict and the rejected
    and questioned variables with the committee's motivation."""

    variables: int
    counts: list[tuple[str, str, int]]  # (verdict, label, count)
    not_judged: int
    flagged: list  # VariableJudgement, rejected or questioned, with .variable


def advice_judgements_overview(review: Review) -> JudgementsOverview:
    """Three queries."""
    from .judgements import judgement_summary
    from .models import VariableJudgement

    summary = judgement_summary(review)
    version_id = review.dataset_version_id or review.submission.dataset_version_id
    flagged = list(
        VariableJudgement.objects.filter(
            review=review,
            variable__dataset_version_id=version_id,
            verdict__in=[Verdict.REJECT, Verdict.QUESTION],
        )
        .select_related("variable")
        .order_by("verdict", "variable__code")
    )
    return JudgementsOverview(
        variables=summary.variables,
        counts=[(value, label, summary.counts.get(value, 0)) for value, label in Verdict.choices],
        not_judged=summary.not_judged,
        flagged=flagged,
    )


def advice_document_context(*, advice_id: int) -> dict:
    """What the advice PDF shows: the advice, the criteria verdicts, the variable judgements,
    conditions, term and whether the advice was unanimous (no member names)."""
    from .criteria import criteria_summary

    advice = Advice.objects.select_related(
        "concluded_by",
        "review__committee",
        "review__catalogue",
        "review__dataset_version",
        "review__submission__registry__holder",
        "review__submission__dataset_version",
    ).get(pk=advice_id)
    review = advice.review
    return {
        "advice": advice,
        "review": review,
        "registry": review.submission.registry,
        "version": review.dataset_version or review.submission.dataset_version,
        "criteria": criteria_summary(review),
        "judgements": advice_judgements_overview(review),
        "term_years": ADVICE_TERM_YEARS,
    }


# --- Reading the advice ------------------------------------------------------------------------


def advice_default_deadline(today: date | None = None) -> date:
    return (today or timezone.localdate()) + timedelta(days=DEFAULT_REACTION_DAYS)


def advice_for_registry(advice: Advice | None) -> Advice | None:
    """What the registry may see of an advice: the draft while it is out, the definitive
    advice once concluded; nothing of a draft the committee took back."""
    if advice is None:
        return None
    if advice.status == AdviceStatus.DEFINITIVE:
        return advice
    if advice.review.status == ReviewStatus.DRAFT_ADVICE:
        return advice
    return None
