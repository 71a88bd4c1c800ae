"""Variable-by-variable judgements of a review (accept / reject / question, with NPS motivation).

The committee judges each variable of the version under review (``Review.dataset_version``):
one at a time, or many at once (the selected rows of a page, or every variable matching the
filter). The services here check the rules and write the audit trail; the selectors read a page
of the table with everything the committee weighs beside each variable: the registry's own NPS
texts, its purposes, the requirement cells per provider category, and the current judgement.
Every read and write uses a fixed number of queries, whatever the size of the table
(DOMAIN.md: tables have hundreds to thousands of variables).
"""

from dataclasses import dataclass, field
from functools import cached_property

from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from register.audit import audit_record
from register.checks import quasi_identifier_q
from register.constants import PersonalDataClass, Purpose, RequirementSet, SubmissionStage
from register.diff import FieldChange, Growth, VersionDiff, version_diff
from register.exceptions import DomainError, InvalidTransition, PermissionDenied
from register.models import DatasetVersion, Requirement, Submission, Variable
from register.selectors import RequirementTable, requirement_table

from .constants import ReviewStatus, Verdict
from .models import Review, VariableJudgement
from .permissions import can_review

NPS_FIELDS = ("necessity", "proportionality", "subsidiarity")

# The committee judges variables while the review is with it or with the registry for a
# clarification round; once the draft advice has gone out, the judgements are what it advised on.
JUDGING_STATES = {ReviewStatus.OPEN, ReviewStatus.CLARIFICATION}

# Verdicts that need the committee's own reasons: the registry must be able to see why a
# variable is refused or questioned. Accepting a variable adopts the registry's NPS texts.
MOTIVATED_VERDICTS = {Verdict.REJECT, Verdict.QUESTION}

VARIABLES_PAGE_SIZE = 50

# The diff of two submitted versions never changes; a day keeps the cache small.
CHANGES_CACHE_SECONDS = 24 * 60 * 60


def judgements_carry_over(*, review: Review, from_version: DatasetVersion, to_version) -> int:
    """Copy the review's judgements to the revised version where the variable did not change.

    A variable "did not change" when it has the same code and no field or requirement cell
    differs (register.diff). Judgements of changed, added or removed variables are not carried:
    the committee judges those again. A variable of the revised version that has a judgement
    already keeps it (so running this twice carries nothing twice). Returns the number carried
    over. Constant queries.
    """
    diff = version_diff(old=from_version, new=to_version)
    changed = {change.code for change in diff.changed}
    new_ids = dict(to_version.variables.values_list("code", "pk"))
    judged = set(
        VariableJudgement.objects.filter(
            review=review, variable__dataset_version=to_version
        ).values_list("variable_id", flat=True)
    )
    carried = [
        VariableJudgement(
            review=review,
            variable_id=new_ids[judgement.variable.code],
            verdict=judgement.verdict,
            necessity=judgement.necessity,
            proportionality=judgement.proportionality,
            subsidiarity=judgement.subsidiarity,
            judged_by_id=judgement.judged_by_id,
            judged_at=judgement.judged_at,
            carried_over=True,
        )
        for judgement in VariableJudgement.objects.filter(
            review=review, variable__dataset_version=from_version
        ).select_related("variable")
        if judgement.variable.code in new_ids
        and judgement.variable.code not in changed
        and new_ids[judgement.variable.code] not in judged
    ]
    VariableJudgement.objects.bulk_create(carried, batch_size=500)
    return len(carried)


# --- Recording judgements -------------------------------------------------------------------


def judgement_problems(
    *, verdict: str, necessity: str = "", proportionality: str = "", subsidiarity: str = ""
) -> list[DomainError]:
    """What is missing from a judgement, every problem at once (a form shows them together).

    A judgement needs a verdict. Rejecting or questioning a variable needs the committee's
    motivation in at least one of the NPS fields (necessity, proportionality, subsidiarity):
    the registry answers a question or a refusal only if it knows what is wrong. Accepting
    needs none; the registry's own NPS texts then stand.
    """
    if verdict not in Verdict.values:
        return [DomainError(_("Choose accept, reject or question."), field="verdict")]
    texts = (necessity, proportionality, subsidiarity)
    if verdict in MOTIVATED_VERDICTS and not any((text or "").strip() for text in texts):
        return [
            DomainError(
                _(
                    "Give the committee's motivation for a rejection or a question: necessity, "
                    "proportionality or subsidiarity."
                ),
                field="necessity",
            )
        ]
    return []


def _motivation(verdict, necessity, proportionality, subsidiarity) -> dict[str, str]:
    """The committee's NPS motivation, stripped; refused as judgement_problems says."""
    problems = judgement_problems(
        verdict=verdict,
        necessity=necessity,
        proportionality=proportionality,
        subsidiarity=subsidiarity,
    )
    if problems:
        raise problems[0]
    return {
        "necessity": (necessity or "").strip(),
        "proportionality": (proportionality or "").strip(),
        "subsidiarity": (subsidiarity or "").strip(),
    }


def judgement_record(
    *,
    review: Review,
    actor,
    variable_id: int,
    verdict: str,
    necessity: str = "",
    proportionality: str = "",
    subsidiarity: str = "",
) -> VariableJudgement:
    """Record (or change) the committee's judgement of one variable of the version under review.

    The variable must belong to that version: a judgement of a variable of another version
    (say, the version before the registry's revision) is refused, naming the variable. Only
    while the review is open or in a clarification round (else 409). Judging again replaces
    the earlier judgement, and a judgement carried over from an earlier version becomes the
    committee's own.
    """
    if not can_review(actor, review):
        raise PermissionDenied(_("Only members of the reviewing committee can judge variables."))
    texts = _motivation(verdict, necessity, proportionality, subsidiarity)
    with transaction.atomic():
        review = _lock_for_judging(review)
        version_id = _version_id(review)
        variable = (
            Variable.objects.select_related("dataset_version")
            .only("pk", "code", "dataset_version__number")
            .filter(pk=variable_id)
            .first()
        )
        if variable is None:
            raise DomainError(_("Unknown variable."), field="variable")
        if variable.dataset_version_id != version_id:
            raise DomainError(
                _(
                    "Variable %(code)s belongs to another version (version %(other)s), not to "
                    "the version under review; judge the variable in the version under review."
                )
                % {"code": variable.code, "other": variable.dataset_version.number},
                field="variable",
            )
        judgement = VariableJudgement.objects.filter(review=review, variable=variable).first()
        before = (
            {"verdict": judgement.verdict, "carried_over": judgement.carried_over}
            if judgement
            else {}
        )
        judgement = judgement or VariableJudgement(review=review, variable=variable)
        judgement.verdict = verdict
        for name, text in texts.items():
            setattr(judgement, name, text)
        judgement.judged_by = actor
        judgement.judged_at = timezone.now()
        judgement.carried_over = False
        judgement.full_clean(
            exclude=["review", "variable", "judged_by"], validate_constraints=False
        )
        judgement.save()
        audit_record(
            actor=actor,
            action="variable_judgement.record",
            obj=judgement,
            registry=review.submission.registry,
            changes={
                "committee": review.committee.code,
                "variable": variable.code,
                "verdict": [before.get("verdict"), verdict],
                **({"carried_over": [True, False]} if before.get("carried_over") else {}),
                **{name: text for name, text in texts.items() if text},
            },
        )
    return judgement


@dataclass(frozen=True)
class BulkJudgementResult:
    variable_count: int
    created: int
    updated: int


def judgements_bulk(
    *,
    review: Review,
    actor,
    verdict: str,
    necessity: str = "",
    proportionality: str = "",
    subsidiarity: str = "",
    variable_ids=None,
    variables=None,
) -> BulkJudgementResult:
    """Give many variables of the version under review the same judgement and motivation.

    The variables are ``variable_ids`` or ``variables``, a queryset such as
    ``review_variables_filtered`` ("all variables matching the filter"). Every one must belong
    to the version under review, else nothing is written and the error names them. All or
    nothing; one audit entry with the count. A fixed number of queries whatever the number of
    variables: the ids are read once (so a filter such as "not yet judged" cannot shift under
    the writes), then one UPDATE of the existing judgements and one INSERT ... SELECT of the new
    ones (bulk_create would split 2,000 rows into batches on SQLite).
    """
    if not can_review(actor, review):
        raise PermissionDenied(_("Only members of the reviewing committee can judge variables."))
    if (variable_ids is None) == (variables is None):
        raise TypeError("Pass either variable_ids or variables.")
    texts = _motivation(verdict, necessity, proportionality, subsidiarity)
    with transaction.atomic():
        review = _lock_for_judging(review)
        version_id = _version_id(review)
        if variable_ids is not None:
            wanted = {int(pk) for pk in variable_ids}
            rows = list(
                Variable.objects.filter(pk__in=wanted).values_list(
                    "pk", "dataset_version_id", "code"
                )
            )
            unknown = len(wanted) != len(rows)
        else:
            rows = list(variables.order_by().values_list("pk", "dataset_version_id", "code"))
            unknown = False
        foreign = sorted(code for _pk, other, code in rows if other != version_id)
        if foreign:
            raise DomainError(
                ngettext(
                    "Variable %(codes)s belongs to another version, not to the version under "
                    "review: nothing has been judged.",
                    "Variables %(codes)s belong to another version, not to the version under "
                    "review: nothing has been judged.",
                    len(foreign),
                )
                % {"codes": ", ".join(foreign[:10]) + (" …" if len(foreign) > 10 else "")},
                field="variables",
            )
        if unknown:
            raise DomainError(
                _("Some of the chosen variables do not exist: nothing has been judged."),
                field="variables",
            )
        ids = [pk for pk, _version, _code in rows]
        if not ids:
            raise DomainError(_("Choose at least one variable."), field="variables")
        now = timezone.now()
        updated = VariableJudgement.objects.filter(review=review, variable_id__in=ids).update(
            verdict=verdict, judged_by=actor, judged_at=now, carried_over=False, **texts
        )
        _judgements_insert_missing(
            review_id=review.pk, variable_ids=ids, verdict=verdict, actor=actor, now=now, **texts
        )
        audit_record(
            actor=actor,
            action="variable_judgement.bulk",
            obj=review,
            registry=review.submission.registry,
            changes={
                "committee": review.committee.code,
                "verdict": verdict,
                "variable_count": len(ids),
                "changed": updated,
                **{name: text for name, text in texts.items() if text},
            },
        )
    return BulkJudgementResult(variable_count=len(ids), created=len(ids) - updated, updated=updated)


def _lock_for_judging(review: Review) -> Review:
    """Lock the review row; refuse unless it is open or in a clarification round (409)."""
    review = (
        Review.objects.select_for_update(of=("self",))
        .select_related("committee", "submission__registry")
        .get(pk=review.pk)
    )
    if review.status not in JUDGING_STATES:
        raise InvalidTransition(
            _("Variables can no longer be judged: the review is %(status)s.")
            % {"status": ReviewStatus(review.status).label}
        )
    return review


def _version_id(review: Review) -> int:
    """The version under review (reviews opened before it was recorded: the submitted one)."""
    return review.dataset_version_id or review.submission.dataset_version_id


def _judgements_insert_missing(
    *, review_id, variable_ids, verdict, actor, now, necessity, proportionality, subsidiarity
) -> None:
    """One INSERT ... SELECT: a judgement for every chosen variable the review has none for."""
    quote = connection.ops.quote_name
    meta = VariableJudgement._meta
    columns = [
        "review",
        "variable",
        "verdict",
        *NPS_FIELDS,
        "judged_by",
        "judged_at",
        "carried_over",
    ]
    names = ", ".join(quote(meta.get_field(name).column) for name in columns)
    table = quote(meta.db_table)
    variable_pk = quote(Variable._meta.pk.column)
    review_column = quote(meta.get_field("review").column)
    variable_column = quote(meta.get_field("variable").column)
    judged_at = meta.get_field("judged_at").get_db_prep_value(now, connection)
    carried = meta.get_field("carried_over").get_db_prep_value(False, connection)
    sql = (
        f"INSERT INTO {table} ({names}) "
        f"SELECT %s, v.{variable_pk}, %s, %s, %s, %s, %s, %s, %s "
        f"FROM {quote(Variable._meta.db_table)} v "
        f"WHERE v.{variable_pk} IN ({', '.join(['%s'] * len(variable_ids))}) "
        f"AND NOT EXISTS (SELECT 1 FROM {table} j WHERE j.{review_column} = %s "
        f"AND j.{variable_column} = v.{variable_pk})"
    )
    params = [
        review_id,
        verdict,
        necessity,
        proportionality,
        subsidiarity,
        actor.pk,
        judged_at,
        carried,
        *variable_ids,
        review_id,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


# --- Reading the table under review ---------------------------------------------------------


@dataclass(frozen=True)
class VariableFilters:
    """The filters of the review's variable list (all off: every variable of the version)."""

    search: str = ""  # on code or name
    plus_only: bool = False  # requested in the plus set for at least one provider category
    personal_only: bool = False  # personal data: directly or indirectly identifying
    quasi_only: bool = False  # quasi-identifiers (register.checks)
    changed_only: bool = False  # added or changed since the first review
    unjudged_only: bool = False  # no judgement of the committee yet
    verdict: str = ""  # judged with this verdict

    @property
    def active(self) -> bool:
        return any(getattr(self, name) for name in self.__dataclass_fields__)


def changes_since_first_review(review: Review) -> VersionDiff | None:
    """What changed in the variable set since the registry's first review, or None.

    DOMAIN.md: in the supplementary review the committees compare the variable set of the
    first review with the one under review. The first review is the registry's most recent
    earlier submission at the first stage; the diff (register.diff: added, removed, changed,
    cell by cell) runs from its version to the version under review. None for a first review,
    or when the registry has no earlier first-stage submission. Five queries.
    """
    versions = _first_and_current_version(review)
    return None if versions is None else version_diff(old=versions[0], new=versions[1])


@dataclass(frozen=True)
class Named:
    code: str
    name: str


@dataclass(frozen=True)
class ChangedRow:
    """An added or removed variable with its cells (as register.diff.VariableCells)."""

    variable: Named
    cells: list[str]


@dataclass(frozen=True)
class ChangedCell:
    category: Named
    old: str
    new: str


@dataclass(frozen=True)
class ChangedVariable:
    code: str
    name: str
    fields: list[FieldChange]
    cells: list[ChangedCell]

    @property
    def row_count(self) -> int:
        return len(self.fields) + len(self.cells)


@dataclass
class ReviewChanges:
    """``changes_since_first_review`` as plain values, for the page and its cache."""

    first_version: int  # the numbers of the versions compared
    version: int
    categories: list[Named]
    added: list[ChangedRow]
    removed: list[ChangedRow]
    changed: list[ChangedVariable]
    growth: Growth

    @property
    def has_changes(self) -> bool:
        return bool(self.added or self.removed or self.changed)

    @cached_property
    def codes(self) -> dict[str, str]:
        """{code: "added" | "changed"}: the variables of the version under review that differ."""
        codes = {row.variable.code: "added" for row in self.added}
        codes.update({change.code: "changed" for change in self.changed})
        return codes


def review_changes(review: Review) -> ReviewChanges | None:
    """``changes_since_first_review`` for the page, kept in the cache.

    Both versions are submitted and so can no longer change: their diff holds for good and is
    computed once (about 0.1 s for 2,000 variables × 9 categories), not for every page.
    Two queries when cached, five when not.
    """
    versions = _first_and_current_version(review)
    if versions is None:
        return None
    old, new = versions
    if not (old.is_locked and new.is_locked):
        return _plain_changes(version_diff(old=old, new=new))
    key = "reviews:changes:" + ":".join(
        f"{v.pk}-{v.submitted_at.timestamp() if v.submitted_at else ''}" for v in (old, new)
    )
    changes = cache.get(key)
    if changes is None:
        changes = _plain_changes(version_diff(old=old, new=new))
        cache.set(key, changes, CHANGES_CACHE_SECONDS)
    return changes


def _first_and_current_version(review: Review):
    """(version of the first review, version under review), or None. Two queries."""
    submission = review.submission
    if submission.stage == SubmissionStage.FIRST:
        return None
    first = (
        Submission.objects.filter(
            registry_id=submission.registry_id,
            stage=SubmissionStage.FIRST,
            submitted_at__lt=submission.submitted_at,
        )
        .exclude(pk=submission.pk)
        .select_related("dataset_version")
        .order_by("-submitted_at", "-pk")
        .first()
    )
    if first is None:
        return None
    return first.dataset_version, DatasetVersion.objects.get(pk=_version_id(review))


def _plain_changes(diff: VersionDiff) -> ReviewChanges:
    def named(obj) -> Named:
        return Named(code=obj.code, name=obj.name)

    return ReviewChanges(
        first_version=diff.old.number,
        version=diff.new.number,
        categories=[named(c) for c in diff.categories],
        added=[ChangedRow(named(row.variable), list(row.cells)) for row in diff.added],
        removed=[ChangedRow(named(row.variable), list(row.cells)) for row in diff.removed],
        changed=[
            ChangedVariable(
                code=change.code,
                name=change.new.name,
                fields=list(change.fields),
                cells=[ChangedCell(named(c.category), c.old, c.new) for c in change.cells],
            )
            for change in diff.changed
        ],
        growth=diff.growth,
    )


def review_variables_filtered(
    review: Review, *, filters: VariableFilters, changes: ReviewChanges | None = None
) -> QuerySet[Variable]:
    """The variables of the version under review, by code, narrowed by ``filters``. Lazy.

    The page and the "judge all matching" of the bulk form read the same queryset, so both see
    the same rows. "Changed since the first review" needs ``changes`` (``review_changes``);
    without them (a first review) it matches nothing.
    """
    variables = Variable.objects.filter(dataset_version_id=_version_id(review))
    if filters.search:
        variables = variables.filter(
            Q(code__icontains=filters.search) | Q(name__icontains=filters.search)
        )
    if filters.plus_only:
        variables = variables.filter(
            Exists(Requirement.objects.filter(variable_id=OuterRef("pk"), set=RequirementSet.PLUS))
        )
    if filters.personal_only:
        variables = variables.exclude(personal_data=PersonalDataClass.NONE)
    if filters.quasi_only:
        variables = variables.filter(quasi_identifier_q())
    if filters.changed_only:
        codes = sorted(changes.codes) if changes else []
        variables = variables.filter(code__in=codes) if codes else variables.none()
    judgements = VariableJudgement.objects.filter(review=review, variable_id=OuterRef("pk"))
    if filters.unjudged_only:
        variables = variables.filter(~Exists(judgements))
    if filters.verdict:
        variables = variables.filter(Exists(judgements.filter(verdict=filters.verdict)))
    return variables.order_by("code")


@dataclass
class ReviewVariablesPage:
    page: Page
    table: RequirementTable  # rows: .variable, .cells, .judgement, .change
    changes: ReviewChanges | None = None
    filters: VariableFilters = field(default_factory=VariableFilters)


def review_variables(
    review: Review,
    *,
    filters: VariableFilters | None = None,
    page=1,
    per_page: int = VARIABLES_PAGE_SIZE,
    changes: ReviewChanges | None = None,
) -> ReviewVariablesPage:
    """One page of the version under review, for judging it.

    Per variable: the registry's NPS texts and purposes (``variable.purpose_labels``), the
    requirement cells per provider category (register.selectors.requirement_table), the
    committee's current judgement (``row.judgement``, or None) and, with ``changes``
    (``review_changes``), whether it was added or changed since the first review
    (``row.change``). Five queries: count, variables, categories, requirements, judgements;
    whatever the size of the table.
    """
    filters = filters or VariableFilters()
    variables = review_variables_filtered(
        review, filters=filters, changes=changes
    ).prefetch_related(
        Prefetch(
            "judgements",
            queryset=VariableJudgement.objects.filter(review=review).select_related("judged_by"),
            to_attr="review_judgements",
        )
    )
    page_obj = Paginator(variables, per_page).get_page(page)
    table = requirement_table(variables=page_obj.object_list)
    labels = dict(Purpose.choices)
    codes = changes.codes if changes else {}
    for row in table.rows:
        variable = row.variable
        variable.purpose_labels = [labels.get(p, p) for p in variable.purposes or []]
        row.judgement = variable.review_judgements[0] if variable.review_judgements else None
        row.change = codes.get(variable.code, "")
    return ReviewVariablesPage(page=page_obj, table=table, changes=changes, filters=filters)


def review_variable(review: Review, *, code: str) -> Variable:
    """One variable of the version under review, with its requirement cells
    (``variable.cells``: [(category, set)]), purposes and the committee's current judgement
    (``variable.judgement``). Raises Variable.DoesNotExist. Four queries.
    """
    variable = (
        Variable.objects.filter(dataset_version_id=_version_id(review), code=code)
        .prefetch_related(
            Prefetch(
                "judgements",
                queryset=VariableJudgement.objects.filter(review=review).select_related(
                    "judged_by"
                ),
                to_attr="review_judgements",
            )
        )
        .get()
    )
    table = requirement_table(variables=[variable])
    labels = dict(Purpose.choices)
    variable.purpose_labels = [labels.get(p, p) for p in variable.purposes or []]
    variable.cells = list(zip(table.categories, table.rows[0].cells, strict=True))
    variable.judgement = variable.review_judgements[0] if variable.review_judgements else None
    return variable


@dataclass
class JudgementSummary:
    variables: int
    counts: dict[str, int]  # per verdict
    carried_over: int

    @property
    def judged(self) -> int:
        return sum(self.counts.values())

    @property
    def not_judged(self) -> int:
        return self.variables - self.judged

    @property
    def rows(self) -> list[tuple[str, str, int]]:
        """(verdict, label, count) in the order of Verdict."""
        return [(value, label, self.counts.get(value, 0)) for value, label in Verdict.choices]


def judgement_summary(review: Review) -> JudgementSummary:
    """Counts per verdict, not judged and carried over, for the version under review. Two queries."""
    version_id = _version_id(review)
    aggregates = {verdict: Count("pk", filter=Q(verdict=verdict)) for verdict in Verdict.values} | {
        "carried": Count("pk", filter=Q(carried_over=True))
    }
    counts = VariableJudgement.objects.filter(
        review=review, variable__dataset_version_id=version_id
    ).aggregate(**aggregates)
    carried = counts.pop("carried")
    return JudgementSummary(
        variables=Variable.objects.filter(dataset_version_id=version_id).count(),
        counts=counts,
        carried_over=carried,
    )
