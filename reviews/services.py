"""State changes of committee reviews: one transaction each, permission checked, audited."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm

from register.audit import audit_record
from register.exceptions import DomainError, InvalidTransition, PermissionDenied
from register.models import Submission

from .constants import AdviceOutcome, ReviewStatus
from .models import Advice, Committee, Review
from .permissions import CHANGE_REVIEW, can_review

# The review has taken up to 44 weeks in practice; the secretariat may set another due date.
DEFAULT_REVIEW_WEEKS = 26


def reviews_open(*, submission: Submission) -> list[Review]:
    """One review per committee; the committee's members get the review (object permission)."""
    due = timezone.localdate() + timedelta(weeks=DEFAULT_REVIEW_WEEKS)
    reviews = []
    for committee in Committee.objects.select_related("group"):
        review = Review.objects.create(submission=submission, committee=committee, due_date=due)
        assign_perm(CHANGE_REVIEW, committee.group, review)
        audit_record(
            actor=None,
            action="review.open",
            obj=review,
            registry=submission.registry,
            changes={"committee": committee.code, "due_date": due.isoformat()},
        )
        reviews.append(review)
    if not reviews:
        raise DomainError(_("No committees are configured to review this submission."))
    return reviews


def advice_record(*, review: Review, actor, outcome: str, motivation: str, conditions: str = "") -> Advice:
    """A committee's advice. Conditions are required when the advice is positive with conditions."""
    if not can_review(actor, review):
        raise PermissionDenied(_("Only members of the reviewing committee can give its advice."))
    if outcome not in AdviceOutcome.values:
        raise DomainError(_("Choose an advice."), field="outcome")
    if not motivation.strip():
        raise DomainError(_("Give the motivation for the advice."), field="motivation")
    if outcome == AdviceOutcome.POSITIVE_WITH_CONDITIONS and not conditions.strip():
        raise DomainError(_("State the conditions of the advice."), field="conditions")
    from register.services import submission_mark_advised

    from .tasks import render_advice_document

    with transaction.atomic():
        review = Review.objects.select_for_update().select_related("submission__registry").get(pk=review.pk)
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


def advice_document_render(*, advice_id: int) -> None:
    """Render the advice as a PDF once; safe to run twice."""
    from django.core.files.base import ContentFile

    from register.pdf import render_pdf

    with transaction.atomic():
        advice = (
            Advice.objects.select_for_update()
            .select_related("review__committee", "review__submission__registry", "review__submission__dataset_version")
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
