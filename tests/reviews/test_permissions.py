"""Reviews are granted to the committee's group only: superuser status gives no review."""

import pytest
from django.utils import timezone

from register.exceptions import PermissionDenied
from reviews.advice import advice_draft
from reviews.constants import AdviceOutcome
from reviews.models import Advice, Committee
from reviews.permissions import can_review, can_view_advice, reviews_visible_to
from reviews.selectors import reviews_for_user
from reviews.services import reviews_open
from tests.factories import SubmissionFactory, advise

pytestmark = pytest.mark.django_db


@pytest.fixture
def igc_review(registry):
    reviews = reviews_open(submission=SubmissionFactory(dataset_version__registry=registry))
    return next(review for review in reviews if review.committee.code == "IGC")


def test_superuser_without_a_grant_cannot_record_advice_nor_see_reviews(superuser, igc_review):
    assert not can_review(superuser, igc_review)
    assert list(reviews_visible_to(superuser)) == []
    assert list(reviews_for_user(superuser)) == []
    with pytest.raises(PermissionDenied):
        advice_draft(
            review=igc_review,
            actor=superuser,
            outcome=AdviceOutcome.POSITIVE,
            motivation="Ok.",
            reaction_deadline=timezone.localdate(),
        )
    assert not Advice.objects.exists()


def test_superuser_in_the_committee_group_records_its_advice(superuser, igc_review):
    superuser.groups.add(Committee.objects.get(code="IGC").group)
    assert can_review(superuser, igc_review)
    assert list(reviews_for_user(superuser)) == [igc_review]
    advice = advise(igc_review, AdviceOutcome.POSITIVE, actor=superuser, motivation="Ok.")
    assert can_view_advice(superuser, advice)


def test_no_actor_cannot_record_advice(igc_review):
    assert not can_review(None, igc_review)
    assert list(reviews_visible_to(None)) == []
    with pytest.raises(PermissionDenied):
        advice_draft(
            review=igc_review,
            actor=None,
            outcome=AdviceOutcome.POSITIVE,
            motivation="x",
            reaction_deadline=timezone.localdate(),
        )
    assert not Advice.objects.exists()
