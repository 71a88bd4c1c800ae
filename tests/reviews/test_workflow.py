"""The review's states and its clock (reviews.workflow)."""

from datetime import date

import pytest

from register.exceptions import InvalidTransition
from reviews.constants import RegistryReviewStatus, ReviewStatus
from reviews.models import Review
from reviews.workflow import REVIEW_TRANSITIONS, days_left, registry_status, review_move


def _review(status=ReviewStatus.OPEN, due=date(2026, 6, 30)):
    # Unsaved: the clock is pure arithmetic on the review's fields.
    return Review(status=status, due_date=due)


def test_every_status_has_a_row_and_a_registry_status():
    assert set(REVIEW_TRANSITIONS) == set(ReviewStatus.values)
    for status in ReviewStatus.values:
        assert registry_status(_review(status)) in RegistryReviewStatus.values


def test_registry_sees_simple_statuses():
    assert registry_status(_review(ReviewStatus.OPEN)) == RegistryReviewStatus.WITH_COMMITTEE
    assert (
        registry_status(_review(ReviewStatus.CLARIFICATION)) == RegistryReviewStatus.WAITING_FOR_YOU
    )
    assert (
        registry_status(_review(ReviewStatus.DRAFT_ADVICE)) == RegistryReviewStatus.WAITING_FOR_YOU
    )
    assert registry_status(_review(ReviewStatus.ADVISED)) == RegistryReviewStatus.ADVICE_GIVEN


@pytest.mark.parametrize(
    ("current", "target"),
    [
        (ReviewStatus.ADVISED, ReviewStatus.OPEN),
        (ReviewStatus.CLARIFICATION, ReviewStatus.ADVISED),
        (ReviewStatus.OPEN, ReviewStatus.ADVISED),
        (ReviewStatus.CLARIFICATION, ReviewStatus.DRAFT_ADVICE),
    ],
)
def test_moves_outside_the_table_are_refused(current, target):
    review = _review(current)
    with pytest.raises(InvalidTransition):
        review_move(review, target)
    assert review.status == current


def test_the_clock_pauses_while_the_registry_holds_the_review():
    review = _review()
    review_move(review, ReviewStatus.CLARIFICATION, today=date(2026, 3, 1))
    assert review.paused_since == date(2026, 3, 1)
    # While paused, the days left stay as they were on the day the clock stopped.
    assert days_left(review, today=date(2026, 3, 20)) == days_left(review, today=date(2026, 3, 1))

    changes = review_move(review, ReviewStatus.OPEN, today=date(2026, 3, 15))
    assert review.status == ReviewStatus.OPEN
    assert review.paused_since is None
    assert review.paused_days == 14
    assert review.due_date == date(2026, 7, 14)
    assert changes["due_date"] == "2026-07-14"


def test_pauses_add_up_over_rounds():
    review = _review()
    review_move(review, ReviewStatus.CLARIFICATION, today=date(2026, 3, 1))
    review_move(review, ReviewStatus.OPEN, today=date(2026, 3, 11))
    review_move(review, ReviewStatus.DRAFT_ADVICE, today=date(2026, 4, 1))
    review_move(review, ReviewStatus.ADVISED, today=date(2026, 4, 6))
    assert review.paused_days == 15
    assert review.due_date == date(2026, 7, 15)


def test_days_left_without_due_date_is_none():
    assert days_left(_review(due=None)) is None
