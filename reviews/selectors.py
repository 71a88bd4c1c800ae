from django.db.models import QuerySet

from register.models import Submission

from .constants import POSITIVE_OUTCOMES, CommitteeCode, ReviewStatus
from .models import Advice, Review
from .permissions import reviews_visible_to


def reviews_for_user(user, *, status: str = "") -> QuerySet[Review]:
    reviews = reviews_visible_to(user).select_related(
        "committee", "submission__registry", "submission__dataset_version", "advice"
    )
    if status:
        reviews = reviews.filter(status=status)
    return reviews.order_by("status", "due_date", "-created_at")


def advice_for_submission(submission: Submission) -> dict[str, Advice]:
    """{committee code: advice} for the advice recorded so far."""
    return {
        advice.review.committee.code: advice
        for advice in Advice.objects.filter(review__submission=submission).select_related(
            "review__committee"
        )
    }


def submission_has_positive_advice(submission: Submission) -> bool:
    advice = advice_for_submission(submission)
    return all(
        code in advice and advice[code].outcome in POSITIVE_OUTCOMES for code in CommitteeCode.values
    )


def open_reviews_count(submission: Submission) -> int:
    return Review.objects.filter(submission=submission, status=ReviewStatus.OPEN).count()
