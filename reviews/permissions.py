from register.constants import Role
from register.permissions import can_manage_dossier, is_granted, is_signed_in, objects_granted
from register.roles import has_role

from .models import Review

CHANGE_REVIEW = "reviews.change_review"


def reviews_visible_to(user):
    """Reviews granted to the user's committee (object permission on the committee's group),
    except those the user declared a conflict of interest for."""
    reviews = objects_granted(user, CHANGE_REVIEW, Review)
    if is_signed_in(user):
        reviews = reviews.exclude(conflicts__member=user)
    return reviews


def can_review(user, review) -> bool:
    """A member of the reviewing committee without a declared conflict of interest."""
    if not is_granted(user, CHANGE_REVIEW, review):
        return False
    return not review.conflicts.filter(member=user).exists()


def can_view_advice(user, advice) -> bool:
    """The advice document: the reviewing committee, the registry's staff, ZIN and SSC-DG."""
    if not is_signed_in(user):
        return False
    review = advice.review
    return (
        can_review(user, review)
        or can_manage_dossier(user, review.submission.registry)
        or has_role(user, Role.ZIN)
        or has_role(user, Role.SECRETARIAT)
    )
