"""Criteria, each committee its own way: services and selectors of reviews.criteria."""

import pytest

from register.constants import SubmissionStage
from register.exceptions import DomainError, InvalidTransition, PermissionDenied
from register.models import AuditEntry
from register.services import dataset_version_create, dataset_version_submit, variable_save
from reviews.constants import CatalogueStage, CriterionRating, ReviewStatus
from reviews.criteria import (
    AssessmentsInvalid,
    CatalogueInvalid,
    catalogue_problems,
    catalogue_publish,
    criteria_assess_bulk,
    criteria_summary,
    criterion_assess,
    positive_advice_possible,
)
from reviews.models import (
    Committee,
    ConflictOfInterest,
    CriteriaCatalogue,
    Criterion,
    CriterionAssessment,
    Review,
)
from tests.factories import clean_dossier

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

SUF, MOD, INS = CriterionRating.SUFFICIENT, CriterionRating.MODERATE, CriterionRating.INSUFFICIENT


def submit(registry, user, stage=SubmissionStage.SUPPLEMENTARY):
    version = dataset_version_create(registry=registry, actor=user, copy_previous=False)
    variable_save(
        dataset_version=version,
        actor=user,
        data={"code": "V001", "name": "Leeftijd", "necessity": "Nodig."},
        requirements={"AZ": "base"},
    )
    clean_dossier(version, stage, user=user)
    return dataset_version_submit(dataset_version=version, actor=user, stage=stage)


@pytest.fixture
def submission(registry, registry_user):
    return submit(registry, registry_user)


@pytest.fixture
def igc_review(submission):
    return submission.reviews.select_related("committee").get(committee__code="IGC")


@pytest.fixture
def dgc_review(submission):
    return submission.reviews.select_related("committee").get(committee__code="DGC")


def criterion(review, code):
    return Criterion.objects.get(catalogue_id=review.catalogue_id, code=code)


def rate_all(review, user, rating=SUF, **overrides):
    """Rate every criterion of an IGC review ``rating``, except the codes in ``overrides``."""
    return criteria_assess_bulk(
        review=review,
        actor=user,
        entries=[
            {"criterion": c, "rating": overrides.get(c.code, rating), "motivation": "Goed."}
            for c in Criterion.objects.filter(catalogue_id=review.catalogue_id)
        ],
    )


def catalogue_rows(catalogue):
    return [
        {
            "code": c.code,
            "title": c.title,
            "description": c.description,
            "minimum_requirement": c.minimum_requirement,
            "growth_path": c.growth_path,
            "knockout": c.knockout,
        }
        for c in catalogue.criteria.all()
    ]


# --- The catalogue a review starts with -----------------------------------------------------------


def test_a_review_starts_with_the_newest_catalogue_of_its_committee_and_stage(
    igc_review, dgc_review
):
    assert (igc_review.catalogue.committee.code, igc_review.catalogue.stage) == (
        "IGC",
        CatalogueStage.SUPPLEMENTARY,
    )
    assert igc_review.catalogue.version == 1
    assert dgc_review.catalogue.committee.code == "DGC"
    knockouts = set(
        dgc_review.catalogue.criteria.filter(knockout=True).values_list("code", flat=True)
    )
    # DOMAIN.md: a processing agreement and a data protection officer are DGC knock-outs.
    assert {"DGC-1", "DGC-2"} <= knockouts


# --- IGC rates, DGC says whether the minimum is met ----------------------------------------------


def test_igc_must_rate_the_criterion(igc_review, igc_user):
    with pytest.raises(DomainError) as refused:
        criterion_assess(
            review=igc_review,
            criterion=criterion(igc_review, "IGC-3"),
            actor=igc_user,
            motivation="Draagvlak onduidelijk.",
        )
    assert refused.value.field == "rating"
    assert "IGC-3" in refused.value.message and "rating" in refused.value.message
    assert not CriterionAssessment.objects.exists()


def test_dgc_must_say_whether_the_minimum_requirement_is_met(dgc_review, dgc_user):
    with pytest.raises(DomainError) as refused:
        criterion_assess(
            review=dgc_review,
            criterion=criterion(dgc_review, "DGC-3"),
            actor=dgc_user,
            rating=SUF,  # the IGC's way does not count for the DGC
        )
    assert refused.value.field == "minimum_met"
    assert "DGC-3" in refused.value.message
    assert not CriterionAssessment.objects.exists()


def test_dgc_records_minimum_met_and_growth_path_and_no_rating(dgc_review, dgc_user):
    assessment = criterion_assess(
        review=dgc_review,
        criterion=criterion(dgc_review, "DGC-3"),
        actor=dgc_user,
        rating=SUF,
        minimum_met=True,
        growth_path_note="NEN 7510 binnen twee jaar.",
        motivation="Beleid vastgesteld.",
    )
    assessment.refresh_from_db()
    assert assessment.minimum_met is True
    assert assessment.rating == ""
    assert assessment.growth_path_note == "NEN 7510 binnen twee jaar."
    assert assessment.assessed_by == dgc_user


def test_assessing_again_updates_the_one_assessment_and_audits_only_changes(igc_review, igc_user):
    igc3 = criterion(igc_review, "IGC-3")
    criterion_assess(review=igc_review, criterion=igc3, actor=igc_user, rating=MOD)
    criterion_assess(
        review=igc_review, criterion=igc3, actor=igc_user, rating=SUF, motivation="Nu wel."
    )
    criterion_assess(
        review=igc_review, criterion=igc3, actor=igc_user, rating=SUF, motivation="Nu wel."
    )
    assessment = CriterionAssessment.objects.get(review=igc_review, criterion=igc3)
    assert (assessment.rating, assessment.motivation) == (SUF, "Nu wel.")
    entries = AuditEntry.objects.filter(action="criterion.assess").order_by("pk")
    assert entries.count() == 2  # the unchanged third save writes nothing
    assert entries[0].changes["criterion"] == "IGC-3"
    assert entries[0].changes["rating"] == [None, MOD]
    assert entries[1].changes["rating"] == [MOD, SUF]
    assert entries[1].changes["motivation"] == ["", "Nu wel."]
    assert entries[1].registry == igc_review.submission.registry
    assert entries[1].actor == igc_user


def test_a_criterion_of_another_catalogue_is_refused(igc_review, dgc_review, igc_user):
    with pytest.raises(DomainError) as refused:
        criterion_assess(
            review=igc_review, criterion=criterion(dgc_review, "DGC-1"), actor=igc_user, rating=SUF
        )
    assert refused.value.field == "criterion"
    assert "DGC-1" in refused.value.message
    # The IGC's own first-review catalogue is another catalogue too.
    first = CriteriaCatalogue.objects.get(
        committee__code="IGC", stage=CatalogueStage.FIRST, version=1
    )
    with pytest.raises(DomainError) as refused:
        criterion_assess(
            review=igc_review,
            criterion=first.criteria.get(code="IGC-1"),
            actor=igc_user,
            rating=SUF,
        )
    assert refused.value.field == "criterion"
    assert not CriterionAssessment.objects.exists()


@pytest.mark.parametrize("status", [ReviewStatus.DRAFT_ADVICE, ReviewStatus.ADVISED])
def test_criteria_cannot_change_once_a_draft_advice_went_out(igc_review, igc_user, status):
    Review.objects.filter(pk=igc_review.pk).update(status=status)
    with pytest.raises(InvalidTransition) as refused:
        criterion_assess(
            review=igc_review, criterion=criterion(igc_review, "IGC-1"), actor=igc_user, rating=SUF
        )
    assert refused.value.status_code == 409
    assert not CriterionAssessment.objects.exists()


def test_criteria_can_be_assessed_during_a_clarification_round(igc_review, igc_user):
    Review.objects.filter(pk=igc_review.pk).update(status=ReviewStatus.CLARIFICATION)
    criterion_assess(
        review=igc_review, criterion=criterion(igc_review, "IGC-1"), actor=igc_user, rating=MOD
    )
    assert CriterionAssessment.objects.get().rating == MOD


def test_only_the_reviewing_committee_without_conflict_assesses(igc_review, igc_user, dgc_user):
    igc1 = criterion(igc_review, "IGC-1")
    with pytest.raises(PermissionDenied):
        criterion_assess(review=igc_review, criterion=igc1, actor=dgc_user, rating=SUF)
    ConflictOfInterest.objects.create(review=igc_review, member=igc_user, reason="Adviseur.")
    with pytest.raises(PermissionDenied):
        criterion_assess(review=igc_review, criterion=igc1, actor=igc_user, rating=SUF)
    assert not CriterionAssessment.objects.exists()
    assert not AuditEntry.objects.filter(action="criterion.assess").exists()


# --- Bulk: all or nothing -------------------------------------------------------------------------


def test_bulk_assessment_is_all_or_nothing_and_names_each_criterion_and_field(
    igc_review, dgc_review, igc_user
):
    igc1, igc2 = criterion(igc_review, "IGC-1"), criterion(igc_review, "IGC-2")
    with pytest.raises(AssessmentsInvalid) as refused:
        criteria_assess_bulk(
            review=igc_review,
            actor=igc_user,
            entries=[
                {"criterion": igc1, "rating": SUF},
                {"criterion": igc2, "rating": "excellent"},
                {"criterion": criterion(dgc_review, "DGC-1"), "rating": SUF},
                {"criterion": igc1, "rating": MOD},
            ],
        )
    problems = [(p.criterion_code, p.field) for p in refused.value.problems]
    assert problems == [
        ("IGC-2", "rating"),
        ("DGC-1", "criterion"),
        ("IGC-1", "criterion"),  # given twice
    ]
    assert all(p.criterion_code in p.message for p in refused.value.problems)
    assert not CriterionAssessment.objects.exists()  # IGC-1 was valid, but nothing is saved
    assert not AuditEntry.objects.filter(action="criterion.assess").exists()


def test_bulk_assessment_saves_every_criterion_with_one_audit_entry_each(igc_review, igc_user):
    saved = rate_all(igc_review, igc_user, **{"IGC-4": MOD})
    count = igc_review.catalogue.criteria.count()
    assert len(saved) == count == CriterionAssessment.objects.filter(review=igc_review).count()
    assert AuditEntry.objects.filter(action="criterion.assess").count() == count


# --- The summary and the knock-outs ---------------------------------------------------------------


def test_summary_counts_ratings_and_lists_unassessed_knockouts(igc_review, igc_user):
    criterion_assess(
        review=igc_review, criterion=criterion(igc_review, "IGC-1"), actor=igc_user, rating=SUF
    )
    criterion_assess(
        review=igc_review, criterion=criterion(igc_review, "IGC-3"), actor=igc_user, rating=INS
    )
    summary = criteria_summary(igc_review)
    total = igc_review.catalogue.criteria.count()
    assert summary.catalogue == igc_review.catalogue
    assert [row.criterion.code for row in summary.rows][:3] == ["IGC-1", "IGC-2", "IGC-3"]
    assert summary.counts == {SUF: 1, MOD: 0, INS: 1, "unassessed": total - 2}
    # IGC-3 is insufficient but not a knock-out; IGC-2 and IGC-9 (knock-outs) are not assessed.
    assert [c.code for c in summary.knockouts_failed] == ["IGC-2", "IGC-9"]
    assert [c.code for c in summary.knockouts_unassessed] == ["IGC-2", "IGC-9"]
    assert summary.knockouts_rejected == []
    assert summary.positive_advice_possible is False
    assert positive_advice_possible(igc_review) is False


def test_igc_knockout_rated_insufficient_makes_positive_advice_impossible(igc_review, igc_user):
    rate_all(igc_review, igc_user)
    assert positive_advice_possible(igc_review) is True
    assert criteria_summary(igc_review).knockouts_failed == []

    criterion_assess(
        review=igc_review, criterion=criterion(igc_review, "IGC-2"), actor=igc_user, rating=INS
    )
    summary = criteria_summary(igc_review)
    assert [c.code for c in summary.knockouts_failed] == ["IGC-2"]
    assert [c.code for c in summary.knockouts_rejected] == ["IGC-2"]
    assert summary.positive_advice_possible is False
    assert positive_advice_possible(igc_review) is False


def test_igc_knockout_rated_moderate_still_allows_positive_advice(igc_review, igc_user):
    rate_all(igc_review, igc_user, **{"IGC-2": MOD, "IGC-9": MOD, "IGC-5": INS})
    assert positive_advice_possible(igc_review) is True
    summary = criteria_summary(igc_review)
    assert summary.positive_advice_possible is True
    assert summary.counts[INS] == 1


def test_dgc_knockout_not_met_makes_positive_advice_impossible(dgc_review, dgc_user):
    criteria = list(Criterion.objects.filter(catalogue_id=dgc_review.catalogue_id))
    criteria_assess_bulk(
        review=dgc_review,
        actor=dgc_user,
        entries=[{"criterion": c, "minimum_met": True} for c in criteria],
    )
    assert positive_advice_possible(dgc_review) is True
    summary = criteria_summary(dgc_review)
    assert summary.counts == {"met": len(criteria), "not_met": 0, "unassessed": 0}

    # No processing agreement (AVG art. 28): a knock-out.
    criterion_assess(
        review=dgc_review,
        criterion=criterion(dgc_review, "DGC-1"),
        actor=dgc_user,
        minimum_met=False,
        motivation="Geen getekende verwerkersovereenkomst.",
    )
    # A non-knock-out not met does not block on its own.
    criterion_assess(
        review=dgc_review,
        criterion=criterion(dgc_review, "DGC-4"),
        actor=dgc_user,
        minimum_met=False,
    )
    summary = criteria_summary(dgc_review)
    assert [c.code for c in summary.knockouts_failed] == ["DGC-1"]
    assert summary.counts["not_met"] == 2
    assert positive_advice_possible(dgc_review) is False


def test_summary_and_positive_advice_check_take_constant_queries(
    igc_review, igc_user, django_assert_num_queries
):
    rate_all(igc_review, igc_user)
    review = Review.objects.select_related("committee").get(pk=igc_review.pk)
    with django_assert_num_queries(2):  # criteria, assessments
        summary = criteria_summary(review)
    assert len(summary.rows) == review.catalogue.criteria.count()
    with django_assert_num_queries(1):
        assert positive_advice_possible(review) is True


# --- Publishing a catalogue -----------------------------------------------------------------------


def test_publishing_makes_a_new_version_and_reviews_keep_theirs(
    igc_review, igc_user, secretariat_user, other_registry, other_registry_user
):
    rate_all(igc_review, igc_user)
    v1 = igc_review.catalogue
    rows = catalogue_rows(v1)
    v1_rows = [dict(row) for row in rows]
    rows[0]["title"] = "Doel en aantoonbare meerwaarde"
    rows.pop()  # drop IGC-9
    rows.append({"code": "IGC-10", "title": "Openbaarheid van uitkomsten", "knockout": True})
    v2 = catalogue_publish(
        committee=v1.committee,
        stage=v1.stage,
        actor=secretariat_user,
        note="IGC-10 toegevoegd, IGC-9 vervallen.",
        criteria=rows,
    )
    assert (v2.version, v2.published_by, v2.note) == (
        2,
        secretariat_user,
        "IGC-10 toegevoegd, IGC-9 vervallen.",
    )
    assert [c.code for c in v2.criteria.all()][-1] == "IGC-10"
    assert [c.position for c in v2.criteria.all()] == list(range(1, len(rows) + 1))
    # The published version is untouched, and the running review keeps it with its verdicts.
    assert catalogue_rows(v1) == v1_rows
    igc_review.refresh_from_db()
    assert igc_review.catalogue == v1
    assert positive_advice_possible(igc_review) is True
    assert len(criteria_summary(igc_review).rows) == len(v1_rows)
    # A new review of the stage starts with version 2, whose new knock-out is not yet met.
    new_review = submit(other_registry, other_registry_user).reviews.get(committee__code="IGC")
    assert new_review.catalogue == v2
    assert [c.code for c in criteria_summary(new_review).knockouts_failed] == ["IGC-2", "IGC-10"]
    # The DGC and the other stage are unaffected.
    assert new_review.submission.reviews.get(committee__code="DGC").catalogue.version == 1
    entry = AuditEntry.objects.get(action="catalogue.publish")
    assert entry.actor == secretariat_user
    assert entry.changes["version"] == 2
    assert entry.changes["added"] == ["IGC-10"]
    assert entry.changes["removed"] == ["IGC-9"]
    assert entry.changes["changed"] == ["IGC-1"]


def test_a_criterion_of_the_new_version_is_refused_on_a_review_of_the_old(
    igc_review, igc_user, secretariat_user
):
    v1 = igc_review.catalogue
    rows = catalogue_rows(v1)
    rows[0]["description"] = "Nieuw."
    v2 = catalogue_publish(
        committee=v1.committee, stage=v1.stage, actor=secretariat_user, note="x", criteria=rows
    )
    with pytest.raises(DomainError) as refused:
        criterion_assess(
            review=igc_review, criterion=v2.criteria.get(code="IGC-1"), actor=igc_user, rating=SUF
        )
    assert refused.value.field == "criterion"


def test_only_the_secretariat_publishes_catalogues(igc_user, secretariat_user):
    committee = Committee.objects.get(code="IGC")
    rows = [{"code": "X-1", "title": "Iets"}]
    with pytest.raises(PermissionDenied):
        catalogue_publish(
            committee=committee,
            stage=CatalogueStage.FIRST,
            actor=igc_user,
            note="x",
            criteria=rows,
        )
    assert CriteriaCatalogue.objects.filter(committee=committee).count() == 2
    assert not AuditEntry.objects.filter(action="catalogue.publish").exists()


def test_a_new_version_needs_criteria_unique_codes_titles_and_a_note(secretariat_user):
    committee = Committee.objects.get(code="DGC")
    with pytest.raises(CatalogueInvalid) as refused:
        catalogue_publish(
            committee=committee,
            stage=CatalogueStage.FIRST,
            actor=secretariat_user,
            note="x",
            criteria=[],
        )
    assert refused.value.field == "criteria"
    problems = catalogue_problems(
        [
            {"code": "DGC-1", "title": "Verwerkersovereenkomst"},
            {"code": "dgc-1", "title": "Dubbel"},
            {"code": "", "title": "Zonder code"},
            {"code": "DGC-9", "title": " "},
            {"code": "X" * 17, "title": "Te lang"},
        ],
        note=" ",
    )
    assert [(p.row, p.field) for p in problems] == [
        (None, "note"),
        (1, "code"),
        (2, "code"),
        (3, "title"),
        (4, "code"),
    ]
    assert "dgc-1 — code" in problems[1].message
    assert "Row 3 — code" in problems[2].message
    assert "DGC-9 — title" in problems[3].message
    with pytest.raises(CatalogueInvalid):
        catalogue_publish(
            committee=committee,
            stage=CatalogueStage.FIRST,
            actor=secretariat_user,
            note="",
            criteria=[{"code": "DGC-1", "title": "Verwerkersovereenkomst"}],
        )
    assert CriteriaCatalogue.objects.filter(committee=committee).count() == 2


def test_publishing_an_unchanged_catalogue_is_refused(secretariat_user):
    v1 = CriteriaCatalogue.objects.get(committee__code="DGC", stage=CatalogueStage.FIRST, version=1)
    with pytest.raises(DomainError) as refused:
        catalogue_publish(
            committee=v1.committee,
            stage=v1.stage,
            actor=secretariat_user,
            note="Niets.",
            criteria=catalogue_rows(v1),
        )
    assert "Nothing has changed" in refused.value.message
    assert CriteriaCatalogue.objects.filter(committee=v1.committee, stage=v1.stage).count() == 1
