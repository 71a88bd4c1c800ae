from guardian.shortcuts import get_objects_for_user

from register.constants import Role
from register.permissions import can_manage_dossier
from register.roles import has_role

from .models import Review

CHANGE_REVIEW = "reviews.change_review"


def reviews_visible_to(user):
    """Reviews granted to the user's committee (object permission on the committee's group)."""
    if not user.is_authenticated:
        return Review.objects.none()
    return get_objects_for_user(
        user, CHANGE_REVIEW, klass=Review, accept_global_perms=False, with_superuser=False
    )


def can_review(user, review) -> bool:
    return user.is_authenticated and user.has_perm(CHANGE_REVIEW, review)


def can_view_advice(user, advice) -> bool:
    """The advice document: the reviewing committee, the registry's staff, ZIN and SSC-DG."""
    if not user.is_authenticated:
        return False
    review = advice.review
    return (
        can_review(user, review)
        or can_manage_dossier(user, review.submission.registry)
        or has_role(user, Role.ZIN)
        or has_role(user, Role.SECRETARIAT)
    )
