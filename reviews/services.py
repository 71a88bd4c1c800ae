"""State changes of committee reviews: one transaction each, permission checked, audited."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm

from register.audit import audit_record
from register.constants import SubmissionStage
from register.exceptions import DomainError
from register.models import Submission

from .constants import CatalogueStage
from .models import Committee, CriteriaCatalogue, Membership, Review
from .permissions import CHANGE_REVIEW

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
