"""The review's states in one table, and the review clock.

The clock pauses while the registry holds the review (a clarification round, the reaction to a
draft advice): the days it held it are added to the due date when the review comes back.
"""

from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from register.exceptions import InvalidTransition

from .constants import REGISTRY_HOLDS, REGISTRY_STATUS
from .constants import ReviewStatus as R

REVIEW_TRANSITIONS: dict[str, set[str]] = {
    R.OPEN: {R.CLARIFICATION, R.DRAFT_ADVICE},
    R.CLARIFICATION: {R.OPEN},
    # The committee may take a draft back to revise it (after the registry's reaction).
    R.DRAFT_ADVICE: {R.ADVISED, R.OPEN},
    R.ADVISED: set(),
}


def check_review_transition(current: str, target: str) -> None:
    if target not in REVIEW_TRANSITIONS.get(current, set()):
        raise InvalidTransition(
            _("A review that is %(current)s cannot become %(target)s.")
            % {"current": R(current).label, "target": R(target).label}
        )


def review_move(review, target: str, *, today: date | None = None) -> dict:
    """Set the review's status and run its clock; the caller saves (within its transaction).

    Returns the audit changes of the move.
    """
    check_review_transition(review.status, target)
    today = today or timezone.localdate()
    changes = {"status": [review.status, target]}
    if target in REGISTRY_HOLDS and review.paused_since is None:
        review.paused_since = today
    elif target not in REGISTRY_HOLDS and review.paused_since is not None:
        held = (today - review.paused_since).days
        review.paused_days += held
        if review.due_date:
            review.due_date += timedelta(days=held)
            changes["due_date"] = review.due_date.isoformat()
        review.paused_since = None
    review.status = target
    return changes


REVIEW_MOVE_FIELDS = ["status", "paused_since", "paused_days", "due_date"]


def registry_status(review):
    """What the registry sees: with the committee, waiting for you, advice given."""
    return REGISTRY_STATUS[review.status]


def days_left(review, *, today: date | None = None) -> int | None:
    """Days until the due date; the clock does not run while the registry holds the review."""
    if review.due_date is None:
        return None
    today = today or timezone.localdate()
    if review.paused_since is not None:
        today = review.paused_since
    return (review.due_date - today).days
