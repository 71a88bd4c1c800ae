"""What changed between two versions of a registry's accountability table, and how much it grew.

The yearly update may not increase the dataset much (DOMAIN.md, "Yearly update"): the growth
figures compare the number of variables and of requirement cells (variable × provider category
with a base or plus set) and raise a flag above ``settings.DATASET_GROWTH_THRESHOLD``.

Variables are matched on their code. Fixed number of queries, whatever the table size.
"""

from dataclasses import dataclass, field
from fractions import Fraction

from django.conf import settings
from django.db.models import Count, Subquery

from .constants import DecisionOutcome, Purpose
from .models import DatasetVersion, ProviderCategory, Requirement, Variable
from .selectors import registries_with_current_decision

# The variable fields compared, in display order (the requirement cells come separately).
DIFF_FIELDS = [
    "name",
    "description",
    "data_type",
    "unit",
    "code_system",
    "code_system_code",
    "purposes",
    "personal_data",
    "generalisation",
    "necessity",
    "proportionality",
    "subsidiarity",
    "ehr_source",
]


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    old: str  # display values
    new: str


@dataclass(frozen=True)
class CellChange:
    """One requirement cell: "base", "plus" or "" (not requested), before and after."""

    category: ProviderCategory
    old: str
    new: str


@dataclass
class VariableChange:
    code: str
    old: Variable
    new: Variable
    fields: list[FieldChange]
    cells: list[CellChange]


@dataclass
class VariableCells:
    """An added or removed variable with its cells, one per provider category."""

    variable: Variable
    cells: list[str]


def _increase(old: int, new: int) -> Fraction | None:
    """Relative increase; None when there was nothing to grow from."""
    if old == 0:
        return None if new else Fraction(0)
    return Fraction(new - old, old)


@dataclass
class Growth:
    old_variables: int
    new_variables: int
    old_cells: int
    new_cells: int
    threshold: float = field(default_factory=lambda: settings.DATASET_GROWTH_THRESHOLD)

    @property
    def variable_increase(self) -> float | None:
        """Increase in percent (negative for a decrease); None from an empty version."""
        value = _increase(self.old_variables, self.new_variables)
        return None if value is None else float(value * 100)

    @property
    def cell_increase(self) -> float | None:
        value = _increase(self.old_cells, self.new_cells)
        return None if value is None else float(value * 100)

    @property
    def threshold_percent(self) -> float:
        return self.threshold * 100

    def _exceeds(self, old: int, new: int) -> bool:
        value = _increase(old, new)
        if value is None:  # from nothing to something
            return True
        return value > Fraction(str(self.threshold))

    @property
    def variables_exceed(self) -> bool:
        return self._exceeds(self.old_variables, self.new_variables)

    @property
    def cells_exceed(self) -> bool:
        return self._exceeds(self.old_cells, self.new_cells)

    @property
    def exceeds_threshold(self) -> bool:
        """Either increase is above settings.DATASET_GROWTH_THRESHOLD."""
        return self.variables_exceed or self.cells_exceed


@dataclass
class VersionDiff:
    old: DatasetVersion
    new: DatasetVersion
    categories: list[ProviderCategory]
    added: list[VariableCells]
    removed: list[VariableCells]
    changed: list[VariableChange]
    growth: Growth

    @property
    def has_changes(self) -> bool:
        return bool(self.added or self.removed or self.changed)


def _display(variable: Variable, name: str) -> str:
    if name == "purposes":
        labels = dict(Purpose.choices)
        return "; ".join(str(labels.get(p, p)) for p in variable.purposes or [])
    model_field = Variable._meta.get_field(name)
    if model_field.choices:
        return str(getattr(variable, f"get_{name}_display")())
    return getattr(variable, name) or ""


def _field_changes(old: Variable, new: Variable) -> list[FieldChange]:
    changes = []
    for name in DIFF_FIELDS:
        old_value, new_value = getattr(old, name), getattr(new, name)
        if name == "purposes":
            old_value, new_value = sorted(old_value or []), sorted(new_value or [])
        if old_value != new_value:
            changes.append(
                FieldChange(
                    field=name,
                    label=str(Variable._meta.get_field(name).verbose_name),
                    old=_display(old, name),
                    new=_display(new, name),
                )
            )
    return changes


# Every column of a variable, in the model's order (what ``Model.from_db`` expects): the diff
# compares all of them but the key, the version and the code it matches on.
_VARIABLE_COLUMNS = [f.attname for f in Variable._meta.concrete_fields]
_COMPARED = [_VARIABLE_COLUMNS.index(name) for name in DIFF_FIELDS]
_ID, _VERSION, _CODE, _PURPOSES = (
    _VARIABLE_COLUMNS.index(name) for name in ("id", "dataset_version_id", "code", "purposes")
)


def _compared(values: tuple) -> list:
    """The compared fields of one variable's row; purposes in any order are the same."""
    compared = [values[i] for i in _COMPARED]
    compared[DIFF_FIELDS.index("purposes")] = sorted(values[_PURPOSES] or [])
    return compared


def version_diff(*, old: DatasetVersion, new: DatasetVersion) -> VersionDiff:
    """Added, removed and changed variables from ``old`` to ``new``, with growth figures.

    Three queries: the provider categories, both versions' variables, and their requirement
    cells. Rows are read as plain values (a 2,000-variable table has some 18,000 cells); model
    instances are built only for the variables the diff returns.
    """
    categories = list(ProviderCategory.objects.all())
    variables = Variable.objects.filter(dataset_version_id__in=[old.pk, new.pk])
    rows = list(variables.order_by("code").values_list(*_VARIABLE_COLUMNS))
    cells_of: dict[int, dict[int, str]] = {}
    for variable_id, category_id, value in Requirement.objects.filter(
        variable__dataset_version_id__in=[old.pk, new.pk]
    ).values_list("variable_id", "provider_category_id", "set"):
        cells_of.setdefault(variable_id, {})[category_id] = value
    old_rows = {values[_CODE]: values for values in rows if values[_VERSION] == old.pk}
    new_rows = {values[_CODE]: values for values in rows if values[_VERSION] == new.pk}
    old_cells = {code: cells_of.get(values[_ID], {}) for code, values in old_rows.items()}
    new_cells = {code: cells_of.get(values[_ID], {}) for code, values in new_rows.items()}

    def instance(values: tuple) -> Variable:
        return Variable.from_db(variables.db, _VARIABLE_COLUMNS, values)

    def row(cells: dict[int, str]) -> list[str]:
        return [cells.get(c.pk, "") for c in categories]

    added = [
        VariableCells(instance(new_rows[c]), row(new_cells[c]))
        for c in new_rows
        if c not in old_rows
    ]
    removed = [
        VariableCells(instance(old_rows[c]), row(old_cells[c]))
        for c in old_rows
        if c not in new_rows
    ]
    changed = []
    for code in sorted(old_rows.keys() & new_rows.keys()):
        before, after = old_cells[code], new_cells[code]
        if before == after and _compared(old_rows[code]) == _compared(new_rows[code]):
            continue
        cells = [
            CellChange(category=c, old=before.get(c.pk, ""), new=after.get(c.pk, ""))
            for c in categories
            if before.get(c.pk, "") != after.get(c.pk, "")
        ]
        old_variable, new_variable = instance(old_rows[code]), instance(new_rows[code])
        fields = _field_changes(old_variable, new_variable)
        if fields or cells:
            changed.append(VariableChange(code, old_variable, new_variable, fields, cells))

    growth = Growth(
        old_variables=len(old_rows),
        new_variables=len(new_rows),
        old_cells=sum(len(cells) for cells in old_cells.values()),
        new_cells=sum(len(cells) for cells in new_cells.values()),
    )
    return VersionDiff(
        old=old,
        new=new,
        categories=categories,
        added=added,
        removed=removed,
        changed=changed,
        growth=growth,
    )


def version_growth(*, old: DatasetVersion, new: DatasetVersion) -> Growth:
    """Only the growth figures from ``old`` to ``new``. One query."""
    counts = DatasetVersion.objects.filter(pk__in=[old.pk, new.pk]).annotate(
        n_variables=Count("variables", distinct=True),
        n_cells=Count("variables__requirements", distinct=True),
    )
    by_pk = {v.pk: (v.n_variables, v.n_cells) for v in counts}
    (old_variables, old_cells), (new_variables, new_cells) = by_pk[old.pk], by_pk[new.pk]
    return Growth(
        old_variables=old_variables,
        new_variables=new_variables,
        old_cells=old_cells,
        new_cells=new_cells,
    )


def register_version(*, registry) -> DatasetVersion | None:
    """The dataset version of the registry's current published inclusion decision. One query."""
    current = (
        registries_with_current_decision()
        .filter(pk=registry.pk, current_outcome=DecisionOutcome.INCLUDE)
        .values("current_dataset_version_id")[:1]
    )
    return DatasetVersion.objects.filter(pk=Subquery(current)).first()
