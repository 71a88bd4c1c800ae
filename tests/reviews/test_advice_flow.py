"""Draft, then definitive advice (reviews.advice): conflicts of interest, positions and
unanimity, the registry's reaction, the chair's conclusion, the lapse task, the term."""

import datetime
from datetime import timedelta

import pytest

from register.constants import SubmissionStage, SubmissionStatus
from register.exceptions import DomainError, InvalidTransition, PermissionDenied
from register.models import AuditEntry
from register.selectors import dossier_audit_trail
from register.services import dataset_version_create, dataset_version_submit, variable_save
from reviews import advice as flow
from reviews.constants import (
    AdviceOutcome,
    AdviceStatus,
    Perspective,
    Position,
    RegistryReviewStatus,
    RenderStatus,
    ReviewStatus,
)
from reviews.criteria import criteria_assess_bulk
from reviews.models import Advice, Committee, Criterion, MemberPosition, Membership, Review
from reviews.permissions import reviews_visible_to
from reviews.selectors import registry_advice_standing
from reviews.tasks import finalise_lapsed_drafts
from reviews.workflow import registry_status
from tests.factories import UserFactory, advise, clean_dossier, criteria_all_met

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 2)


def _submit(registry, user):
    version = dataset_version_create(registry=registry, actor=user, copy_previous=False)
    variable_save(
        dataset_version=version,
        actor=user,
        data={"code": "LEEFTIJD", "name": "Leeftijd", "necessity": "Casemix."},
        requirements={"AZ": "base"},
    )
    clean_dossier(version, SubmissionStage.SUPPLEMENTARY, user=user)
    return dataset_version_submit(
        dataset_version=version, actor=user, stage=SubmissionStage.SUPPLEMENTARY
    )


@pytest.fixture
def submission(registry, registry_user):
    return _submit(registry, registry_user)


@pytest.fixture
def review(submission):
    return submission.reviews.select_related("committee").get(committee__code="IGC")


@pytest.fixture
def members(db):
    """The IGC: a chair (professionals) and three members (patients, providers, insurers)."""
    igc = Committee.objects.get(code="IGC")

    def member(name, perspective, chair=False):
        user = UserFactory(email=f"{name}@example.org", first_name=name.capitalize())
        user.groups.add(igc.group)
        Membership.objects.create(committee=igc, user=user, perspective=perspective, is_chair=chair)
        return user

    return {
        "chair": member("voorzitter", Perspective.PROFESSIONALS, chair=True),
        "patients": member("patient", Perspective.PATIENTS),
        "providers": member("aanbieder", Perspective.PROVIDERS),
        "insurers": member("verzekeraar", Perspective.INSURERS),
    }


def send_draft(review, actor, outcome=AdviceOutcome.NEGATIVE, *, deadline=None, today=TODAY):
    return flow.advice_draft(
        review=review,
        actor=actor,
        outcome=outcome,
        motivation="Onvoldoende onderbouwd.",
        reaction_deadline=deadline or today + timedelta(days=14),
        today=today,
    )


def all_agree(advice, users):
    for user in users:
        flow.position_record(advice=advice, actor=user, position=Position.AGREE)


# --- The draft ---------------------------------------------------------------------------------


def test_draft_hands_the_review_to_the_registry_and_pauses_the_clock(review, members):
    advice = send_draft(review, members["patients"])
    review.refresh_from_db()
    assert review.status == ReviewStatus.DRAFT_ADVICE
    assert review.paused_since == TODAY
    assert registry_status(review) == RegistryReviewStatus.WAITING_FOR_YOU
    assert advice.status == AdviceStatus.DRAFT and advice.given_by == members["patients"]
    entry = AuditEntry.objects.get(action="advice.draft")
    assert entry.actor == members["patients"] and entry.registry == review.submission.registry
    assert entry.changes["review"] == {"status": ["open", "draft_advice"]}


def test_reaction_deadline_in_the_past_is_refused_naming_the_field(review, members, english):
    with pytest.raises(DomainError) as error:
        send_draft(review, members["patients"], deadline=TODAY - timedelta(days=1))
    assert error.value.field == "reaction_deadline"
    assert "2026-03-01" in error.value.message and "past" in error.value.message
    with pytest.raises(DomainError) as error:
        flow.advice_draft(
            review=review,
            actor=members["patients"],
            outcome=AdviceOutcome.NEGATIVE,
            motivation="Nee.",
            reaction_deadline=None,
        )
    assert error.value.field == "reaction_deadline"
    review.refresh_from_db()
    assert review.status == ReviewStatus.OPEN and not Advice.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="advice.").exists()


def test_positive_advice_refused_while_a_knockout_is_not_met(review, members):
    member = members["patients"]
    # Not yet assessed knock-outs: no positive advice either.
    with pytest.raises(DomainError) as error:
        send_draft(review, member, AdviceOutcome.POSITIVE)
    assert error.value.field == "outcome" and "knock-out" in error.value.message
    criteria = list(Criterion.objects.filter(catalogue_id=review.catalogue_id))
    knockout = next(c for c in criteria if c.knockout)
    criteria_assess_bulk(
        review=review,
        actor=member,
        entries=[
            {
                "criterion": c,
                "rating": "insufficient" if c.pk == knockout.pk else "sufficient",
                "motivation": "x",
            }
            for c in criteria
        ],
    )
    for outcome in (AdviceOutcome.POSITIVE, AdviceOutcome.POSITIVE_WITH_CONDITIONS):
        with pytest.raises(DomainError) as error:
            flow.advice_draft(
                review=review,
                actor=member,
                outcome=outcome,
                motivation="Ja.",
                conditions="Mits.",
                reaction_deadline=TODAY,
                today=TODAY,
            )
        assert error.value.field == "outcome"
    assert not Advice.objects.exists()
    assert send_draft(review, member, AdviceOutcome.NEGATIVE).outcome == AdviceOutcome.NEGATIVE


def test_revising_the_draft_is_audited_and_a_new_text_clears_positions(review, members):
    advice = send_draft(review, members["patients"])
    all_agree(advice, members.values())
    flow.advice_draft(
        review=review,
        actor=members["patients"],
        outcome=AdviceOutcome.NEGATIVE,
        motivation="Onvoldoende onderbouwd.",
        reaction_deadline=TODAY + timedelta(days=21),
        today=TODAY,
    )
    assert MemberPosition.objects.filter(advice=advice).count() == 4  # same text: kept
    flow.advice_draft(
        review=review,
        actor=members["providers"],
        outcome=AdviceOutcome.NEGATIVE,
        motivation="Het draagvlak ontbreekt.",
        reaction_deadline=TODAY + timedelta(days=21),
        today=TODAY,
    )
    assert not MemberPosition.objects.filter(advice=advice).exists()
    revisions = list(AuditEntry.objects.filter(action="advice.revise").order_by("id"))
    assert [list(r.changes) for r in revisions] == [["reaction_deadline"], ["motivation"]]
    assert revisions[1].changes["motivation"] == [
        "Onvoldoende onderbouwd.",
        "Het draagvlak ontbreekt.",
    ]
    assert revisions[1].actor == members["providers"]


def test_taking_the_draft_back_reopens_the_review_and_a_new_draft_is_a_new_round(
    review, members, registry_user
):
    advice = send_draft(review, members["patients"])
    flow.advice_react(
        advice=advice, actor=registry_user, reaction="Wij zijn het oneens.", today=TODAY
    )
    flow.advice_withdraw(advice=advice, actor=members["chair"])
    review.refresh_from_db()
    assert review.status == ReviewStatus.OPEN and review.paused_since is None
    assert AuditEntry.objects.filter(action="advice.withdraw").exists()
    # The registry no longer sees the draft that was taken back.
    assert flow.advice_for_registry(Advice.objects.get(pk=advice.pk)) is None
    with pytest.raises(InvalidTransition):
        flow.advice_react(advice=advice, actor=registry_user, reaction="Nog iets.", today=TODAY)

    advice = send_draft(review, members["patients"])
    assert advice.registry_reaction == "" and advice.reacted_at is None
    # The earlier reaction is kept in the audit trail.
    assert AuditEntry.objects.get(action="advice.react").changes["registry_reaction"] == (
        "Wij zijn het oneens."
    )


# --- Positions and unanimity -------------------------------------------------------------------


def test_unanimous_only_when_every_participant_agreed(review, members):
    advice = send_draft(review, members["patients"])
    unanimity = flow.advice_unanimity(advice)
    assert len(unanimity.participants) == 4 and not unanimity.unanimous
    assert unanimity.participants[0].user == members["chair"]  # the chair first

    all_agree(advice, [members["chair"], members["patients"], members["providers"]])
    unanimity = flow.advice_unanimity(advice)
    assert not unanimity.unanimous
    assert [m.user for m in unanimity.not_recorded] == [members["insurers"]]

    flow.position_record(
        advice=advice, actor=members["insurers"], position=Position.DISAGREE, note="Te streng."
    )
    unanimity = flow.advice_unanimity(advice)
    assert not unanimity.unanimous and [m.user for m in unanimity.disagreed] == [
        members["insurers"]
    ]

    flow.position_record(advice=advice, actor=members["insurers"], position=Position.AGREE)
    unanimity = flow.advice_unanimity(advice)
    assert unanimity.unanimous and len(unanimity.agreed) == 4
    entries = AuditEntry.objects.filter(action="advice.position", actor=members["insurers"])
    assert [e.changes["position"] for e in entries.order_by("id")] == [
        "disagree",
        ["disagree", "agree"],
    ]


def test_no_participants_is_not_unanimous(review, igc_user):
    Membership.objects.filter(user=igc_user).delete()
    advice = send_draft(review, igc_user)
    assert flow.advice_unanimity(advice).participants == []
    assert not flow.advice_unanimity(advice).unanimous


def test_only_participating_members_record_positions(review, members, dgc_user, superuser):
    advice = send_draft(review, members["patients"])
    superuser.groups.add(review.committee.group)  # in the group, but not a member
    for outsider in (dgc_user, superuser, None):
        with pytest.raises(PermissionDenied):
            flow.position_record(advice=advice, actor=outsider, position=Position.AGREE)
    with pytest.raises(DomainError) as error:
        flow.position_record(advice=advice, actor=members["patients"], position="maybe")
    assert error.value.field == "position"
    assert not MemberPosition.objects.exists()


def test_a_member_with_a_conflict_is_excluded_and_cannot_act(review, members, registry_user):
    conflicted = members["insurers"]
    advice = send_draft(review, members["patients"])
    all_agree(advice, [members["chair"], members["patients"], members["providers"], conflicted])
    flow.conflict_declare(review=review, actor=conflicted, reason="Werkt bij de registratie.")

    unanimity = flow.advice_unanimity(advice)
    assert conflicted not in [m.user for m in unanimity.participants]
    assert len(unanimity.participants) == 3 and unanimity.unanimous
    assert review not in reviews_visible_to(conflicted)
    with pytest.raises(PermissionDenied):
        flow.position_record(advice=advice, actor=conflicted, position=Position.DISAGREE)
    with pytest.raises(PermissionDenied):
        flow.advice_withdraw(advice=advice, actor=conflicted)
    with pytest.raises(PermissionDenied):
        flow.conflict_declare(review=review, actor=conflicted, reason="Nog eens.")
    entry = AuditEntry.objects.get(action="conflict.declare")
    assert entry.actor == conflicted and entry.changes["reason"] == "Werkt bij de registratie."
    # Internal to the committee: not in the registry's audit trail.
    assert entry.registry is None
    assert (
        not dossier_audit_trail(registry=review.submission.registry)
        .filter(action__in=["conflict.declare", "advice.position"])
        .exists()
    )


def test_a_conflicted_chair_cannot_conclude(review, members):
    advice = send_draft(review, members["patients"], deadline=TODAY)
    flow.conflict_declare(review=review, actor=members["chair"], reason="Familie.")
    with pytest.raises(PermissionDenied):
        flow.advice_conclude(advice=advice, actor=members["chair"], today=TODAY + timedelta(1))
    assert Advice.objects.get().status == AdviceStatus.DRAFT


def test_with_the_chair_excluded_the_first_member_in_order_acts_as_chair(review, members):
    advice = send_draft(review, members["patients"], deadline=TODAY)
    flow.conflict_declare(review=review, actor=members["chair"], reason="Familie.")
    # The committee's order: perspective, then name; "insurers" comes first.
    assert flow.is_chair(members["insurers"], review)
    assert not flow.is_chair(members["patients"], review)
    with pytest.raises(PermissionDenied):
        flow.advice_conclude(advice=advice, actor=members["patients"], today=TODAY + timedelta(1))
    flow.advice_conclude(advice=advice, actor=members["insurers"], today=TODAY + timedelta(1))
    advice.refresh_from_db()
    assert advice.status == AdviceStatus.DEFINITIVE
    assert advice.concluded_by == members["insurers"]


def test_conflict_needs_a_reason(review, members):
    with pytest.raises(DomainError) as error:
        flow.conflict_declare(review=review, actor=members["patients"], reason="  ")
    assert error.value.field == "reason"
    assert not review.conflicts.exists()


# --- The registry's reaction ---------------------------------------------------------------------


def test_registry_reacts_once_before_the_deadline(review, members, registry_user):
    advice = send_draft(review, members["patients"], deadline=TODAY + timedelta(days=7))
    flow.advice_react(
        advice=advice, actor=registry_user, reaction="Geen opmerkingen.", today=TODAY + timedelta(7)
    )
    advice.refresh_from_db()
    assert advice.registry_reaction == "Geen opmerkingen." and advice.reacted_at is not None
    entry = AuditEntry.objects.get(action="advice.react")
    assert entry.actor == registry_user and entry.registry == review.submission.registry
    with pytest.raises(InvalidTransition) as error:
        flow.advice_react(advice=advice, actor=registry_user, reaction="Toch wel.", today=TODAY)
    assert error.value.field == "reaction"
    assert Advice.objects.get().registry_reaction == "Geen opmerkingen."


def test_late_reaction_is_refused_with_the_deadline_and_nothing_is_lost(
    review, members, registry_user
):
    advice = send_draft(review, members["patients"], deadline=TODAY + timedelta(days=7))
    with pytest.raises(InvalidTransition) as error:
        flow.advice_react(
            advice=advice, actor=registry_user, reaction="Te laat.", today=TODAY + timedelta(8)
        )
    assert error.value.status_code == 409 and error.value.field == "reaction"
    assert "2026-03-09" in error.value.message
    advice.refresh_from_db()
    assert advice.registry_reaction == "" and advice.reacted_at is None
    assert advice.motivation == "Onvoldoende onderbouwd."  # the draft itself is untouched


def test_only_the_registrys_staff_react(review, members, other_registry_user, igc_user):
    advice = send_draft(review, members["patients"])
    for outsider in (other_registry_user, igc_user, members["chair"], None):
        with pytest.raises(PermissionDenied):
            flow.advice_react(advice=advice, actor=outsider, reaction="x", today=TODAY)
    assert not AuditEntry.objects.filter(action="advice.react").exists()


# --- The definitive advice -----------------------------------------------------------------------


def test_only_the_chair_concludes(review, members, igc_user):
    advice = send_draft(review, members["patients"], deadline=TODAY)
    for member in (members["patients"], igc_user):
        with pytest.raises(PermissionDenied):
            flow.advice_conclude(advice=advice, actor=member, today=TODAY + timedelta(1))
    review.refresh_from_db()
    assert review.status == ReviewStatus.DRAFT_ADVICE
    assert Advice.objects.get().status == AdviceStatus.DRAFT


def test_chair_concludes_only_after_the_registry_had_its_say(review, members, registry_user):
    advice = send_draft(review, members["patients"], deadline=TODAY + timedelta(days=7))
    with pytest.raises(InvalidTransition) as error:
        flow.advice_conclude(advice=advice, actor=members["chair"], today=TODAY + timedelta(7))
    assert "2026-03-09" in error.value.message
    flow.advice_react(advice=advice, actor=registry_user, reaction="Akkoord.", today=TODAY)
    flow.advice_conclude(advice=advice, actor=members["chair"], today=TODAY + timedelta(1))
    assert Advice.objects.get().status == AdviceStatus.DEFINITIVE


def test_conclusion_makes_the_advice_definitive_with_term_and_unanimity(
    review, members, django_capture_on_commit_callbacks
):
    criteria_all_met(review, members["patients"])
    due = review.due_date
    advice = send_draft(review, members["patients"], AdviceOutcome.POSITIVE, deadline=TODAY)
    all_agree(advice, members.values())
    with django_capture_on_commit_callbacks() as callbacks:
        flow.advice_conclude(advice=advice, actor=members["chair"], today=TODAY + timedelta(10))
    assert len(callbacks) == 1  # the PDF is rendered after the commit
    advice.refresh_from_db()
    assert advice.status == AdviceStatus.DEFINITIVE
    assert advice.concluded_by == members["chair"] and advice.definitive_at is not None
    assert advice.valid_until == datetime.date(2031, 3, 12)  # five years from the conclusion
    assert advice.unanimous is True
    assert advice.render_status == RenderStatus.PENDING
    review.refresh_from_db()
    assert review.status == ReviewStatus.ADVISED
    # The clock paused for the ten days the registry held the review.
    assert review.paused_days == 10 and review.due_date == due + timedelta(days=10)
    entry = AuditEntry.objects.get(action="advice.conclude")
    assert entry.actor == members["chair"]
    assert entry.changes["valid_until"] == "2031-03-12" and entry.changes["unanimous"] is True


def test_negative_advice_has_no_term_and_a_term_from_29_february(review, members):
    advice = send_draft(review, members["patients"], deadline=TODAY)
    flow.advice_conclude(advice=advice, actor=members["chair"], today=TODAY + timedelta(1))
    assert Advice.objects.get().valid_until is None and Advice.objects.get().unanimous is False
    leap = datetime.date(2028, 2, 29)
    assert flow.advice_valid_until(leap, AdviceOutcome.POSITIVE) == datetime.date(2033, 2, 28)
    assert flow.advice_valid_until(leap, AdviceOutcome.POSITIVE_WITH_CONDITIONS) == (
        datetime.date(2033, 2, 28)
    )
    assert flow.advice_valid_until(leap, AdviceOutcome.NEGATIVE) is None


def test_a_concluded_advice_cannot_change(review, members, registry_user):
    advice = send_draft(review, members["patients"], deadline=TODAY)
    flow.advice_conclude(advice=advice, actor=members["chair"], today=TODAY + timedelta(1))
    entries = AuditEntry.objects.count()
    attempts = [
        lambda: send_draft(review, members["patients"], AdviceOutcome.NEGATIVE),
        lambda: flow.advice_withdraw(advice=advice, actor=members["patients"]),
        lambda: flow.position_record(
            advice=advice, actor=members["patients"], position=Position.DISAGREE
        ),
        lambda: flow.advice_react(advice=advice, actor=registry_user, reaction="x", today=TODAY),
        lambda: flow.advice_conclude(advice=advice, actor=members["chair"], today=TODAY),
    ]
    for attempt in attempts:
        with pytest.raises(InvalidTransition) as error:
            attempt()
        assert error.value.status_code == 409
    advice.refresh_from_db()
    assert (
        advice.status == AdviceStatus.DEFINITIVE and advice.motivation == "Onvoldoende onderbouwd."
    )
    assert AuditEntry.objects.count() == entries


def test_submission_advised_when_both_committees_concluded(submission, review, members, dgc_user):
    advice = send_draft(review, members["patients"], deadline=TODAY)
    flow.advice_conclude(advice=advice, actor=members["chair"], today=TODAY + timedelta(1))
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.IN_REVIEW
    advise(submission.reviews.get(committee__code="DGC"), AdviceOutcome.NEGATIVE, actor=dgc_user)
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.ADVISED


def test_a_new_review_round_makes_a_new_record(
    registry, registry_user, submission, review, members
):
    first = advise(review, AdviceOutcome.NEGATIVE, actor=members["patients"])
    advise(submission.reviews.get(committee__code="DGC"), AdviceOutcome.NEGATIVE)
    second_submission = _submit(registry, registry_user)
    second = advise(
        second_submission.reviews.get(committee__code="IGC"),
        AdviceOutcome.POSITIVE,
        actor=members["patients"],
    )
    assert second.pk != first.pk
    first.refresh_from_db()
    assert first.outcome == AdviceOutcome.NEGATIVE and first.review_id == review.pk
    assert Advice.objects.filter(review__submission__registry=registry).count() == 3


# --- The lapse task ------------------------------------------------------------------------------


def test_lapsed_drafts_become_definitive_once(
    registry, registry_user, other_registry, other_registry_user, submission, review, members
):
    lapsed = send_draft(review, members["patients"], deadline=TODAY)
    reacted_review = _submit(other_registry, other_registry_user).reviews.get(committee__code="IGC")
    reacted = send_draft(reacted_review, members["patients"], deadline=TODAY)
    flow.advice_react(advice=reacted, actor=other_registry_user, reaction="Oneens.", today=TODAY)
    running = send_draft(
        _submit(registry, registry_user).reviews.get(committee__code="IGC"),
        members["patients"],
        deadline=TODAY + timedelta(days=1),
    )

    assert finalise_lapsed_drafts(today=TODAY.isoformat()) == 0  # the deadline day itself counts
    day_after = (TODAY + timedelta(days=1)).isoformat()
    assert finalise_lapsed_drafts(today=day_after) == 1
    assert finalise_lapsed_drafts(today=day_after) == 0  # idempotent

    lapsed.refresh_from_db()
    assert lapsed.status == AdviceStatus.DEFINITIVE and lapsed.concluded_by is None
    assert Review.objects.get(pk=review.pk).status == ReviewStatus.ADVISED
    entry = AuditEntry.objects.get(action="advice.lapse")
    assert entry.actor is None and entry.object_id == str(lapsed.pk)
    # A draft the registry reacted to waits for the chair; one still open waits for its deadline.
    assert Advice.objects.get(pk=reacted.pk).status == AdviceStatus.DRAFT
    assert Advice.objects.get(pk=running.pk).status == AdviceStatus.DRAFT


def test_lapse_skips_a_positive_draft_whose_knockout_is_no_longer_met(review, members):
    criteria_all_met(review, members["patients"])
    advice = send_draft(review, members["patients"], AdviceOutcome.POSITIVE, deadline=TODAY)
    # A knock-out assessment changed behind the draft's back (not possible in the portal).
    from reviews.models import CriterionAssessment

    CriterionAssessment.objects.filter(review=review, criterion__knockout=True).update(
        rating="insufficient"
    )
    assert finalise_lapsed_drafts(today=(TODAY + timedelta(days=1)).isoformat()) == 0
    assert Advice.objects.get(pk=advice.pk).status == AdviceStatus.DRAFT


# --- What the register shows ---------------------------------------------------------------------


def test_registry_advice_standing_is_the_latest_per_committee_in_one_query(
    registry, submission, review, members, django_assert_num_queries
):
    criteria_all_met(review, members["patients"])
    igc = send_draft(review, members["patients"], AdviceOutcome.POSITIVE, deadline=TODAY)
    all_agree(igc, members.values())
    igc = flow.advice_conclude(advice=igc, actor=members["chair"], today=TODAY + timedelta(days=1))
    with django_assert_num_queries(1):
        standing = registry_advice_standing(registry)
        assert [a.pk for a in standing.committees] == [igc.pk]
        assert not standing.jointly_positive and standing.reassessment_due is None

    dgc = advise(submission.reviews.get(committee__code="DGC"), AdviceOutcome.POSITIVE)
    standing = registry_advice_standing(registry)
    assert standing.jointly_positive
    assert standing.reassessment_due == min(igc.valid_until, dgc.valid_until)
    # The DGC advice was concluded without any member's agreement: not unanimous.
    assert dgc.unanimous is False and not standing.unanimously_positive
    Advice.objects.filter(pk=dgc.pk).update(unanimous=True)
    assert registry_advice_standing(registry).unanimously_positive
