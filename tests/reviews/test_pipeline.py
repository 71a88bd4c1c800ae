"""The secretariat's pipeline (reviews.pipeline): rows, holders, overdue items, constant queries,
and assigning members to a review."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from register.constants import DecisionOutcome, SubmissionStage, SubmissionStatus
from register.exceptions import DomainError, InvalidTransition, PermissionDenied
from register.models import AuditEntry
from reviews import pipeline
from reviews.constants import (
    AdviceOutcome,
    AdviceStatus,
    ClarificationStatus,
    Perspective,
    ReviewStatus,
)
from reviews.models import (
    Advice,
    Assignment,
    ClarificationRequest,
    Committee,
    ConflictOfInterest,
    Membership,
    Review,
)
from reviews.services import membership_save
from tests.factories import (
    DatasetVersionFactory,
    DecisionFactory,
    RegistryFactory,
    RegistryHolderFactory,
    SubmissionFactory,
    UserFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

TODAY = datetime.date(2026, 11, 23)


# --- Building a pipeline (helpers, also used by the view tests) -----------------------------


def committee(code: str) -> Committee:
    return Committee.objects.get(code=code)


def in_process(
    acronym: str,
    *,
    stage=SubmissionStage.SUPPLEMENTARY,
    status=SubmissionStatus.IN_REVIEW,
    reviews: dict | None = None,
    holder_name: str | None = None,
    name: str | None = None,
    submitted_at=None,
    **registry_fields,
):
    """A registry with one submission and, per committee code, a review:
    ``reviews={"IGC": {"status": ..., "due_date": ..., "paused_since": ...}}``."""
    holder = RegistryHolderFactory(**({"name": holder_name} if holder_name else {}))
    registry = RegistryFactory(
        acronym=acronym, holder=holder, **({"name": name} if name else {}), **registry_fields
    )
    submission = SubmissionFactory(
        dataset_version=DatasetVersionFactory(registry=registry, submitted=True),
        stage=stage,
        status=status,
        **({"submitted_at": submitted_at} if submitted_at else {}),
    )
    for code, fields in (reviews or {}).items():
        fields = {"due_date": TODAY + datetime.timedelta(days=30), **fields}
        Review.objects.create(submission=submission, committee=committee(code), **fields)
    return registry, submission


def review_of(registry, code: str) -> Review:
    return Review.objects.get(submission__registry=registry, committee__code=code)


def give_advice(review: Review, outcome=AdviceOutcome.POSITIVE, *, definitive=True):
    return Advice.objects.create(
        review=review,
        outcome=outcome,
        motivation="Intern: de motivering van de commissie.",
        given_by=UserFactory(),
        given_at=timezone.now(),
        status=AdviceStatus.DEFINITIVE if definitive else AdviceStatus.DRAFT,
    )


def clarification(review: Review, *, deadline, status=ClarificationStatus.OPEN, number=1):
    return ClarificationRequest.objects.create(
        review=review,
        number=number,
        deadline=deadline,
        status=status,
        sent_by=UserFactory(),
        sent_at=timezone.now(),
    )


def member(code: str, perspective=Perspective.PATIENTS, *, email=None, is_chair=False):
    user = UserFactory(**({"email": email} if email else {}))
    membership_save(
        membership=Membership(
            committee=committee(code), user=user, perspective=perspective, is_chair=is_chair
        ),
        actor=None,
    )
    return user


def rows_by_acronym(**filters):
    return {row.registry.acronym: row for row in pipeline.pipeline(today=TODAY, **filters)}


# --- Rows ------------------------------------------------------------------------------------


def test_one_row_per_registry_in_the_process_with_its_stage():
    in_process("first", stage=SubmissionStage.FIRST, reviews={"IGC": {}, "DGC": {}})
    in_process("suppl", reviews={"IGC": {}, "DGC": {}})
    in_process("annual", stage=SubmissionStage.ANNUAL_UPDATE, reviews={"IGC": {}, "DGC": {}})
    in_process("applied", status=SubmissionStatus.APPLIED)
    _registry, decided = in_process("decided", status=SubmissionStatus.DECIDED)
    in_process("gone", status=SubmissionStatus.WITHDRAWN)
    RegistryFactory(acronym="law", statutory=True)  # statutory, nothing submitted yet
    DatasetVersionFactory(registry=RegistryFactory(acronym="draft-only"))  # not in the process
    DecisionFactory(
        registry=decided.registry,
        dataset_version=decided.dataset_version,
        outcome=DecisionOutcome.INCLUDE,
    )

    rows = rows_by_acronym()

    assert set(rows) == {"first", "suppl", "annual", "applied", "decided", "gone", "law"}
    assert {acronym: row.stage for acronym, row in rows.items()} == {
        "first": pipeline.PipelineStage.FIRST,
        "suppl": pipeline.PipelineStage.SUPPLEMENTARY,
        "annual": pipeline.PipelineStage.ANNUAL_UPDATE,
        "applied": pipeline.PipelineStage.APPLICATION,
        "decided": pipeline.PipelineStage.DECIDED,
        "gone": pipeline.PipelineStage.WITHDRAWN,
        "law": pipeline.PipelineStage.STATUTORY,
    }
    assert rows["law"].cells == [None, None]
    assert rows["suppl"].stage_label == "supplementary review"
    assert list(rows) == sorted(rows)  # by acronym


def test_the_latest_submission_decides_the_stage():
    registry, first = in_process(
        "dhfa",
        stage=SubmissionStage.FIRST,
        status=SubmissionStatus.ADVISED,
        submitted_at=timezone.now() - datetime.timedelta(days=300),
    )
    SubmissionFactory(
        dataset_version=DatasetVersionFactory(registry=registry, submitted=True),
        stage=SubmissionStage.SUPPLEMENTARY,
    )
    row = rows_by_acronym()["dhfa"]
    assert row.stage == pipeline.PipelineStage.SUPPLEMENTARY
    assert row.submission_id != first.pk


def test_each_committee_shows_status_holder_due_date_advice_and_members():
    registry, _submission = in_process(
        "dhfa",
        reviews={
            "IGC": {"status": ReviewStatus.OPEN, "due_date": TODAY + datetime.timedelta(days=10)},
            "DGC": {
                "status": ReviewStatus.CLARIFICATION,
                "due_date": TODAY + datetime.timedelta(days=5),
                "paused_since": TODAY - datetime.timedelta(days=3),
            },
        },
    )
    igc, dgc = review_of(registry, "IGC"), review_of(registry, "DGC")
    clarification(dgc, deadline=TODAY + datetime.timedelta(days=7))
    clarification(
        dgc,
        deadline=TODAY - datetime.timedelta(days=40),
        status=ClarificationStatus.ANSWERED,
        number=2,
    )
    give_advice(igc, AdviceOutcome.POSITIVE_WITH_CONDITIONS, definitive=False)
    secretary = UserFactory()
    anna = UserFactory(first_name="Anna", last_name="Arts")
    Assignment.objects.create(review=igc, member=anna, assigned_by=secretary)

    row = rows_by_acronym()["dhfa"]
    igc_cell, dgc_cell = row.cells  # the IGC first, as the process names them

    assert igc_cell.committee == "IGC" and dgc_cell.committee == "DGC"
    assert igc_cell.status_label == "in review"
    assert igc_cell.holder == pipeline.Holder.COMMITTEE
    assert igc_cell.days_left == 10 and not igc_cell.overdue
    assert igc_cell.advice_outcome == AdviceOutcome.POSITIVE_WITH_CONDITIONS
    assert igc_cell.advice_outcome_label == "positive with conditions"
    assert igc_cell.advice_definitive is False
    assert igc_cell.members == ["Anna Arts"]

    assert dgc_cell.holder == pipeline.Holder.REGISTRY
    # The clock is paused since the registry holds the review: due date minus the pause day.
    assert dgc_cell.days_left == 8
    assert dgc_cell.clarification_deadline == TODAY + datetime.timedelta(days=7)
    assert not dgc_cell.clarification_overdue
    assert dgc_cell.members == [] and dgc_cell.advice_outcome == ""
    assert row.clarification_deadline == TODAY + datetime.timedelta(days=7)
    assert not row.overdue


def test_an_advised_review_is_held_by_nobody_and_has_no_clock():
    registry, _s = in_process(
        "dhfa",
        status=SubmissionStatus.ADVISED,
        reviews={
            "IGC": {"status": ReviewStatus.ADVISED, "due_date": TODAY - datetime.timedelta(days=9)}
        },
    )
    give_advice(review_of(registry, "IGC"))
    cell = rows_by_acronym()["dhfa"].cells[0]
    assert cell.holder == pipeline.Holder.NOBODY
    assert cell.days_left is None and not cell.overdue  # advised late is not overdue now
    assert cell.advice_definitive is True
    assert rows_by_acronym()["dhfa"].cells[1] is None  # no DGC review


def test_overdue_committees_and_late_answers_are_flagged_and_filtered():
    yesterday = TODAY - datetime.timedelta(days=1)
    in_process("late", reviews={"IGC": {"due_date": yesterday}, "DGC": {}})
    # Paused before its due date: the clock stopped in time, so not overdue however long ago.
    in_process(
        "paused",
        reviews={
            "IGC": {
                "status": ReviewStatus.CLARIFICATION,
                "due_date": TODAY - datetime.timedelta(days=20),
                "paused_since": TODAY - datetime.timedelta(days=30),
            }
        },
    )
    # Paused only after its due date had passed: overdue.
    in_process(
        "paused-late",
        reviews={
            "DGC": {
                "status": ReviewStatus.CLARIFICATION,
                "due_date": TODAY - datetime.timedelta(days=30),
                "paused_since": TODAY - datetime.timedelta(days=20),
            }
        },
    )
    registry, _s = in_process(
        "late-answer", reviews={"IGC": {"status": ReviewStatus.CLARIFICATION}}
    )
    clarification(review_of(registry, "IGC"), deadline=yesterday)
    in_process("on-time", reviews={"IGC": {}, "DGC": {}})

    rows = rows_by_acronym()
    assert rows["late"].cells[0].overdue and rows["late"].cells[0].days_left == -1
    assert rows["late"].cells[0].days_overdue == 1
    assert not rows["paused"].cells[0].overdue
    assert rows["paused-late"].cells[1].overdue
    assert rows["late-answer"].cells[0].clarification_overdue
    assert not rows["late-answer"].cells[0].overdue  # the registry is late, not the committee
    assert {a for a, row in rows.items() if row.overdue} == {"late", "paused-late", "late-answer"}
    assert set(rows_by_acronym(overdue_only=True)) == {"late", "paused-late", "late-answer"}
    counts = pipeline.pipeline_counts(today=TODAY)
    assert counts["overdue"] == 3
    assert counts["waiting_for_registry"] == 3  # paused, paused-late, late-answer
    assert counts["in_review"] == 5


def test_filters_search_stage_and_committee():
    in_process("dhfa", holder_name="Dutch Institute for Clinical Auditing", reviews={"IGC": {}})
    registry, _s = in_process(
        "nhr",
        name="Nederlandse Hart Registratie",
        stage=SubmissionStage.FIRST,
        reviews={"IGC": {"status": ReviewStatus.ADVISED}, "DGC": {}},
    )
    in_process("lnaz", status=SubmissionStatus.APPLIED)

    assert set(rows_by_acronym(search="clinical audit")) == {"dhfa"}
    assert set(rows_by_acronym(search="hart")) == {"nhr"}
    assert set(rows_by_acronym(search="LNAZ")) == {"lnaz"}
    assert set(rows_by_acronym(stage=pipeline.PipelineStage.FIRST)) == {"nhr"}
    assert set(rows_by_acronym(stage=pipeline.PipelineStage.APPLICATION)) == {"lnaz"}
    # The IGC concluded NHR: only DHFA is still on the IGC's table; the DGC has NHR.
    assert set(rows_by_acronym(committee="IGC")) == {"dhfa"}
    assert set(rows_by_acronym(committee="DGC")) == {"nhr"}
    counts = pipeline.pipeline_counts(today=TODAY)
    assert counts == {"in_review": 2, "waiting_for_registry": 0, "overdue": 0, "advised": 0}


def _populate(n: int, offset: int = 0):
    secretary = UserFactory()
    for k in range(offset, offset + n):
        registry, _s = in_process(
            f"reg{k:03d}",
            reviews={
                "IGC": {"status": ReviewStatus.CLARIFICATION, "paused_since": TODAY},
                "DGC": {"status": ReviewStatus.ADVISED},
            },
        )
        igc, dgc = review_of(registry, "IGC"), review_of(registry, "DGC")
        clarification(igc, deadline=TODAY + datetime.timedelta(days=k))
        give_advice(dgc)
        for _ in range(2):
            Assignment.objects.create(review=igc, member=UserFactory(), assigned_by=secretary)
    RegistryFactory(statutory=True)


def _queries(run) -> int:
    with CaptureQueriesContext(connection) as queries:
        run()
    return len(queries)


def test_the_pipeline_uses_the_same_number_of_queries_for_3_and_12_registries():
    from django.core.paginator import Paginator

    def whole():
        rows = pipeline.pipeline(today=TODAY)
        assert all(len(row.reviews.get("IGC").members) == 2 for row in rows if row.cells[0])

    def page():
        registries = pipeline.pipeline_registries(today=TODAY)
        object_list = Paginator(registries, 25).get_page(1).object_list
        pipeline.pipeline_rows(object_list, today=TODAY)
        pipeline.pipeline_counts(today=TODAY)

    _populate(3)
    small = (_queries(whole), _queries(page))
    _populate(9, offset=3)
    assert len(pipeline.pipeline(today=TODAY)) == 14
    large = (_queries(whole), _queries(page))
    assert small == large
    assert small[0] <= 3 and small[1] <= 5, small


# --- Assigning members ---------------------------------------------------------------------


@pytest.fixture
def open_review():
    _registry, submission = in_process("assign", reviews={"IGC": {}, "DGC": {}})
    return submission.reviews.get(committee__code="IGC")


def test_secretariat_assigns_and_replaces_members_with_an_audit_entry(
    open_review, secretariat_user
):
    first = member("IGC", Perspective.PATIENTS, email="p1@example.org")
    second = member("IGC", Perspective.INSURERS, email="i1@example.org")
    third = member("IGC", Perspective.PROVIDERS, email="z1@example.org")

    pipeline.members_assign(
        review=open_review, actor=secretariat_user, member_ids=[first.pk, second.pk]
    )
    assert set(open_review.members.all()) == {first, second}
    assert Assignment.objects.get(review=open_review, member=first).assigned_by == secretariat_user

    pipeline.members_assign(
        review=open_review, actor=secretariat_user, member_ids=[str(second.pk), third.pk]
    )
    assert set(open_review.members.all()) == {second, third}

    entries = AuditEntry.objects.filter(action="review.assign").order_by("pk")
    assert [e.changes["members"] for e in entries] == [
        [[], ["i1@example.org", "p1@example.org"]],
        [["i1@example.org", "p1@example.org"], ["i1@example.org", "z1@example.org"]],
    ]
    assert entries[0].actor == secretariat_user
    assert entries[0].registry is None  # who prepares a review is not the registry's business
    assert entries[0].object_id == str(open_review.pk)

    # The same set again changes nothing and writes nothing.
    pipeline.members_assign(
        review=open_review, actor=secretariat_user, member_ids=[third.pk, second.pk]
    )
    assert AuditEntry.objects.filter(action="review.assign").count() == 2

    # An empty set removes every assignment.
    pipeline.members_assign(review=open_review, actor=secretariat_user, member_ids=[])
    assert not open_review.members.exists()


def test_a_member_of_the_other_committee_cannot_be_assigned(open_review, secretariat_user):
    igc_member = member("IGC")
    dgc_member = member("DGC")
    before = AuditEntry.objects.count()
    with pytest.raises(DomainError) as refused:
        pipeline.members_assign(
            review=open_review, actor=secretariat_user, member_ids=[igc_member.pk, dgc_member.pk]
        )
    assert refused.value.field == "members"
    assert "IGC" in refused.value.message
    assert not Assignment.objects.exists()  # all or nothing
    assert AuditEntry.objects.count() == before


def test_a_user_who_is_no_member_at_all_cannot_be_assigned(open_review, secretariat_user):
    with pytest.raises(DomainError):
        pipeline.members_assign(
            review=open_review, actor=secretariat_user, member_ids=[UserFactory().pk]
        )
    with pytest.raises(DomainError):
        pipeline.members_assign(review=open_review, actor=secretariat_user, member_ids=["x"])
    assert not Assignment.objects.exists()


def test_a_member_with_a_conflict_of_interest_cannot_be_assigned(open_review, secretariat_user):
    fine = member("IGC")
    conflicted = member("IGC", Perspective.INSURERS, email="conflict@example.org")
    ConflictOfInterest.objects.create(review=open_review, member=conflicted, reason="Adviseur.")
    with pytest.raises(DomainError) as refused:
        pipeline.members_assign(
            review=open_review, actor=secretariat_user, member_ids=[fine.pk, conflicted.pk]
        )
    assert "conflict@example.org" in refused.value.message
    assert not Assignment.objects.exists()
    # Listed for the secretariat, marked, so the choice is clear.
    candidates = {
        c.user_id: c
        for _p, _label, group in pipeline.assignment_candidates(review=open_review)
        for c in group
    }
    assert candidates[conflicted.pk].conflicted and not candidates[fine.pk].conflicted


@pytest.mark.parametrize("role", ["igc_user", "registry_user", "zin_user", "superuser"])
def test_only_the_secretariat_assigns(open_review, role, request):
    actor = request.getfixturevalue(role)
    candidate = member("IGC")
    with pytest.raises(PermissionDenied):
        pipeline.members_assign(review=open_review, actor=actor, member_ids=[candidate.pk])
    with pytest.raises(PermissionDenied):
        pipeline.members_assign(review=open_review, actor=None, member_ids=[candidate.pk])
    assert not Assignment.objects.exists()
    assert not AuditEntry.objects.filter(action="review.assign").exists()


def test_a_concluded_review_keeps_its_members(open_review, secretariat_user):
    Review.objects.filter(pk=open_review.pk).update(status=ReviewStatus.ADVISED)
    with pytest.raises(InvalidTransition):
        pipeline.members_assign(
            review=open_review, actor=secretariat_user, member_ids=[member("IGC").pk]
        )
    assert not Assignment.objects.exists()


def test_candidates_are_grouped_by_perspective_with_the_chair_first(open_review):
    member("IGC", Perspective.INSURERS)
    chair = member("IGC", Perspective.PROFESSIONALS, is_chair=True)
    member("IGC", Perspective.PROFESSIONALS)
    member("IGC", Perspective.PATIENTS)
    member("DGC", Perspective.PROVIDERS)  # the other committee: not a candidate

    groups = pipeline.assignment_candidates(review=open_review)
    assert [perspective for perspective, _label, _members in groups] == [
        Perspective.PATIENTS,
        Perspective.PROFESSIONALS,
        Perspective.INSURERS,
    ]
    professionals = groups[1][2]
    assert professionals[0].user_id == chair.pk and professionals[0].is_chair
    assert groups[1][1] == "care professionals"


# --- The demo ------------------------------------------------------------------------------


def test_the_demo_gives_every_secretariat_page_something_to_show():
    from django.core.management import call_command

    from register.models import AuditEntry as Audit

    call_command("load_demo", verbosity=0)
    today = timezone.localdate()
    for code in ("IGC", "DGC"):
        memberships = Membership.objects.filter(committee__code=code)
        assert memberships.count() == 8 and memberships.filter(is_chair=True).count() == 1
        assert memberships.filter(user__username=f"{code.lower()}@example.org").exists()
    open_reviews = Review.objects.exclude(status=ReviewStatus.ADVISED).filter(
        submission__registry__acronym__in=["lnaz", "dlca-s", "perined"]
    )
    assert open_reviews.count() == 5
    for review in open_reviews:
        assert review.members.count() == 2
        assert not review.members.filter(pk__in=review.conflicts.values("member")).exists()
    assert Audit.objects.filter(action="review.assign").count() == 5

    lnaz_dgc = Review.objects.get(submission__registry__acronym="lnaz", committee__code="DGC")
    assert lnaz_dgc.status == ReviewStatus.OPEN
    assert lnaz_dgc.assessments.count() == 3 and lnaz_dgc.judgements.count() == 6
    assert lnaz_dgc.conflicts.count() == 1
    dlca_igc = Review.objects.get(submission__registry__acronym="dlca-s", committee__code="IGC")
    assert dlca_igc.status == ReviewStatus.CLARIFICATION
    assert dlca_igc.clarifications.get().deadline == today + datetime.timedelta(days=10)
    # Every advised review's advice is definitive.
    assert not Advice.objects.filter(
        review__status=ReviewStatus.ADVISED, status=AdviceStatus.DRAFT
    ).exists()

    rows = {row.registry.acronym: row for row in pipeline.pipeline()}
    assert rows["perined"].overdue and rows["perined"].reviews["DGC"].overdue
    assert rows["dlca-s"].reviews["IGC"].holder == pipeline.Holder.REGISTRY
    counts = pipeline.pipeline_counts()
    assert counts["overdue"] >= 1 and counts["waiting_for_registry"] >= 1
    assert counts["in_review"] >= 3 and counts["advised"] >= 1
    public = {
        row.registry.acronym: row for row in pipeline.process_rows(pipeline.process_registries())
    }
    assert public["dhfa"].advice and not public["nbca"].advice  # NBCA did not consent
