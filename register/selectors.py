"""Reads of the Register. Each function uses a fixed number of queries, whatever the data size."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import OuterRef, Prefetch, Q, QuerySet, Subquery

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
            Q(acronym__icontains=search) | Q(name__icontains=search) | Q(holder__name__icontains=search)
        )
    if care_type:
        registries = registries.filter(care_types__code=care_type)
    if provider_category:
        # Registries whose current table asks anything of this category.
        registries = registries.filter(
            dataset_versions__id=Subquery(
                Decision.objects.filter(
                    registry=OuterRef("pk"), published_at__isnull=False
                )
                .order_by("-decided_at", "-id")
                .values("dataset_version_id")[:1]
            ),
            dataset_versions__variables__requirements__provider_category__code=provider_category,
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


def requirement_table(*, dataset_version_id: int, variables: QuerySet[Variable] | None = None) -> RequirementTable:
    """The accountability table as a grid: variables × provider categories. Three queries."""
    categories = list(ProviderCategory.objects.all())
    if variables is None:
        variables = Variable.objects.filter(dataset_version_id=dataset_version_id)
    variables = variables.prefetch_related(
        Prefetch("requirements", queryset=Requirement.objects.only("variable_id", "provider_category_id", "set"))
    ).order_by("code")
    rows = []
    for variable in variables:
        by_category = {r.provider_category_id: r.set for r in variable.requirements.all()}
        rows.append(TableRow(variable=variable, cells=[by_category.get(c.pk, "") for c in categories]))
    return RequirementTable(categories=categories, rows=rows)


@dataclass
class ObligatedVariable:
    code: str
    name: str
    sets: dict[str, str]  # provider category code -> base | plus

    @property
    def set(self) -> str:
        """The strongest requirement over the provider's categories: base before plus."""
        return RequirementSet.BASE if RequirementSet.BASE in self.sets.values() else RequirementSet.PLUS


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

