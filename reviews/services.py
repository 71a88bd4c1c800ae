"""State changes of committee reviews: one transaction each, permission checked, audited."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm

from register.audit import audit_record
from register.constants import SubmissionStage
from register.exceptions import DomainError, InvalidTransition, PermissionDenied
from register.models import Submission

from .constants import AdviceOutcome, CatalogueStage, ReviewStatus
from .models import Advice, Committee, CriteriaCatalogue, Membership, Review
from .permissions import CHANGE_REVIEW, can_review

# The review has taken up to 44 weeks in practice; the secretariat may set another due date.
DEFAULT_REVIEW_WEEKS = 26


def reviews_open(*, submission: Submission) -> list[Review]:
    """One review per committee; the committee's members get the review (object permission)."""
    due = timezone.localdate() + timedelta(weeks=DEFAULT_REVIEW_WEEKS)
    stage = catalogue_stage(submission.stage)
    reviews = []
    for committee in Committee.objects.select_related("group"):
        catalogue = current_catalogue(committee=committee, stage=stage)
        review = Review.objects.create(
            submission=submission,
            committee=committee,
            due_date=due,
            catalogue=catalogue,
            dataset_version_id=submission.dataset_version_id,
        )
        assign_perm(CHANGE_REVIEW, committee.group, review)
        audit_record(
            actor=None,
            action="review.open",
            obj=review,
            registry=submission.registry,
            changes={
                "committee": committee.code,
                "due_date": due.isoformat(),
                "catalogue": catalogue.version if catalogue else None,
            },
        )
        reviews.append(review)
    if not reviews:
        raise DomainError(_("No committees are configured to review this submission."))
    return reviews


def catalogue_stage(submission_stage: str) -> str:
    """The first review has its own catalogue; later stages use the supplementary one."""
    return (
        CatalogueStage.FIRST
        if submission_stage == SubmissionStage.FIRST
        else CatalogueStage.SUPPLEMENTARY
    )


def current_catalogue(*, committee: Committee, stage: str) -> CriteriaCatalogue | None:
    """The newest published catalogue of the committee for the stage; a review keeps it."""
    return (
        CriteriaCatalogue.objects.filter(committee=committee, stage=stage)
        .order_by("-version")
        .first()
    )


def advice_record(
    *, review: Review, actor, outcome: str, motivation: str, conditions: str = ""
) -> Advice:
    """A committee's advice. Conditions are required when the advice is positive with conditions."""
    if not can_review(actor, review):
        raise PermissionDenied(_("Only members of the reviewing committee can give its advice."))
    problems = advice_problems(outcome=outcome, motivation=motivation, conditions=conditions)
    if problems:
        raise problems[0]
    from register.services import submission_mark_advised

    from .tasks import render_advice_document

    with transaction.atomic():
        review = (
            Review.objects.select_for_update()
            .select_related("submission__registry")
            .get(pk=review.pk)
        )
        if review.status != ReviewStatus.OPEN:
            raise InvalidTransition(_("This review has already been concluded with advice."))
        advice = Advice.objects.create(
            review=review,
            outcome=outcome,
            motivation=motivation,
            conditions=conditions,
            given_by=actor,
            given_at=timezone.now(),
        )
        review.status = ReviewStatus.ADVISED
        review.save(update_fields=["status"])
        audit_record(
            actor=actor,
            action="advice.record",
            obj=advice,
            registry=review.submission.registry,
            changes={"committee": review.committee.code, "outcome": outcome},
        )
        submission = Submission.objects.select_for_update().get(pk=review.submission_id)
        if not submission.reviews.filter(status=ReviewStatus.OPEN).exists():
            submission_mark_advised(submission=submission)
        advice_id = advice.pk
        transaction.on_commit(lambda: render_advice_document.delay(advice_id))
    return advice


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


def advice_document_render(*, advice_id: int) -> None:
    """Render the advice as a PDF once; safe to run twice."""
    from django.core.files.base import ContentFile

    from register.pdf import render_pdf

    with transaction.atomic():
        advice = (
            Advice.objects.select_for_update()
            .select_related(
                "review__committee",
                "review__submission__registry",
                "review__submission__dataset_version",
            )
            .get(pk=advice_id)
        )
        if advice.document:
            return
        pdf = render_pdf("pdf/advice.html", {"advice": advice, "review": advice.review})
        registry = advice.review.submission.registry
        advice.document.save(
            f"advies-{advice.review.committee.code.lower()}-{registry.acronym}-{advice.pk}.pdf",
            ContentFile(pdf),
            save=False,
        )
        advice.save(update_fields=["document"])


# --- Committee membership ---------------------------------------------------------------------


def membership_save(*, membership: Membership, actor) -> Membership:
    """Save a membership and keep the committee's group in step with it.

    Reviews are granted to the committee's auth group (``reviews_open``), so a member outside
    the group would see nothing, and a former member left in it would keep seeing everything.
    """
    with transaction.atomic():
        previous = (
            Membership.objects.select_related("committee__group").filter(pk=membership.pk).first()
            if membership.pk
            else None
        )
        membership.full_clean()
        membership.save()
        if previous and (previous.committee_id, previous.user_id) != (
            membership.committee_id,
            membership.user_id,
        ):
            _leave_group(user=previous.user, committee=previous.committee)
        membership.user.groups.add(membership.committee.group)
        audit_record(
            actor=actor,
            action="membership.save",
            obj=membership,
            changes={
                "committee": membership.committee.code,
                "user": membership.user.get_username(),
                "perspective": membership.perspective,
                "is_chair": membership.is_chair,
            },
        )
    return membership


def membership_remove(*, membership: Membership, actor) -> None:
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="membership.remove",
            obj=membership,
            changes={
                "committee": membership.committee.code,
                "user": membership.user.get_username(),
            },
        )
        user, committee = membership.user, membership.committee
        membership.delete()
        _leave_group(user=user, committee=committee)


def _leave_group(*, user, committee: Committee) -> None:
    if not Membership.objects.filter(user=user, committee=committee).exists():
        user.groups.remove(committee.group)
