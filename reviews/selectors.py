from dataclasses import dataclass
from datetime import date

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When

from register.models import Document, Submission
from register.selectors import documents_with_history, version_extras

from .constants import (
    ADVICE_TERM_YEARS,
    POSITIVE_OUTCOMES,
    AdviceStatus,
    CommitteeCode,
    ReviewStatus,
)
from .models import Advice, Review
from .permissions import can_view_advice, reviews_visible_to


def reviews_for_user(user, *, status: str = "") -> QuerySet[Review]:
    reviews = reviews_visible_to(user).select_related(
        "committee", "submission__registry", "submission__dataset_version", "advice"
    )
    if status:
        reviews = reviews.filter(status=status)
    # Open reviews first (ordering on the status text put "advised" before "open").
    open_first = Case(
        When(status=ReviewStatus.OPEN, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return reviews.order_by(open_first, "due_date", "-created_at", "-pk")


def advice_for_submission(submission: Submission) -> dict[str, Advice]:
    """{committee code: advice} for the definitive advice so far (a draft is not advice yet)."""
    return {
        advice.review.committee.code: advice
        for advice in Advice.objects.filter(
            review__submission=submission, status=AdviceStatus.DEFINITIVE
        ).select_related("review__committee")
    }


def submission_has_positive_advice(submission: Submission) -> bool:
    advice = advice_for_submission(submission)
    return all(
        code in advice and advice[code].outcome in POSITIVE_OUTCOMES
        for code in CommitteeCode.values
    )


def open_reviews_count(submission: Submission) -> int:
    return Review.objects.filter(submission=submission, status=ReviewStatus.OPEN).count()


# --- The HTML area of the committees (/reviews/) --------------------------------------------


def review_for_user(user, *, pk: int) -> Review:
    """One review granted to the user's committee, with the submission's registry facts.

    Raises Review.DoesNotExist for a review of another committee, so the caller answers 404
    and gives away nothing about it.
    """
    return (
        reviews_visible_to(user)
        .select_related(
            "committee",
            "advice__given_by",
            "submission__registry__holder",
            "submission__dataset_version",
        )
        .prefetch_related("submission__registry__care_types")
        .get(pk=pk)
    )


def review_dossier(*, review: Review) -> dict:
    """Indicators, pseudonym requests and documents of the submission under review."""
    submission = review.submission
    return {
        **version_extras(dataset_version=submission.dataset_version),
        # The registry's current standing documents and those filed with this submission, each
        # with its history; the committees may read confidential ones
        # (register.selectors.document_for_download).
        "documents": documents_with_history(
            Document.objects.filter(registry_id=submission.registry_id)
            .filter(Q(submission__isnull=True) | Q(submission_id=submission.pk))
            .order_by("kind", "-uploaded_at")
        ),
    }


def advice_for_download(user, *, review_pk: int) -> Advice | None:
    """The review's advice with a rendered document, if the user may read it; else None."""
    advice = (
        Advice.objects.select_related("review__committee", "review__submission__registry")
        .filter(review_id=review_pk)
        .exclude(document="")
        .first()
    )
    if advice is None or not can_view_advice(user, advice):
        return None
    return advice


# --- F: the advice as the registry and the public register see it ------------------------------


def registry_advice(registry, *, pk: int) -> Advice | None:
    """One advice of the registry as its staff may see it: the draft while it is out, the
    definitive advice once concluded; None for a draft the committee took back, or an advice of
    another registry. Never with positions or notes."""
    from .advice import advice_for_registry

    advice = (
        Advice.objects.select_related(
            "review__committee",
            "review__submission__registry",
            "review__submission__dataset_version",
        )
        .filter(pk=pk, review__submission__registry=registry)
        .first()
    )
    return advice_for_registry(advice)


@dataclass
class AdviceStanding:
    """Per committee its latest definitive advice, and what the register shows of them."""

    advice: dict  # {committee code: Advice}, latest definitive advice per committee
    term_years: int = ADVICE_TERM_YEARS

    @property
    def committees(self) -> list:
        return [self.advice[code] for code in CommitteeCode.values if code in self.advice]

    @property
    def jointly_positive(self) -> bool:
        return all(
            code in self.advice and self.advice[code].outcome in POSITIVE_OUTCOMES
            for code in CommitteeCode.values
        )

    @property
    def unanimously_positive(self) -> bool:
        """IGC and DGC both gave a positive advice, each unanimously: ZN finances only such
        registries (DOMAIN.md)."""
        return self.jointly_positive and all(
            self.advice[code].unanimous for code in CommitteeCode.values
        )

    @property
    def reassessment_due(self):
        """When the joint positive advice runs out: the earlier of the two terms."""
        if not self.jointly_positive:
            return None
        terms = [self.advice[code].valid_until for code in CommitteeCode.values]
        return min((term for term in terms if term), default=None)


def registry_advice_standing(registry) -> AdviceStanding:
    """The latest definitive advice of each committee on the registry. One query, whatever the
    number of submissions (the public page keeps a constant number of queries)."""
    latest: dict = {}
    for advice in (
        Advice.objects.filter(review__submission__registry=registry, status=AdviceStatus.DEFINITIVE)
        .select_related("review__committee")
        .order_by("-definitive_at", "-pk")
    ):
        latest.setdefault(advice.review.committee.code, advice)
    return AdviceStanding(advice=latest)


@dataclass
class PublicAdvice:
    """What the public register shows of the committees' advice on a registry.

    The outcomes and "unanimously positive" only with the registry's consent (DOMAIN.md, the
    process, 4); the date of re-assessment also without it once the registry is included, as
    it belongs to the registration.
    """

    committees: list  # the latest definitive advice per committee, when consented
    has_advice: bool  # whether there is definitive advice at all (published or not)
    consented: bool
    unanimously_positive: bool
    reassessment_due: date | None
    term_years: int = ADVICE_TERM_YEARS


def public_advice(registry, *, included: bool) -> PublicAdvice:
    """The committees' advice as the public page and the open-data API show it. One query."""
    standing = registry_advice_standing(registry)
    consented = registry.publish_advice_consent
    return PublicAdvice(
        committees=standing.committees if consented else [],
        has_advice=bool(standing.committees),
        consented=consented,
        unanimously_positive=consented and standing.unanimously_positive,
        reassessment_due=standing.reassessment_due if consented or included else None,
    )
