from guardian.shortcuts import get_objects_for_user

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
