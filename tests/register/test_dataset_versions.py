"""Dataset versions: copying a table, and the variable codes in it."""

import pytest
from django.utils.translation import gettext as _

from register.exceptions import DomainError
from register.models import Indicator, PseudonymRequest, Variable
from register.permissions import can_manage_dossier
from register.services import dataset_version_create, variable_save
from tests.factories import DatasetVersionFactory, VariableFactory

pytestmark = pytest.mark.django_db


def table_of(registry, *, variables: int, indicators: int):
    version = DatasetVersionFactory(registry=registry, submitted=True)
    made = [
        VariableFactory(
            dataset_version=version, code=f"V{n:03d}", requirements={"AZ": "base", "UMC": "plus"}
        )
        for n in range(variables)
    ]
    for n in range(indicators):
        indicator = Indicator.objects.create(
            dataset_version=version, code=f"IND{n:02d}", name=f"Indicator {n}", kind="proces"
        )
        indicator.variables.set(made[n : n + 3])
    PseudonymRequest.objects.create(dataset_version=version, type="NGGV", justification="Ok.")
    return version


def copy_counting(registry, user, assert_max):
    can_manage_dossier(user, registry)  # warm the content-type cache, as in a running server
    # permission, savepoint, lock, newest version, new version, 2 × variables, requirements,
    # indicators, their variables and pseudonym requests (read, write), audit, release
    with assert_max(17) as captured:
        version = dataset_version_create(registry=registry, actor=user)
    return version, len(captured)


def test_new_version_copies_the_table_in_a_fixed_number_of_queries(
    registry, registry_user, other_registry, other_registry_user, django_assert_max_num_queries
):
    table_of(other_registry, variables=5, indicators=2)
    large = table_of(registry, variables=50, indicators=10)

    _small_copy, small_count = copy_counting(
        other_registry, other_registry_user, django_assert_max_num_queries
    )
    copy, large_count = copy_counting(registry, registry_user, django_assert_max_num_queries)

    assert large_count == small_count
    assert copy.variables.count() == 50
    assert sorted(copy.indicators.values_list("code", flat=True)) == [
        f"IND{n:02d}" for n in range(10)
    ]
    copied_links = {
        (i.code, tuple(v.code for v in i.variables.order_by("code")))
        for i in copy.indicators.prefetch_related("variables")
    }
    original_links = {
        (i.code, tuple(v.code for v in i.variables.order_by("code")))
        for i in large.indicators.prefetch_related("variables")
    }
    assert copied_links == original_links
    assert not Variable.objects.filter(dataset_version=copy, indicators__dataset_version=large)
    assert dict(
        copy.variables.get(code="V007").requirements.values_list("provider_category__code", "set")
    ) == {"AZ": "base", "UMC": "plus"}
    assert list(copy.pseudonym_requests.values_list("type", flat=True)) == ["NGGV"]


@pytest.fixture
def draft(registry):
    variable = VariableFactory(
        dataset_version__registry=registry,
        code="LEEFTIJD",
        name="Leeftijd",
        requirements={"AZ": "base"},
    )
    return variable.dataset_version


def test_duplicate_variable_code_is_refused_on_the_code_field(draft, registry_user):
    with pytest.raises(DomainError) as error:
        variable_save(
            dataset_version=draft,
            actor=registry_user,
            data={"code": "LEEFTIJD", "name": "Ander"},
            requirements={"UMC": "plus"},
        )
    assert error.value.field == "code"
    assert error.value.message == _("This version already has a variable with code %(code)s.") % {
        "code": "LEEFTIJD"
    }
    assert list(draft.variables.values_list("name", flat=True)) == ["Leeftijd"]


def test_renaming_a_variable_to_a_taken_code_is_refused(draft, registry_user):
    other = variable_save(
        dataset_version=draft,
        actor=registry_user,
        data={"code": "GESLACHT", "name": "Geslacht"},
        requirements={},
    )
    with pytest.raises(DomainError) as error:
        variable_save(
            dataset_version=draft,
            actor=registry_user,
            variable=other,
            data={"code": "LEEFTIJD"},
            requirements={},
        )
    assert error.value.field == "code"
    other.refresh_from_db()
    assert other.code == "GESLACHT"


def test_saving_a_variable_under_its_own_code_is_allowed(draft, registry_user):
    variable = draft.variables.get()
    saved = variable_save(
        dataset_version=draft,
        actor=registry_user,
        variable=variable,
        data={"code": "LEEFTIJD", "name": "Leeftijd bij opname"},
        requirements={"AZ": "plus"},
    )
    assert saved.pk == variable.pk and saved.name == "Leeftijd bij opname"


def test_same_code_in_another_version_is_allowed(draft, registry, registry_user):
    newer = dataset_version_create(registry=registry, actor=registry_user, copy_previous=False)
    saved = variable_save(
        dataset_version=newer,
        actor=registry_user,
        data={"code": "LEEFTIJD", "name": "Leeftijd"},
        requirements={},
    )
    assert saved.dataset_version == newer
