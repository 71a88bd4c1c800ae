"""Variable by variable: the committee's judgements (reviews.judgements)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from register.constants import PersonalDataClass, SubmissionStage
from register.exceptions import DomainError, InvalidTransition, PermissionDenied
from register.models import AuditEntry, ProviderCategory, Requirement, Variable
from register.services import dataset_version_create, dataset_version_submit
from reviews import judgements
from reviews.constants import ReviewStatus, Verdict
from reviews.judgements import (
    VariableFilters,
    changes_since_first_review,
    judgement_record,
    judgement_summary,
    judgements_bulk,
    judgements_carry_over,
    review_changes,
    review_variable,
    review_variables,
    review_variables_filtered,
)
from reviews.models import ConflictOfInterest, VariableJudgement
from tests.factories import clean_dossier

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

MOTIVATION = {"necessity": "Het doel is ook zonder deze variabele te bereiken."}


# --- Building tables of any size (shared with test_variables_views) -------------------------


def table_rows(count: int, *, start: int = 0) -> list[dict]:
    """``count`` variables V0000..: every third a quasi-identifier, every fifth a direct
    identifier kept out (direct identifiers block submission), every fourth in the plus set."""
    rows = []
    for n in range(start, start + count):
        rows.append(
            {
                "code": f"V{n:04d}",
                "name": f"Variabele {n}",
                "personal_data": PersonalDataClass.QUASI if n % 3 == 0 else PersonalDataClass.NONE,
                "necessity": f"Nodig voor indicator {n}.",
                "proportionality": f"Proportioneel {n}.",
                "subsidiarity": f"Geen alternatief {n}.",
                "cells": {"AZ": "base", "UMC": "plus" if n % 4 == 0 else "base"},
            }
        )
    return rows


def make_version(registry, user, rows):
    """A draft version with these variables and cells, written in a few queries."""
    version = dataset_version_create(registry=registry, actor=user, copy_previous=False)
    Variable.objects.bulk_create(
        [
            Variable(
                dataset_version=version,
                code=row["code"],
                name=row["name"],
                personal_data=row.get("personal_data", PersonalDataClass.NONE),
                purposes=["learn_improve", "instrument"],
                necessity=row.get("necessity", "Nodig."),
                proportionality=row.get("proportionality", ""),
                subsidiarity=row.get("subsidiarity", ""),
            )
            for row in rows
        ]
    )
    ids = dict(version.variables.values_list("code", "pk"))
    categories = dict(ProviderCategory.objects.values_list("code", "pk"))
    Requirement.objects.bulk_create(
        [
            Requirement(variable_id=ids[row["code"]], provider_category_id=categories[c], set=s)
            for row in rows
            for c, s in row.get("cells", {"AZ": "base"}).items()
        ]
    )
    return version


def submit(version, user, stage=SubmissionStage.FIRST):
    clean_dossier(version, stage, user=user)
    return dataset_version_submit(dataset_version=version, actor=user, stage=stage)


def review_of(submission, code="IGC"):
    return submission.reviews.select_related("submission__registry", "committee").get(
        committee__code=code
    )


def first_and_supplementary(registry, user, first_rows, second_rows):
    """A first review of ``first_rows``, then a supplementary review of ``second_rows``."""
    first = submit(make_version(registry, user, first_rows), user, SubmissionStage.FIRST)
    second = submit(make_version(registry, user, second_rows), user, SubmissionStage.SUPPLEMENTARY)
    return first, second


@pytest.fixture
def review(registry, registry_user):
    return review_of(submit(make_version(registry, registry_user, table_rows(6)), registry_user))


def variable_of(review, code):
    return Variable.objects.get(dataset_version_id=review.dataset_version_id, code=code)


# --- One judgement ---------------------------------------------------------------------------


def test_member_records_a_judgement_with_audit(review, igc_user):
    variable = variable_of(review, "V0001")
    judgement = judgement_record(
        review=review, actor=igc_user, variable_id=variable.pk, verdict=Verdict.ACCEPT
    )
    assert judgement.verdict == Verdict.ACCEPT
    assert judgement.judged_by == igc_user and not judgement.carried_over
    entry = AuditEntry.objects.get(action="variable_judgement.record")
    assert entry.actor == igc_user
    assert entry.registry == review.submission.registry
    assert entry.changes["variable"] == "V0001"
    assert entry.changes["verdict"] == [None, "accept"]


def test_judging_again_replaces_the_judgement_and_ends_carried_over(review, igc_user):
    variable = variable_of(review, "V0001")
    first = judgement_record(
        review=review, actor=igc_user, variable_id=variable.pk, verdict=Verdict.ACCEPT
    )
    VariableJudgement.objects.filter(pk=first.pk).update(carried_over=True)
    second = judgement_record(
        review=review,
        actor=igc_user,
        variable_id=variable.pk,
        verdict=Verdict.QUESTION,
        subsidiarity="  Kan dit uit de DBC-registratie komen?  ",
    )
    assert second.pk == first.pk
    assert VariableJudgement.objects.filter(review=review).count() == 1
    second.refresh_from_db()
    assert second.verdict == Verdict.QUESTION and not second.carried_over
    assert second.subsidiarity == "Kan dit uit de DBC-registratie komen?"
    latest = AuditEntry.objects.filter(action="variable_judgement.record").latest("id")
    assert latest.changes["verdict"] == ["accept", "question"]
    assert latest.changes["carried_over"] == [True, False]


@pytest.mark.parametrize("verdict", [Verdict.REJECT, Verdict.QUESTION])
def test_reject_and_question_need_a_motivation(review, igc_user, verdict):
    variable = variable_of(review, "V0001")
    with pytest.raises(DomainError) as error:
        judgement_record(
            review=review,
            actor=igc_user,
            variable_id=variable.pk,
            verdict=verdict,
            necessity="   ",
        )
    assert error.value.field == "necessity"
    assert "motivation" in error.value.message
    assert not VariableJudgement.objects.exists()
    # Any one of the three fields is enough.
    judgement_record(
        review=review,
        actor=igc_user,
        variable_id=variable.pk,
        verdict=verdict,
        proportionality="Te belastend voor kleine centra.",
    )


def test_unknown_verdict_is_refused(review, igc_user):
    variable = variable_of(review, "V0001")
    with pytest.raises(DomainError) as error:
        judgement_record(review=review, actor=igc_user, variable_id=variable.pk, verdict="maybe")
    assert error.value.field == "verdict"


def test_variable_of_another_version_is_refused_by_name(
    review, registry, registry_user, other_registry, other_registry_user, igc_user
):
    later = make_version(registry, registry_user, table_rows(2, start=50))
    elsewhere = make_version(other_registry, other_registry_user, table_rows(1, start=80))
    before = AuditEntry.objects.count()
    for version, code in ((later, "V0050"), (elsewhere, "V0080")):
        foreign = version.variables.get(code=code)
        with pytest.raises(DomainError) as error:
            judgement_record(
                review=review, actor=igc_user, variable_id=foreign.pk, verdict=Verdict.ACCEPT
            )
        assert error.value.field == "variable"
        assert error.value.status_code == 400
        assert f"Variable {code} belongs to another version" in error.value.message
    with pytest.raises(DomainError) as error:
        judgement_record(review=review, actor=igc_user, variable_id=999999, verdict="accept")
    assert error.value.field == "variable"
    assert not VariableJudgement.objects.exists()
    assert AuditEntry.objects.count() == before


@pytest.mark.parametrize(
    "status, allowed",
    [
        (ReviewStatus.OPEN, True),
        (ReviewStatus.CLARIFICATION, True),
        (ReviewStatus.DRAFT_ADVICE, False),
        (ReviewStatus.ADVISED, False),
    ],
)
def test_judging_only_while_the_review_is_open_or_in_clarification(
    review, igc_user, status, allowed
):
    type(review).objects.filter(pk=review.pk).update(status=status)
    variable = variable_of(review, "V0002")
    if allowed:
        judgement_record(review=review, actor=igc_user, variable_id=variable.pk, verdict="accept")
        judgements_bulk(review=review, actor=igc_user, verdict="accept", variable_ids=[variable.pk])
        assert VariableJudgement.objects.count() == 1
    else:
        with pytest.raises(InvalidTransition) as error:
            judgement_record(
                review=review, actor=igc_user, variable_id=variable.pk, verdict="accept"
            )
        assert error.value.status_code == 409
        with pytest.raises(InvalidTransition):
            judgements_bulk(
                review=review, actor=igc_user, verdict="accept", variable_ids=[variable.pk]
            )
        assert not VariableJudgement.objects.exists()


def test_other_committee_and_conflicted_member_cannot_judge(review, igc_user, dgc_user):
    variable = variable_of(review, "V0001")
    with pytest.raises(PermissionDenied):
        judgement_record(review=review, actor=dgc_user, variable_id=variable.pk, verdict="accept")
    ConflictOfInterest.objects.create(review=review, member=igc_user, reason="Adviseur.")
    with pytest.raises(PermissionDenied):
        judgement_record(review=review, actor=igc_user, variable_id=variable.pk, verdict="accept")
    with pytest.raises(PermissionDenied):
        judgements_bulk(review=review, actor=igc_user, verdict="accept", variable_ids=[variable.pk])
    assert not VariableJudgement.objects.exists()


# --- Many at once ----------------------------------------------------------------------------


def test_bulk_judges_the_chosen_variables_with_one_audit_entry(review, igc_user):
    ids = list(review.dataset_version.variables.values_list("pk", flat=True))
    judgement_record(review=review, actor=igc_user, variable_id=ids[0], verdict="accept")
    VariableJudgement.objects.update(carried_over=True)
    before = AuditEntry.objects.count()
    result = judgements_bulk(
        review=review, actor=igc_user, verdict=Verdict.REJECT, variable_ids=ids[:4], **MOTIVATION
    )
    assert (result.variable_count, result.created, result.updated) == (4, 3, 1)
    judged = VariableJudgement.objects.filter(review=review)
    assert judged.count() == 4
    assert set(judged.values_list("verdict", flat=True)) == {"reject"}
    assert set(judged.values_list("necessity", flat=True)) == {MOTIVATION["necessity"]}
    assert not judged.filter(carried_over=True).exists()
    assert set(judged.values_list("judged_by", flat=True)) == {igc_user.pk}
    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.get(action="variable_judgement.bulk")
    assert entry.changes["variable_count"] == 4 and entry.changes["verdict"] == "reject"


def test_bulk_over_a_filter_reads_the_ids_once(review, igc_user):
    """ "Not yet judged" shrinks as the writes go in: the ids are read before writing."""
    unjudged = review_variables_filtered(review, filters=VariableFilters(unjudged_only=True))
    result = judgements_bulk(review=review, actor=igc_user, verdict="accept", variables=unjudged)
    assert result.variable_count == 6
    assert VariableJudgement.objects.filter(review=review).count() == 6


def test_bulk_is_all_or_nothing_and_names_foreign_variables(
    review, registry, registry_user, igc_user
):
    own = list(review.dataset_version.variables.values_list("pk", flat=True))
    later = make_version(registry, registry_user, table_rows(1, start=70))
    foreign = later.variables.get().pk
    before = AuditEntry.objects.count()
    with pytest.raises(DomainError) as error:
        judgements_bulk(
            review=review, actor=igc_user, verdict="accept", variable_ids=[*own, foreign]
        )
    assert error.value.field == "variables"
    assert "V0070" in error.value.message and "another version" in error.value.message
    with pytest.raises(DomainError) as error:
        judgements_bulk(review=review, actor=igc_user, verdict="accept", variable_ids=[])
    assert error.value.field == "variables"
    with pytest.raises(DomainError) as error:
        judgements_bulk(review=review, actor=igc_user, verdict="reject", variable_ids=own)
    assert error.value.field == "necessity"
    assert not VariableJudgement.objects.exists()
    assert AuditEntry.objects.count() == before


def test_bulk_uses_constant_queries(
    registry, other_registry, registry_user, other_registry_user, igc_user
):
    counts = {}
    for reg, user, size in (
        (registry, registry_user, 30),
        (other_registry, other_registry_user, 300),
    ):
        review = review_of(submit(make_version(reg, user, table_rows(size)), user))
        half = list(review.dataset_version.variables.values_list("pk", flat=True)[: size // 2])
        judgements_bulk(review=review, actor=igc_user, verdict="accept", variable_ids=half)
        everything = review_variables_filtered(review, filters=VariableFilters())
        with CaptureQueriesContext(connection) as captured:
            result = judgements_bulk(
                review=review,
                actor=igc_user,
                verdict="question",
                variables=everything,
                **MOTIVATION,
            )
        assert (result.created, result.updated) == (size - size // 2, size // 2)
        counts[size] = len(captured)
    assert counts[30] == counts[300]


# --- Carried over to a revised version -------------------------------------------------------


def test_carry_over_keeps_judgements_of_unchanged_variables_only(registry, registry_user, igc_user):
    v1 = make_version(registry, registry_user, table_rows(4))
    review = review_of(submit(v1, registry_user))
    for variable in v1.variables.all():
        judgement_record(
            review=review, actor=igc_user, variable_id=variable.pk, verdict="question", **MOTIVATION
        )
    rows = table_rows(4)
    rows[1]["cells"] = {"AZ": "base"}  # V0001: a requirement cell changed
    rows[2]["name"] = "Andere naam"  # V0002: a field changed
    del rows[3]  # V0003: removed
    rows.append(table_rows(1, start=9)[0])  # V0009: added
    v2 = make_version(registry, registry_user, rows)

    assert judgements_carry_over(review=review, from_version=v1, to_version=v2) == 1
    carried = VariableJudgement.objects.get(review=review, variable__dataset_version=v2)
    assert carried.variable.code == "V0000"
    assert carried.carried_over and carried.verdict == "question"
    assert carried.necessity == MOTIVATION["necessity"] and carried.judged_by == igc_user
    # Running it again carries nothing twice.
    assert judgements_carry_over(review=review, from_version=v1, to_version=v2) == 0
    assert VariableJudgement.objects.filter(variable__dataset_version=v2).count() == 1


# --- Changed since the first review ----------------------------------------------------------


def test_a_first_review_has_no_changes_to_show(review):
    assert changes_since_first_review(review) is None
    assert review_changes(review) is None


def test_supplementary_review_shows_what_changed_since_the_first_review(registry, registry_user):
    first_rows = table_rows(4)
    second_rows = table_rows(4)
    second_rows[1]["cells"] = {"AZ": "base", "UMC": "base", "STZ": "plus"}  # V0001
    second_rows[2]["subsidiarity"] = "Nieuwe onderbouwing."  # V0002
    del second_rows[3]  # V0003 removed
    second_rows.append(table_rows(1, start=20)[0])  # V0020 added
    _first, second = first_and_supplementary(registry, registry_user, first_rows, second_rows)
    review = review_of(second)

    diff = changes_since_first_review(review)
    assert diff.old.number == 1 and diff.new == review.dataset_version
    assert [row.variable.code for row in diff.added] == ["V0020"]
    assert [row.variable.code for row in diff.removed] == ["V0003"]
    assert [change.code for change in diff.changed] == ["V0001", "V0002"]
    cells = {(c.category.code, c.old, c.new) for c in diff.changed[0].cells}
    assert cells == {("STZ", "", "plus")}
    assert [f.field for f in diff.changed[1].fields] == ["subsidiarity"]

    changes = review_changes(review)
    assert changes.codes == {"V0020": "added", "V0001": "changed", "V0002": "changed"}
    assert (changes.first_version, changes.version) == (1, 2)
    assert changes.changed[0].cells[0].category.code == "STZ"
    # Both versions are submitted, so their diff is kept: the second read does not redo it.
    with CaptureQueriesContext(connection) as captured:
        assert review_changes(review).codes == changes.codes
    assert len(captured) <= 2


def test_changes_compare_with_the_most_recent_earlier_first_review(registry, registry_user):
    submit(make_version(registry, registry_user, table_rows(1)), registry_user)
    submit(make_version(registry, registry_user, table_rows(2)), registry_user)  # version 2
    second = submit(
        make_version(registry, registry_user, table_rows(3)),
        registry_user,
        SubmissionStage.SUPPLEMENTARY,
    )
    diff = changes_since_first_review(review_of(second))
    assert diff.old.number == 2
    assert [row.variable.code for row in diff.added] == ["V0002"]


# --- Reading a page --------------------------------------------------------------------------


def test_filters_each_narrow_the_list(registry, registry_user, igc_user):
    first_rows = table_rows(12)
    second_rows = table_rows(12)
    second_rows[5]["name"] = "Veranderd"
    second_rows.append({"code": "NIEUW", "name": "Nieuw", "cells": {"AZ": "base"}})
    _first, second = first_and_supplementary(registry, registry_user, first_rows, second_rows)
    review = review_of(second)
    changes = review_changes(review)
    ids = dict(review.dataset_version.variables.values_list("code", "pk"))
    judgement_record(review=review, actor=igc_user, variable_id=ids["V0001"], verdict="accept")
    judgement_record(
        review=review, actor=igc_user, variable_id=ids["V0002"], verdict="reject", **MOTIVATION
    )

    def codes(**filters):
        listing = review_variables(review, filters=VariableFilters(**filters), changes=changes)
        return [row.variable.code for row in listing.table.rows]

    assert len(codes()) == 13
    assert codes(search="variabele 1") == ["V0001", "V0010", "V0011"]
    assert codes(search="nieuw") == ["NIEUW"]
    assert codes(plus_only=True) == ["V0000", "V0004", "V0008"]
    assert codes(quasi_only=True) == ["V0000", "V0003", "V0006", "V0009"]
    assert codes(personal_only=True) == ["V0000", "V0003", "V0006", "V0009"]
    assert codes(changed_only=True) == ["NIEUW", "V0005"]
    assert codes(unjudged_only=True) == sorted(set(ids) - {"V0001", "V0002"})
    assert codes(verdict="reject") == ["V0002"]
    assert codes(verdict="reject", plus_only=True) == []
    assert codes(quasi_only=True, unjudged_only=True, search="V000") == [
        "V0000",
        "V0003",
        "V0006",
        "V0009",
    ]


def test_personal_data_filter_includes_direct_identifiers(review):
    Variable.objects.filter(pk=variable_of(review, "V0001").pk).update(
        personal_data=PersonalDataClass.DIRECT
    )
    listing = review_variables(review, filters=VariableFilters(personal_only=True))
    assert [row.variable.code for row in listing.table.rows] == ["V0000", "V0001", "V0003"]
    listing = review_variables(review, filters=VariableFilters(quasi_only=True))
    assert [row.variable.code for row in listing.table.rows] == ["V0000", "V0003"]


def test_changed_filter_without_a_first_review_matches_nothing(review):
    listing = review_variables(review, filters=VariableFilters(changed_only=True))
    assert listing.page.paginator.count == 0


def test_a_page_carries_nps_purposes_cells_and_judgement(review, igc_user):
    v1 = variable_of(review, "V0000")
    judgement_record(review=review, actor=igc_user, variable_id=v1.pk, verdict="accept")
    listing = review_variables(review)
    row = listing.table.rows[0]
    categories = [c.code for c in listing.table.categories]
    assert len(categories) == 9
    assert row.variable.code == "V0000"
    assert row.variable.necessity == "Nodig voor indicator 0."
    assert row.variable.purpose_labels == [
        "learning and improving",
        "further development of the measurement instrument",
    ]
    assert row.cells[categories.index("AZ")] == "base"
    assert row.cells[categories.index("UMC")] == "plus"
    assert row.judgement.verdict == "accept" and row.judgement.judged_by == igc_user
    assert listing.table.rows[1].judgement is None
    one = review_variable(review, code="V0000")
    assert one.judgement.verdict == "accept"
    assert dict((c.code, s) for c, s in one.cells)["UMC"] == "plus"


def test_a_page_uses_constant_queries(
    registry, other_registry, registry_user, other_registry_user, igc_user
):
    assert ProviderCategory.objects.count() == 9
    counts = {}
    for reg, user, size in (
        (registry, registry_user, 30),
        (other_registry, other_registry_user, 300),
    ):
        review = review_of(submit(make_version(reg, user, table_rows(size)), user))
        ids = list(review.dataset_version.variables.values_list("pk", flat=True))
        judgements_bulk(review=review, actor=igc_user, verdict="accept", variable_ids=ids[::2])
        with CaptureQueriesContext(connection) as captured:
            listing = review_variables(
                review, filters=VariableFilters(quasi_only=True, unjudged_only=True), page=1
            )
            rows = [(r.variable.code, r.judgement, r.cells) for r in listing.table.rows]
            summary = judgement_summary(review)
        assert rows and summary.variables == size
        counts[size] = len(captured)
    assert counts[30] == counts[300] <= 8


def test_summary_counts_verdicts_not_judged_and_carried_over(review, igc_user):
    ids = list(review.dataset_version.variables.values_list("pk", flat=True))
    judgements_bulk(review=review, actor=igc_user, verdict="accept", variable_ids=ids[:3])
    judgement_record(
        review=review, actor=igc_user, variable_id=ids[3], verdict="question", **MOTIVATION
    )
    VariableJudgement.objects.filter(variable_id=ids[0]).update(carried_over=True)
    summary = judgement_summary(review)
    assert summary.counts == {"accept": 3, "reject": 0, "question": 1}
    assert (summary.variables, summary.judged, summary.not_judged) == (6, 4, 2)
    assert summary.carried_over == 1
    assert [count for _v, _l, count in summary.rows] == [3, 0, 1]


def test_version_under_review_is_the_reviews_own(registry, registry_user, igc_user):
    """After a revision in a clarification round the review judges the revised version."""
    review = review_of(submit(make_version(registry, registry_user, table_rows(2)), registry_user))
    revised = make_version(registry, registry_user, table_rows(3))
    type(review).objects.filter(pk=review.pk).update(dataset_version=revised)
    review.refresh_from_db()
    old = Variable.objects.get(dataset_version=review.submission.dataset_version, code="V0000")
    with pytest.raises(DomainError) as error:
        judgement_record(review=review, actor=igc_user, variable_id=old.pk, verdict="accept")
    assert "version 1" in error.value.message
    new = revised.variables.get(code="V0002")
    judgement_record(review=review, actor=igc_user, variable_id=new.pk, verdict="accept")
    assert judgement_summary(review).variables == 3
    assert judgements.review_variables(review).page.paginator.count == 3
