"""Criteria of a review: each committee assesses against its own versioned catalogue.

The IGC rates each criterion sufficient / moderate / insufficient and weighs them into its
advice; the DGC records per criterion whether the minimum requirement is met and notes the
growth path. A knock-out criterion that is not met (IGC: rated insufficient; DGC: minimum not
met; either: not yet assessed) makes a positive advice impossible (DOMAIN.md, issue 4 item 1).

The secretariat changes a catalogue by publishing a new version; a review keeps the version it
started with (reviews.services.reviews_open sets it).
"""

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from register.audit import audit_record, field_changes
from register.constants import Role
from register.exceptions import DomainError, InvalidTransition, PermissionDenied
from register.roles import has_role

from .constants import CatalogueStage, CommitteeCode, CriterionRating, ReviewStatus
from .models import Committee, CriteriaCatalogue, Criterion, CriterionAssessment, Review
from .permissions import can_review, reviews_visible_to

# The committee assesses criteria while it reviews; once a draft advice has gone out (or the
# advice is given) the verdicts are part of the advice and no longer change.
ASSESSABLE_STATUSES = {ReviewStatus.OPEN, ReviewStatus.CLARIFICATION}
ASSESSMENT_FIELDS = ["rating", "minimum_met", "growth_path_note", "motivation"]
# Each message names the criterion and the field, wherever it is shown (form, API, audit).
RATING_REQUIRED = gettext_lazy("%(code)s — rating: choose sufficient, moderate or insufficient.")
MINIMUM_MET_REQUIRED = gettext_lazy("%(code)s — minimum requirement met: choose yes or no.")
CRITERION_FIELDS = [
    "code",
    "title",
    "description",
    "minimum_requirement",
    "growth_path",
    "knockout",
]


class AssessmentsInvalid(DomainError):
    """A bulk assessment refused as a whole; ``problems`` are DomainErrors with a ``field`` and
    the ``criterion_code`` they concern."""

    def __init__(self, problems: list[DomainError]):
        super().__init__(
            _("The criteria have not been saved: %(count)d problem(s).") % {"count": len(problems)}
        )
        self.problems = problems


class CatalogueInvalid(DomainError):
    """A catalogue refused as a whole; ``problems`` are DomainErrors with a ``field`` and the
    ``row`` (0-based index in the list given) they concern, or ``row=None`` for the whole."""

    def __init__(self, problems: list[DomainError]):
        super().__init__(problems[0].message, field=problems[0].field)
        self.problems = problems


# --- Assessing criteria ----------------------------------------------------------------------


def assessment_problems(
    *, committee_code: str, criterion: Criterion, rating: str = "", minimum_met=None
) -> list[DomainError]:
    """What is missing from one assessment: the IGC must rate, the DGC must say whether the
    minimum requirement is met. Each problem names the criterion and the field."""
    problems = []
    if committee_code == CommitteeCode.IGC:
        if rating not in CriterionRating.values:
            problem = DomainError(
                RATING_REQUIRED % {"code": criterion.code},
                field="rating",
            )
            problem.criterion_code = criterion.code
            problems.append(problem)
    elif minimum_met not in (True, False):
        problem = DomainError(
            MINIMUM_MET_REQUIRED % {"code": criterion.code},
            field="minimum_met",
        )
        problem.criterion_code = criterion.code
        problems.append(problem)
    return problems


def criterion_assess(
    *,
    review: Review,
    criterion: Criterion,
    actor,
    rating: str = "",
    minimum_met: bool | None = None,
    growth_path_note: str = "",
    motivation: str = "",
) -> CriterionAssessment:
    """Record the committee's verdict on one criterion of the review's catalogue (upsert).

    IGC: a rating is required; DGC: whether the minimum is met is required. Only while the
    review is open or waiting for the registry's answers.
    """
    assessments = criteria_assess_bulk(
        review=review,
        actor=actor,
        entries=[
            {
                "criterion": criterion,
                "rating": rating,
                "minimum_met": minimum_met,
                "growth_path_note": growth_path_note,
                "motivation": motivation,
            }
        ],
        single=True,
    )
    return assessments[0]


def criteria_assess_bulk(
    *, review: Review, actor, entries: list[dict], single: bool = False
) -> list[CriterionAssessment]:
    """Assess many criteria in one go, all or nothing (the criteria page saves them together).

    Each entry: ``criterion`` (a Criterion or its pk), ``rating``, ``minimum_met``,
    ``growth_path_note``, ``motivation``. Unchanged assessments are not written again. Raises
    AssessmentsInvalid with every problem (each naming the criterion code and the field).
    """
    if not can_review(actor, review):
        raise PermissionDenied(_("Only members of the reviewing committee can assess criteria."))
    with transaction.atomic():
        review = (
            Review.objects.select_for_update(of=("self",))
            .select_related("committee", "submission__registry")
            .get(pk=review.pk)
        )
        if review.status not in ASSESSABLE_STATUSES:
            raise InvalidTransition(
                _("The criteria of a review that is %(status)s can no longer be changed.")
                % {"status": review.get_status_display()}
            )
        criteria = {c.pk: c for c in Criterion.objects.filter(catalogue_id=review.catalogue_id)}
        existing = {
            a.criterion_id: a
            for a in CriterionAssessment.objects.filter(review=review).select_related("criterion")
        }
        problems, cleaned, seen = [], [], set()
        for entry in entries:
            given = entry.get("criterion")
            criterion = criteria.get(getattr(given, "pk", given))
            if criterion is not None and criterion.pk in seen:
                problem = DomainError(
                    _("%(code)s — criterion: assessed twice in one save.")
                    % {"code": criterion.code},
                    field="criterion",
                )
                problem.criterion_code = criterion.code
                problems.append(problem)
                continue
            if criterion is not None:
                seen.add(criterion.pk)
            if criterion is None:
                code = getattr(given, "code", str(given))
                problem = DomainError(
                    _(
                        "%(code)s — criterion: not a criterion of this review's catalogue "
                        "(version %(version)s)."
                    )
                    % {
                        "code": code,
                        "version": review.catalogue.version if review.catalogue else "—",
                    },
                    field="criterion",
                )
                problem.criterion_code = code
                problems.append(problem)
                continue
            values = _assessment_values(review.committee.code, entry)
            problems += assessment_problems(
                committee_code=review.committee.code,
                criterion=criterion,
                rating=values["rating"],
                minimum_met=values["minimum_met"],
            )
            cleaned.append((criterion, values))
        if problems:
            if single:
                raise problems[0]
            raise AssessmentsInvalid(problems)
        now = timezone.now()
        saved = []
        for criterion, values in cleaned:
            assessment = existing.get(criterion.pk)
            before = (
                {name: getattr(assessment, name) for name in ASSESSMENT_FIELDS}
                if assessment
                else {}
            )
            # A first assessment lists only what was filled in.
            changes = {
                name: change
                for name, change in field_changes(before, values).items()
                if change[0] not in (None, "") or change[1] not in (None, "")
            }
            if assessment is not None and not changes:
                saved.append(assessment)
                continue
            if assessment is None:
                assessment = CriterionAssessment(review=review, criterion=criterion)
            for name, value in values.items():
                setattr(assessment, name, value)
            assessment.assessed_by = actor
            assessment.assessed_at = now
            assessment.save()
            audit_record(
                actor=actor,
                action="criterion.assess",
                obj=assessment,
                registry=review.submission.registry,
                changes={
                    "committee": review.committee.code,
                    "criterion": criterion.code,
                    **changes,
                },
            )
            saved.append(assessment)
    return saved


def _assessment_values(committee_code: str, entry: dict) -> dict:
    """The fields the committee records: the IGC rates, the DGC says met or not and notes the
    growth path; the other committee's field stays empty."""
    igc = committee_code == CommitteeCode.IGC
    minimum_met = entry.get("minimum_met")
    if isinstance(minimum_met, str):  # from a form: "yes" / "no" / ""
        minimum_met = {"yes": True, "true": True, "no": False, "false": False}.get(
            minimum_met.lower()
        )
    return {
        "rating": (entry.get("rating") or "") if igc else "",
        "minimum_met": None if igc else minimum_met,
        "growth_path_note": "" if igc else (entry.get("growth_path_note") or "").strip(),
        "motivation": (entry.get("motivation") or "").strip(),
    }


# --- Reading the verdicts --------------------------------------------------------------------


@dataclass
class CriterionVerdict:
    """One criterion of the review's catalogue with the committee's assessment, if any."""

    criterion: Criterion
    assessment: CriterionAssessment | None
    committee_code: str

    @property
    def assessed(self) -> bool:
        return self.assessment is not None

    @property
    def met(self) -> bool | None:
        """True / False once assessed; None when not yet assessed. IGC: not insufficient."""
        if self.assessment is None:
            return None
        if self.committee_code == CommitteeCode.IGC:
            return self.assessment.rating != CriterionRating.INSUFFICIENT
        return bool(self.assessment.minimum_met)

    @property
    def knockout_failed(self) -> bool:
        """A knock-out that is not met, or not yet assessed."""
        return self.criterion.knockout and not self.met

    @property
    def verdict_label(self) -> str:
        if self.assessment is None:
            return _("not yet assessed")
        if self.committee_code == CommitteeCode.IGC:
            return self.assessment.get_rating_display()
        return _("minimum met") if self.assessment.minimum_met else _("minimum not met")


@dataclass
class CriteriaSummary:
    catalogue: CriteriaCatalogue | None
    committee_code: str
    rows: list[CriterionVerdict] = field(default_factory=list)
    # IGC: {rating: count}; DGC: {"met": n, "not_met": n}; both: "unassessed".
    counts: dict[str, int] = field(default_factory=dict)
    # Every knock-out that is not met: rated insufficient / minimum not met, or not yet
    # assessed (not yet met). Any of them makes a positive advice impossible.
    knockouts_failed: list[Criterion] = field(default_factory=list)
    # The part of knockouts_failed that has not been assessed yet.
    knockouts_unassessed: list[Criterion] = field(default_factory=list)

    @property
    def positive_advice_possible(self) -> bool:
        return not self.knockouts_failed

    @property
    def knockouts_rejected(self) -> list[Criterion]:
        """Knock-outs the committee assessed as not met (the hard 'no')."""
        unassessed = {c.pk for c in self.knockouts_unassessed}
        return [c for c in self.knockouts_failed if c.pk not in unassessed]

    @property
    def assessed_count(self) -> int:
        return sum(1 for row in self.rows if row.assessed)

    @property
    def complete(self) -> bool:
        return all(row.assessed for row in self.rows)


def criteria_summary(review: Review) -> CriteriaSummary:
    """Per criterion of the review's catalogue its assessment; counts; unmet knock-outs.

    Three queries at most, whatever the catalogue's size (committee if not loaded, criteria,
    assessments).
    """
    code = review.committee.code
    summary = CriteriaSummary(catalogue=None, committee_code=code)
    if code == CommitteeCode.IGC:
        summary.counts = {value: 0 for value in CriterionRating.values}
    else:
        summary.counts = {"met": 0, "not_met": 0}
    summary.counts["unassessed"] = 0
    if review.catalogue_id is None:
        return summary
    criteria = list(
        Criterion.objects.filter(catalogue_id=review.catalogue_id).select_related(
            "catalogue__committee"
        )
    )
    if criteria:
        summary.catalogue = criteria[0].catalogue
    else:
        summary.catalogue = CriteriaCatalogue.objects.get(pk=review.catalogue_id)
    assessments = {
        a.criterion_id: a
        for a in CriterionAssessment.objects.filter(review_id=review.pk).select_related(
            "assessed_by"
        )
    }
    for criterion in criteria:
        row = CriterionVerdict(criterion, assessments.get(criterion.pk), code)
        summary.rows.append(row)
        if not row.assessed:
            summary.counts["unassessed"] += 1
        elif code == CommitteeCode.IGC:
            summary.counts[row.assessment.rating] = summary.counts.get(row.assessment.rating, 0) + 1
        else:
            summary.counts["met" if row.met else "not_met"] += 1
        if row.knockout_failed:
            summary.knockouts_failed.append(criterion)
            if not row.assessed:
                summary.knockouts_unassessed.append(criterion)
    return summary


def positive_advice_possible(review: Review) -> bool:
    """False while any knock-out criterion of the review's catalogue is not met (IGC: rated
    insufficient; DGC: minimum not met; either: not yet assessed). One query (two if the
    review's committee is not loaded)."""
    if review.catalogue_id is None:
        return True
    if review.committee.code == CommitteeCode.IGC:
        met = Q(rating__in=[CriterionRating.SUFFICIENT, CriterionRating.MODERATE])
    else:
        met = Q(minimum_met=True)
    met_assessment = CriterionAssessment.objects.filter(
        met, review_id=review.pk, criterion_id=OuterRef("pk")
    )
    return not (
        Criterion.objects.filter(catalogue_id=review.catalogue_id, knockout=True)
        .exclude(Exists(met_assessment))
        .exists()
    )


def review_for_criteria(user, *, pk: int) -> Review:
    """A review granted to the user's committee (without a declared conflict of interest), with
    what the criteria page shows. Raises Review.DoesNotExist otherwise (the view answers 404)."""
    return (
        reviews_visible_to(user)
        .select_related(
            "committee", "catalogue", "submission__registry", "submission__dataset_version"
        )
        .get(pk=pk)
    )


# --- Catalogues (the secretariat) -------------------------------------------------------------


def can_edit_catalogues(user) -> bool:
    """The secretariat (SSC-DG) keeps the committees' catalogues."""
    return has_role(user, Role.SECRETARIAT)


def catalogues_overview() -> list[dict]:
    """Per committee × stage: the current version and the older ones, each with the number of
    criteria, knock-outs and reviews using it. Two queries."""
    catalogues = (
        CriteriaCatalogue.objects.select_related("committee", "published_by")
        .annotate(
            criteria_count=Count("criteria", distinct=True),
            knockout_count=Count("criteria", filter=Q(criteria__knockout=True), distinct=True),
            review_count=Count("reviews", distinct=True),
        )
        .order_by("committee__code", "stage", "-version")
    )
    groups: dict[tuple, dict] = {}
    for committee in Committee.objects.order_by("code"):
        for stage in CatalogueStage:
            groups[(committee.code, stage.value)] = {
                "committee": committee,
                "stage": stage,
                "current": None,
                "older": [],
            }
    for catalogue in catalogues:
        group = groups.get((catalogue.committee.code, catalogue.stage))
        if group is None:
            continue
        if group["current"] is None:
            group["current"] = catalogue
        else:
            group["older"].append(catalogue)
    return list(groups.values())


def catalogue_detail(*, pk: int) -> CriteriaCatalogue:
    """One catalogue with its criteria, how many reviews use it and whether it is current."""
    catalogue = (
        CriteriaCatalogue.objects.select_related("committee", "published_by")
        .annotate(review_count=Count("reviews"))
        .get(pk=pk)
    )
    catalogue.criteria_list = list(catalogue.criteria.all())
    catalogue.latest_version = (
        CriteriaCatalogue.objects.filter(committee=catalogue.committee, stage=catalogue.stage)
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
    )
    catalogue.is_current = catalogue.latest_version == catalogue.version
    return catalogue


def catalogue_versions(catalogue: CriteriaCatalogue) -> QuerySet[CriteriaCatalogue]:
    return CriteriaCatalogue.objects.filter(
        committee_id=catalogue.committee_id, stage=catalogue.stage
    ).order_by("-version")


def catalogue_problems(
    criteria: list[dict], *, note: str | None = None, row_numbers: list[int] | None = None
) -> list[DomainError]:
    """What is wrong with a new catalogue version, every problem at once (the form shows them
    together): a note saying what changed; at least one criterion; each with a code (unique
    within the catalogue, at most 16 characters) and a title.

    Each problem names the row (its code, else "row N"; ``row_numbers`` are the numbers the
    user sees, default 1, 2, ...) and the field, and carries ``row`` (0-based index).
    """
    problems = []

    def problem(message, field_name, row):
        error = DomainError(message, field=field_name)
        error.row = row
        problems.append(error)

    if note is not None and not note.strip():
        problem(_("What changed: say what changed in this version."), "note", None)
    if not criteria:
        problem(_("Criteria: a catalogue needs at least one criterion."), "criteria", None)
    max_code = Criterion._meta.get_field("code").max_length
    max_title = Criterion._meta.get_field("title").max_length
    seen: set[str] = set()
    for index, row in enumerate(criteria):
        code = (row.get("code") or "").strip()
        title = (row.get("title") or "").strip()
        number = row_numbers[index] if row_numbers else index + 1
        label = code or _("Row %(number)d") % {"number": number}
        if not code:
            problem(_("%(row)s — code: give the criterion a code.") % {"row": label}, "code", index)
        elif len(code) > max_code:
            problem(
                _("%(row)s — code: at most %(max)d characters.") % {"row": label, "max": max_code},
                "code",
                index,
            )
        elif code.upper() in seen:
            problem(
                _("%(row)s — code: used twice; codes are unique within a catalogue.")
                % {"row": label},
                "code",
                index,
            )
        else:
            seen.add(code.upper())
        if not title:
            problem(
                _("%(row)s — title: give the criterion a title.") % {"row": label}, "title", index
            )
        elif len(title) > max_title:
            problem(
                _("%(row)s — title: at most %(max)d characters.")
                % {"row": label, "max": max_title},
                "title",
                index,
            )
    return problems


def catalogue_publish(
    *, committee: Committee, stage: str, actor, note: str, criteria: list[dict]
) -> CriteriaCatalogue:
    """Publish version N+1 of the committee's catalogue for the stage.

    A published catalogue is never edited: reviews keep the version they started with, new
    reviews get the newest. Each criterion dict: code, title, description,
    minimum_requirement, growth_path, knockout; their order is the catalogue's order.
    """
    if not can_edit_catalogues(actor):
        raise PermissionDenied(_("Only the secretariat can publish criteria catalogues."))
    if stage not in CatalogueStage.values:
        raise DomainError(_("Choose the stage of the catalogue."), field="stage")
    problems = catalogue_problems(criteria, note=note)
    if problems:
        raise CatalogueInvalid(problems)
    rows = [_criterion_values(row) for row in criteria]
    try:
        with transaction.atomic():
            previous = (
                CriteriaCatalogue.objects.select_for_update()
                .filter(committee=committee, stage=stage)
                .order_by("-version")
                .first()
            )
            before = (
                {c.code: _criterion_values(c.__dict__) for c in previous.criteria.all()}
                if previous
                else {}
            )
            after = {row["code"]: row for row in rows}
            if previous and list(before.values()) == rows:
                raise DomainError(
                    _(
                        "Nothing has changed compared with version %(version)d: there is no "
                        "new version to publish."
                    )
                    % {"version": previous.version}
                )
            catalogue = CriteriaCatalogue.objects.create(
                committee=committee,
                stage=stage,
                version=(previous.version if previous else 0) + 1,
                note=note.strip(),
                published_at=timezone.now(),
                published_by=actor,
            )
            Criterion.objects.bulk_create(
                Criterion(catalogue=catalogue, position=index, **row)
                for index, row in enumerate(rows, start=1)
            )
            audit_record(
                actor=actor,
                action="catalogue.publish",
                obj=catalogue,
                changes={
                    "committee": committee.code,
                    "stage": stage,
                    "version": catalogue.version,
                    "criteria_count": len(rows),
                    "added": [code for code in after if code not in before],
                    "removed": [code for code in before if code not in after],
                    "changed": [
                        code for code in after if code in before and before[code] != after[code]
                    ],
                },
            )
    except IntegrityError:
        raise InvalidTransition(
            _("Someone else published a new version meanwhile; open the catalogue again.")
        ) from None
    return catalogue


def _criterion_values(row: dict) -> dict:
    values = {name: (row.get(name) or "") for name in CRITERION_FIELDS if name != "knockout"}
    values = {
        name: value.strip() if isinstance(value, str) else value for name, value in values.items()
    }
    values["knockout"] = bool(row.get("knockout"))
    return {name: values[name] for name in CRITERION_FIELDS}
