"""Reads of the Register. Each function uses a fixed number of queries, whatever the data size."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.db.models import (
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    prefetch_related_objects,
)

from .constants import DecisionOutcome, RequirementSet
from .models import (
    CareType,
    DatasetVersion,
    Decision,
    ProviderCategory,
    Registry,
    Requirement,
    Variable,
)


def registries_with_current_decision(*, on: date | None = None) -> QuerySet[Registry]:
    """Annotate each registry with its current decision: the latest published one.

    With ``on``, only decisions in effect on that date count (an obligation starts on the
    decision's effective date, not before).
    """
    latest = Decision.objects.filter(registry=OuterRef("pk"), published_at__isnull=False)
    if on is not None:
        latest = latest.filter(effective_from__lte=on)
    latest = latest.order_by("-decided_at", "-id")
    return Registry.objects.annotate(
        current_decision_id=Subquery(latest.values("id")[:1]),
        current_outcome=Subquery(latest.values("outcome")[:1]),
        current_effective_from=Subquery(latest.values("effective_from")[:1]),
        current_dataset_version_id=Subquery(latest.values("dataset_version_id")[:1]),
    )


def included_registries(
    *, search: str = "", care_type: str = "", provider_category: str = "", on: date | None = None
) -> QuerySet[Registry]:
    """The public register: registries whose current decision is inclusion."""
    registries = (
        registries_with_current_decision(on=on)
        .filter(current_outcome=DecisionOutcome.INCLUDE)
        .select_related("holder")
        .prefetch_related("care_types")
        .order_by("acronym")
    )
    if search:
        registries = registries.filter(
            Q(acronym__icontains=search)
            | Q(name__icontains=search)
            | Q(holder__name__icontains=search)
        )
    if care_type:
        registries = registries.filter(care_types__code=care_type)
    if provider_category:
        # Registries whose current table (the version of the current decision, as of ``on``)
        # asks anything of this category.
        registries = registries.filter(
            Exists(
                Requirement.objects.filter(
                    variable__dataset_version_id=OuterRef("current_dataset_version_id"),
                    provider_category__code=provider_category,
                )
            )
        )
    return registries.distinct()


def registry_public_detail(*, acronym: str) -> Registry:
    """A registry with its holder, care types and published decision history. Raises DoesNotExist."""
    return (
        registries_with_current_decision()
        .select_related("holder")
        .prefetch_related(
            "care_types",
            Prefetch(
                "decisions",
                queryset=Decision.objects.filter(published_at__isnull=False)
                .select_related("dataset_version")
                .order_by("-decided_at", "-id"),
                to_attr="published_decisions",
            ),
        )
        .get(acronym=acronym)
    )


@dataclass
class TableRow:
    variable: Variable
    cells: list[str]  # one per category: "base", "plus" or ""


@dataclass
class RequirementTable:
    categories: list[ProviderCategory]
    rows: list[TableRow]

    @property
    def base_count(self) -> int:
        return sum(1 for row in self.rows if RequirementSet.BASE in row.cells)

    @property
    def plus_count(self) -> int:
        return sum(1 for row in self.rows if RequirementSet.PLUS in row.cells)


def requirement_table(*, variables: Iterable[Variable]) -> RequirementTable:
    """The accountability table as a grid: these variables × provider categories.

    ``variables`` in display order: a queryset, a sliced one (a page) or a list. Two queries
    besides reading the variables: the categories and the variables' requirements.
    """
    categories = list(ProviderCategory.objects.all())
    variables = list(variables)
    prefetch_related_objects(
        variables,
        Prefetch(
            "requirements",
            queryset=Requirement.objects.only("variable_id", "provider_category_id", "set"),
        ),
    )
    rows = []
    for variable in variables:
        by_category = {r.provider_category_id: r.set for r in variable.requirements.all()}
        rows.append(
            TableRow(variable=variable, cells=[by_category.get(c.pk, "") for c in categories])
        )
    return RequirementTable(categories=categories, rows=rows)


@dataclass
class ObligatedVariable:
    code: str
    name: str
    sets: dict[str, str]  # provider category code -> base | plus

    @property
    def set(self) -> str:
        """The strongest requirement over the provider's categories: base before plus."""
        return (
            RequirementSet.BASE
            if RequirementSet.BASE in self.sets.values()
            else RequirementSet.PLUS
        )


@dataclass
class Obligation:
    registry: Registry
    effective_from: date
    decision_id: int
    dataset_version_id: int
    care_types: list[CareType]
    variables: list[ObligatedVariable] = field(default_factory=list)

    @property
    def base_count(self) -> int:
        return sum(1 for v in self.variables if v.set == RequirementSet.BASE)

    @property
    def plus_count(self) -> int:
        return sum(1 for v in self.variables if v.set == RequirementSet.PLUS)


def obligations(
    *, category_codes: list[str], care_type_codes: list[str], on: date | None
) -> list[Obligation]:
    """What a provider of these categories, delivering these care types, must deliver.

    Wkz: a provider must deliver to an included registry when it delivers one of the
    registry's care types; the variables are those with a base or plus requirement for one of
    its categories; the obligation starts on the decision's effective date. With ``on=None``
    the latest published decisions count, including those that take effect later.
    Three queries.
    """
    if not category_codes or not care_type_codes:
        return []
    registries = list(
        registries_with_current_decision(on=on)
        .filter(current_outcome=DecisionOutcome.INCLUDE, care_types__code__in=care_type_codes)
        .select_related("holder")
        .prefetch_related(
            Prefetch(
                "care_types",
                queryset=CareType.objects.filter(code__in=care_type_codes),
                to_attr="matching_care_types",
            )
        )
        .distinct()
        .order_by("acronym")
    )
    result = {
        r.current_dataset_version_id: Obligation(
            registry=r,
            effective_from=r.current_effective_from,
            decision_id=r.current_decision_id,
            dataset_version_id=r.current_dataset_version_id,
            care_types=r.matching_care_types,
        )
        for r in registries
    }
    requirements = (
        Requirement.objects.filter(
            variable__dataset_version_id__in=list(result),
            provider_category__code__in=category_codes,
        )
        .values_list(
            "variable__dataset_version_id",
            "variable_id",
            "variable__code",
            "variable__name",
            "provider_category__code",
            "set",
        )
        .order_by("variable__dataset_version_id", "variable__code")
    )
    by_variable: dict[int, ObligatedVariable] = {}
    for version_id, variable_id, code, name, category, req_set in requirements:
        obligated = by_variable.get(variable_id)
        if obligated is None:
            obligated = by_variable[variable_id] = ObligatedVariable(code=code, name=name, sets={})
            result[version_id].variables.append(obligated)
        obligated.sets[category] = req_set
    return [o for o in result.values() if o.variables]


def obligation_summary(items: list[Obligation]) -> dict[str, int]:
    return {
        "registries": len(items),
        "variables": sum(len(o.variables) for o in items),
    }


def dataset_versions_of(*, registry: Registry) -> QuerySet[DatasetVersion]:
    return registry.dataset_versions.order_by("-number")


def upcoming_obligations(
    *,
    category_codes: list[str],
    care_type_codes: list[str],
    on: date,
    current: list[Obligation] | None = None,
) -> list[Obligation]:
    """Obligations that start after ``on``: a published inclusion that takes effect later.

    ``current`` (the obligations in force on ``on``) saves its three queries when the caller
    has them already. Three or six queries.
    """
    if current is None:
        current = obligations(category_codes=category_codes, care_type_codes=care_type_codes, on=on)
    current_ids = {o.decision_id for o in current}
    return [
        o
        for o in obligations(
            category_codes=category_codes, care_type_codes=care_type_codes, on=None
        )
        if o.decision_id not in current_ids and o.effective_from > on
    ]


# --- Reads for the public API (register/api) -----------------------------------------------


def published_decisions_queryset() -> QuerySet[Decision]:
    """Published decisions, newest first, with registry and dataset version joined."""
    return (
        Decision.objects.filter(published_at__isnull=False)
        .select_related("registry", "dataset_version")
        .order_by("-decided_at", "-id")
    )


def public_registries(
    *, search: str = "", care_type: str = "", provider_category: str = ""
) -> QuerySet[Registry]:
    """The included registries (``included_registries``), each with ``published_decisions``.

    The current decision is the one whose id is ``current_decision_id``. Four queries a page
    (count, rows, care types, decisions).
    """
    return included_registries(
        search=search, care_type=care_type, provider_category=provider_category
    ).prefetch_related(
        Prefetch(
            "decisions", queryset=published_decisions_queryset(), to_attr="published_decisions"
        )
    )


def included_registry(*, acronym: str) -> Registry:
    """A registry whose current decision is inclusion, annotated as in
    ``registries_with_current_decision``. Raises Registry.DoesNotExist. One query."""
    return (
        registries_with_current_decision()
        .filter(current_outcome=DecisionOutcome.INCLUDE)
        .get(acronym=acronym)
    )


def dataset_variables(*, dataset_version_id: int) -> QuerySet[Variable]:
    """The variables of one dataset version with their requirements (and categories). Two queries."""
    return (
        Variable.objects.filter(dataset_version_id=dataset_version_id)
        .prefetch_related(
            Prefetch(
                "requirements",
                queryset=Requirement.objects.select_related("provider_category").order_by(
                    "provider_category__ordering", "provider_category__code"
                ),
            )
        )
        .order_by("code")
    )


def obligation_version_numbers(*, items: list[Obligation]) -> dict[int, int]:
    """Dataset version number per dataset version id of these obligations. One query, or none."""
    ids = {o.dataset_version_id for o in items}
    if not ids:
        return {}
    return dict(DatasetVersion.objects.filter(pk__in=ids).values_list("pk", "number"))


# --- The registry staff's area (/dossiers/) and Zorginstituut's area (/decisions/) ----------

VERSION_TABLE_PAGE_SIZE = 50


def dossier_registries(user) -> QuerySet[Registry]:
    """The registries whose dossier the user manages, with counts for the overview. One query."""
    from django.db.models import Count

    from .permissions import managed_registries

    return (
        managed_registries(user)
        .select_related("holder")
        .annotate(
            version_count=Count("dataset_versions", distinct=True),
            submission_count=Count("submissions", distinct=True),
        )
        .order_by("acronym")
    )


def dossier_registry(user, *, acronym: str) -> Registry:
    """One registry the user manages. Raises Registry.DoesNotExist for any other registry."""
    from .permissions import managed_registries

    return (
        managed_registries(user)
        .select_related("holder")
        .prefetch_related("care_types")
        .get(acronym=acronym)
    )


def dossier_versions(*, registry: Registry) -> QuerySet[DatasetVersion]:
    from django.db.models import Count

    return registry.dataset_versions.annotate(variable_count=Count("variables")).order_by("-number")


def dossier_submissions(*, registry: Registry) -> list:
    """The registry's submissions with their reviews, advice and decision. Four queries."""
    from reviews.models import Review

    return list(
        registry.submissions.select_related("dataset_version", "decision")
        .prefetch_related(
            Prefetch(
                "reviews",
                queryset=Review.objects.select_related("committee", "advice").order_by(
                    "committee__code"
                ),
            )
        )
        .order_by("-submitted_at", "-pk")
    )


def dossier_documents(*, registry: Registry) -> list:
    """The registry's current documents, newest first, each with its ``history``."""
    from .models import Document

    return documents_with_history(
        Document.objects.filter(registry=registry).select_related("submission", "uploaded_by")
    )


def documents_with_history(documents) -> list:
    """The current versions among ``documents`` (all versions), in their order, each with
    ``history``: the versions it replaced, newest first. A replaced version is not listed on
    its own."""
    documents = list(documents)
    by_pk = {document.pk: document for document in documents}
    replaced = {document.replaces_id for document in documents if document.replaces_id}
    current = [document for document in documents if document.pk not in replaced]
    for document in current:
        document.history = []
        seen = {document.pk}
        older = by_pk.get(document.replaces_id)
        while older is not None and older.pk not in seen:
            seen.add(older.pk)
            document.history.append(older)
            older = by_pk.get(older.replaces_id)
    return current


def dossier_audit_trail(*, registry: Registry) -> QuerySet:
    """The registry's own audit trail, without the committees' internal work on its reviews."""
    from .audit import COMMITTEE_INTERNAL_ACTIONS
    from .models import AuditEntry

    return (
        AuditEntry.objects.filter(registry=registry)
        .exclude(action__in=COMMITTEE_INTERNAL_ACTIONS)
        .select_related("actor")
        .order_by("-created_at", "-id")
    )


def dossier_version(*, registry: Registry, number: int) -> DatasetVersion:
    """Raises DatasetVersion.DoesNotExist."""
    return registry.dataset_versions.select_related("based_on").get(number=number)


def version_table_page(
    *,
    dataset_version_id: int,
    search: str = "",
    page_number=1,
    per_page: int = VERSION_TABLE_PAGE_SIZE,
):
    """One page of a version's accountability table, optionally searched on code or name.

    For the registry's staff, the committees and Zorginstituut. Five queries: count, categories,
    variables, their indicators, their requirements. Returns (page, table).
    """
    from django.core.paginator import Paginator

    from .constants import Purpose
    from .models import Indicator

    variables = Variable.objects.filter(dataset_version_id=dataset_version_id)
    if search:
        variables = variables.filter(Q(code__icontains=search) | Q(name__icontains=search))
    variables = variables.prefetch_related(
        Prefetch("indicators", queryset=Indicator.objects.only("id", "code"))
    ).order_by("code")
    page = Paginator(variables, per_page).get_page(page_number)
    table = requirement_table(variables=page.object_list)
    labels = dict(Purpose.choices)
    for row in table.rows:
        row.variable.purpose_labels = [labels.get(p, p) for p in row.variable.purposes or []]
    return page, table


def version_extras(*, dataset_version: DatasetVersion) -> dict:
    """Indicators (with their variable codes) and pseudonym requests of a version. Three queries."""
    from .models import Indicator

    return {
        "indicators": list(
            Indicator.objects.filter(dataset_version=dataset_version)
            .prefetch_related(Prefetch("variables", queryset=Variable.objects.only("id", "code")))
            .order_by("code")
        ),
        "pseudonym_requests": list(dataset_version.pseudonym_requests.order_by("type")),
    }


def version_variable_codes(*, dataset_version: DatasetVersion) -> list[tuple[str, str]]:
    """(code, name) of every variable of a version, for choosing an indicator's variables."""
    return list(dataset_version.variables.order_by("code").values_list("code", "name"))


def applications_awaiting_decision() -> QuerySet:
    """Applications filed with Zorginstituut that have no decision yet, oldest first."""
    from django.db.models import Count

    from .constants import SubmissionStatus
    from .models import Submission

    return (
        Submission.objects.filter(status=SubmissionStatus.APPLIED)
        .select_related("registry__holder", "dataset_version")
        .annotate(variable_count=Count("dataset_version__variables"))
        .order_by("applied_at", "pk")
    )


def recent_decisions() -> QuerySet[Decision]:
    return Decision.objects.select_related("registry", "dataset_version", "submission").order_by(
        "-decided_at", "-id"
    )


def decision_submission(*, pk: int):
    """A submission as Zorginstituut sees it: registry, version, reviews with advice, decision.

    Raises Submission.DoesNotExist.
    """
    from django.db.models import Count

    from reviews.models import Review

    from .models import Document, Submission

    return (
        Submission.objects.select_related("registry__holder", "dataset_version", "decision")
        .annotate(variable_count=Count("dataset_version__variables"))
        .prefetch_related(
            "registry__care_types",
            Prefetch(
                "reviews",
                queryset=Review.objects.select_related("committee", "advice").order_by(
                    "committee__code"
                ),
            ),
            Prefetch("documents", queryset=Document.objects.order_by("kind", "-uploaded_at")),
        )
        .get(pk=pk)
    )


def document_for_download(user, *, pk: int):
    """A dossier document (any version), if the user may read it; else None (the caller
    answers 404). Dossier documents are never public.

    Registry staff of its registry, Zorginstituut, and members of a committee that has a review
    on a submission of that registry read every document; the secretariat only those not
    marked confidential.
    """
    from reviews.permissions import reviews_visible_to

    from .constants import Role
    from .models import Document
    from .permissions import can_manage_dossier, can_view_dossier
    from .roles import has_role

    if not user.is_authenticated:
        return None
    document = Document.objects.select_related("registry").filter(pk=pk).first()
    if document is None or not document.file:
        return None
    if can_manage_dossier(user, document.registry) or has_role(user, Role.ZIN):
        return document
    if reviews_visible_to(user).filter(submission__registry_id=document.registry_id).exists():
        return document
    if not document.confidential and can_view_dossier(user, document.registry):
        return document  # the secretariat
    return None


def decision_for_letter(user, *, pk: int) -> Decision | None:
    """A decision with a rendered letter, for Zorginstituut and the registry's staff; else None."""
    from .permissions import can_decide, can_manage_dossier

    if not user.is_authenticated:
        return None
    decision = Decision.objects.select_related("registry").filter(pk=pk).exclude(letter="").first()
    if decision is None:
        return None
    if can_decide(user) or can_manage_dossier(user, decision.registry):
        return decision
    return None


# --- Editing the accountability table at real size (/dossiers/.../table/) -------------------

TABLE_FILTER_REQUESTED = "requested"  # base or plus
TABLE_FILTER_NOT_REQUESTED = "none"


def version_variables_filtered(
    *,
    dataset_version_id: int,
    search: str = "",
    purpose: str = "",
    personal_data: str = "",
    requested: str = "",
    category: str = "",
) -> QuerySet[Variable]:
    """A version's variables, by code, narrowed by the bulk editor's filters. Lazy: no query.

    ``requested`` is "base", "plus", "requested" (base or plus) or "none" (not requested);
    with a provider ``category`` it looks at that category only, else at any category. A
    category alone means "requested for this category". The page and the "apply to all
    matching variables" of the bulk editor read the same queryset, so both see the same rows.
    """
    from django.db import connection

    variables = Variable.objects.filter(dataset_version_id=dataset_version_id)
    if search:
        variables = variables.filter(Q(code__icontains=search) | Q(name__icontains=search))
    if purpose:
        if connection.features.supports_json_field_contains:
            variables = variables.filter(purposes__contains=[purpose])
        else:
            # SQLite: match the quoted value in the JSON text; purposes are fixed identifiers.
            variables = variables.filter(purposes__icontains=f'"{purpose}"')
    if personal_data:
        variables = variables.filter(personal_data=personal_data)
    if category and not requested:
        requested = TABLE_FILTER_REQUESTED
    if requested:
        cells = Requirement.objects.filter(variable_id=OuterRef("pk"))
        if category:
            cells = cells.filter(provider_category__code=category)
        if requested == TABLE_FILTER_NOT_REQUESTED:
            variables = variables.filter(~Exists(cells))
        else:
            if requested != TABLE_FILTER_REQUESTED:
                cells = cells.filter(set=requested)
            variables = variables.filter(Exists(cells))
    return variables.order_by("code")


def provider_categories() -> list[ProviderCategory]:
    """All provider categories, in their order (reference data). One query."""
    return list(ProviderCategory.objects.all())
