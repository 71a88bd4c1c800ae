"""Services, selectors and permissions of committee reviews."""

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from register.constants import Purpose, SubmissionStage, SubmissionStatus
from register.exceptions import DomainError, InvalidTransition, PermissionDenied
from register.models import AuditEntry
from register.selectors import version_table_page
from register.services import dataset_version_create, dataset_version_submit, variable_save
from reviews.advice import advice_draft, advice_problems
from reviews.constants import AdviceOutcome, Perspective, ReviewStatus
from reviews.models import Advice, Committee, Membership
from reviews.permissions import can_review, can_view_advice
from reviews.selectors import advice_for_download, reviews_for_user
from reviews.services import membership_remove, membership_save
from tests.factories import UserFactory, advise, clean_dossier

pytestmark = pytest.mark.django_db


def _submit(registry, user, variables=1):
    version = dataset_version_create(registry=registry, actor=user, copy_previous=False)
    for n in range(variables):
        variable_save(
            dataset_version=version,
            actor=user,
            data={"code": f"V{n:03d}", "name": f"Variabele {n}", "necessity": "Nodig."},
            requirements={"AZ": "base"},
        )
    clean_dossier(version, SubmissionStage.FIRST)
    return dataset_version_submit(dataset_version=version, actor=user, stage=SubmissionStage.FIRST)


@pytest.fixture
def submission(registry, registry_user):
    return _submit(registry, registry_user)


@pytest.fixture
def igc_review(submission):
    return submission.reviews.get(committee__code="IGC")


@pytest.fixture
def dgc_review(submission):
    return submission.reviews.get(committee__code="DGC")


# --- Advice ----------------------------------------------------------------------------------


def test_advice_problems_names_every_missing_field():
    problems = advice_problems(outcome="maybe", motivation=" ", conditions="")
    assert [p.field for p in problems] == ["outcome", "motivation"]
    problems = advice_problems(
        outcome=AdviceOutcome.POSITIVE_WITH_CONDITIONS, motivation="Ja", conditions=""
    )
    assert [p.field for p in problems] == ["conditions"]
    assert advice_problems(outcome=AdviceOutcome.NEGATIVE, motivation="Nee") == []


def test_conditions_required_for_positive_with_conditions(igc_review, igc_user):
    with pytest.raises(DomainError) as error:
        advice_draft(
            review=igc_review,
            actor=igc_user,
            outcome=AdviceOutcome.POSITIVE_WITH_CONDITIONS,
            motivation="Mits.",
            reaction_deadline=timezone.localdate(),
        )
    assert error.value.field == "conditions"
    assert not Advice.objects.exists()


def test_advice_writes_advice_status_and_audit(
    igc_review, igc_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        advice = advise(
            igc_review,
            AdviceOutcome.NEGATIVE,
            actor=igc_user,
            motivation="Onvoldoende draagvlak.",
        )
    assert len(callbacks) == 1  # the PDF is rendered after the commit
    igc_review.refresh_from_db()
    assert igc_review.status == ReviewStatus.ADVISED
    assert advice.given_by == igc_user and advice.given_at is not None
    entry = AuditEntry.objects.get(action="advice.draft")
    assert entry.actor == igc_user and entry.registry == igc_review.submission.registry
    entry = AuditEntry.objects.get(action="advice.conclude")
    assert entry.actor == advice.concluded_by and entry.registry == igc_review.submission.registry


def test_concluded_advice_cannot_be_replaced(igc_review, igc_user):
    advise(igc_review, AdviceOutcome.POSITIVE, actor=igc_user, motivation="Goed.")
    with pytest.raises(InvalidTransition):
        advice_draft(
            review=igc_review,
            actor=igc_user,
            outcome=AdviceOutcome.NEGATIVE,
            motivation="Toch niet.",
            reaction_deadline=timezone.localdate(),
        )
    assert Advice.objects.get().outcome == AdviceOutcome.POSITIVE
    assert AuditEntry.objects.filter(action="advice.draft").count() == 1
    assert AuditEntry.objects.filter(action="advice.conclude").count() == 1


def test_other_committee_cannot_advise(dgc_review, igc_user):
    with pytest.raises(PermissionDenied):
        advice_draft(
            review=dgc_review,
            actor=igc_user,
            outcome=AdviceOutcome.POSITIVE,
            motivation="x",
            reaction_deadline=timezone.localdate(),
        )
    assert not Advice.objects.exists()


def test_submission_advised_only_after_both_committees(
    submission, igc_review, dgc_review, igc_user, dgc_user
):
    advise(igc_review, AdviceOutcome.POSITIVE, actor=igc_user, motivation="Goed.")
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.IN_REVIEW
    advise(dgc_review, AdviceOutcome.POSITIVE, actor=dgc_user, motivation="Goed.")
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.ADVISED


# --- Selectors and permissions -----------------------------------------------------------------


def test_reviews_for_user_lists_open_reviews_first(registry, registry_user, igc_user):
    first, second = _submit(registry, registry_user), _submit(registry, registry_user)
    advised = first.reviews.get(committee__code="IGC")
    advise(advised, AdviceOutcome.POSITIVE, actor=igc_user, motivation="Goed.")
    reviews = list(reviews_for_user(igc_user))
    assert [r.submission_id for r in reviews] == [second.pk, first.pk]
    assert [r.pk for r in reviews_for_user(igc_user, status=ReviewStatus.ADVISED)] == [advised.pk]


def test_reviews_are_visible_to_the_committee_only(
    igc_review, dgc_review, igc_user, dgc_user, registry_user
):
    assert list(reviews_for_user(igc_user)) == [igc_review]
    assert list(reviews_for_user(dgc_user)) == [dgc_review]
    assert list(reviews_for_user(registry_user)) == []
    assert can_review(igc_user, igc_review) and not can_review(igc_user, dgc_review)


def test_review_table_page_takes_fixed_queries(
    registry, registry_user, igc_user, django_assert_num_queries
):
    """The committees read the table through register.selectors.version_table_page."""
    review = _submit(registry, registry_user, variables=75).reviews.get(committee__code="IGC")
    with django_assert_num_queries(5):  # count, categories, variables, indicators, requirements
        page, table = version_table_page(
            dataset_version_id=review.submission.dataset_version_id, page_number=2
        )
        assert [row.variable.code for row in table.rows] == [f"V{n:03d}" for n in range(50, 75)]
        # clean_dossier gave each variable the purpose learning and improving.
        assert all(
            row.variable.purpose_labels == [Purpose.LEARN_IMPROVE.label] for row in table.rows
        )
    assert page.number == 2 and page.paginator.count == 75


def test_advice_download_rule(
    igc_review,
    igc_user,
    dgc_user,
    registry_user,
    other_registry_user,
    zin_user,
    secretariat_user,
    settings,
    tmp_path,
):
    settings.MEDIA_ROOT = tmp_path
    advice = advise(igc_review, AdviceOutcome.POSITIVE, actor=igc_user, motivation="Goed.")
    assert advice_for_download(igc_user, review_pk=igc_review.pk) is None  # not rendered yet
    advice.document.save("advies.pdf", ContentFile(b"%PDF-"), save=True)
    for user in (igc_user, registry_user, zin_user, secretariat_user):
        assert can_view_advice(user, advice)
        assert advice_for_download(user, review_pk=igc_review.pk) == advice
    for user in (dgc_user, other_registry_user):
        assert not can_view_advice(user, advice)
        assert advice_for_download(user, review_pk=igc_review.pk) is None


# --- Membership ----------------------------------------------------------------------------------


def test_membership_save_and_remove_keep_the_group_in_step(igc_review, dgc_review, zin_user):
    user = UserFactory(email="lid@example.org")
    igc = Committee.objects.get(code="IGC")
    membership = membership_save(
        membership=Membership(committee=igc, user=user, perspective=Perspective.INSURERS),
        actor=zin_user,
    )
    assert user.groups.filter(pk=igc.group_id).exists()
    assert list(reviews_for_user(user)) == [igc_review]

    membership.committee = Committee.objects.get(code="DGC")
    membership_save(membership=membership, actor=zin_user)
    user = type(user).objects.get(pk=user.pk)  # fresh: roles and permissions are cached per user
    assert list(reviews_for_user(user)) == [dgc_review]
    assert not user.groups.filter(pk=igc.group_id).exists()

    membership_remove(membership=membership, actor=zin_user)
    user = type(user).objects.get(pk=user.pk)
    assert not user.groups.exists()
    assert list(reviews_for_user(user)) == []
    assert list(
        AuditEntry.objects.filter(action__startswith="membership.")
        .values_list("action", flat=True)
        .order_by("id")
    ) == ["membership.save", "membership.save", "membership.remove"]
