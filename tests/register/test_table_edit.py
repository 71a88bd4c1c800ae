"""Editing the accountability table at real size: the bulk service, the page, query counts."""

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from register import selectors
from register.constants import DatasetStatus
from register.exceptions import DatasetLocked, DomainError, PermissionDenied
from register.models import AuditEntry, DatasetVersion, ProviderCategory, Requirement, Variable
from register.services import (
    dataset_version_create,
    registry_staff_add,
    requirements_bulk_set,
)
from tests.factories import RegistryFactory, UserFactory, VariableFactory

# The assertions name the English texts; the portal's default language is Dutch.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def draft(registry, registry_user):
    return dataset_version_create(registry=registry, actor=registry_user)


@pytest.fixture
def staff_client(client, registry_user):
    client.force_login(registry_user)
    return client


def table_url(version, **query) -> str:
    url = reverse(
        "dossiers:version_table_edit",
        kwargs={"acronym": version.registry.acronym, "number": version.number},
    )
    if query:
        from urllib.parse import urlencode

        url += "?" + urlencode(query, doseq=True)
    return url


def cells(variable) -> dict[str, str]:
    return dict(
        Requirement.objects.filter(variable=variable).values_list("provider_category__code", "set")
    )


def lock(version) -> None:
    DatasetVersion.objects.filter(pk=version.pk).update(
        status=DatasetStatus.SUBMITTED, submitted_at=timezone.now()
    )
    version.refresh_from_db()


def table_state(version) -> list:
    return sorted(
        Requirement.objects.filter(variable__dataset_version=version).values_list(
            "variable__code", "provider_category__code", "set"
        )
    )


# --- The service -----------------------------------------------------------------------------


def test_bulk_set_writes_the_value_in_the_chosen_cells_only(draft, registry_user):
    first = VariableFactory(dataset_version=draft, requirements={"AZ": "plus", "UMC": "base"})
    second = VariableFactory(dataset_version=draft)
    untouched = VariableFactory(dataset_version=draft, requirements={"AZ": "plus"})
    result = requirements_bulk_set(
        dataset_version=draft,
        actor=registry_user,
        variable_ids=[first.pk, second.pk],
        category_codes=["AZ", "STZ"],
        value="base",
    )
    assert cells(first) == {"AZ": "base", "UMC": "base", "STZ": "base"}
    assert cells(second) == {"AZ": "base", "STZ": "base"}
    assert cells(untouched) == {"AZ": "plus"}
    # first: AZ plus → base and STZ new; second: two new cells.
    assert (result.variable_count, result.category_count, result.cells_changed) == (2, 2, 4)


def test_bulk_set_to_not_requested_removes_only_the_chosen_categories(draft, registry_user):
    variable = VariableFactory(
        dataset_version=draft, requirements={"AZ": "plus", "UMC": "base", "STZ": "base"}
    )
    result = requirements_bulk_set(
        dataset_version=draft,
        actor=registry_user,
        variable_ids=[variable.pk],
        category_codes=["AZ", "UMC", "ZBC"],
        value="",
    )
    assert cells(variable) == {"STZ": "base"}
    assert result.cells_changed == 2


def test_bulk_set_again_changes_nothing_and_says_so(draft, registry_user):
    variable = VariableFactory(dataset_version=draft, requirements={"AZ": "plus"})
    arguments = {
        "dataset_version": draft,
        "actor": registry_user,
        "variable_ids": [variable.pk],
        "category_codes": ["AZ", "UMC"],
        "value": "plus",
    }
    assert requirements_bulk_set(**arguments).cells_changed == 1
    assert requirements_bulk_set(**arguments).cells_changed == 0
    assert cells(variable) == {"AZ": "plus", "UMC": "plus"}


def test_bulk_set_on_a_filter_covers_every_matching_variable_even_when_the_filter_shifts(
    draft, registry_user
):
    """The filter "has a plus cell" no longer matches once the plus cells become base: the
    variables are fixed before the first write, so the new cells reach all of them."""
    with_plus = [
        VariableFactory(dataset_version=draft, requirements={"AZ": "plus"}) for _ in range(3)
    ]
    without = VariableFactory(dataset_version=draft, requirements={"AZ": "base"})
    matching = selectors.version_variables_filtered(dataset_version_id=draft.pk, requested="plus")
    result = requirements_bulk_set(
        dataset_version=draft,
        actor=registry_user,
        variables=matching,
        category_codes=["AZ", "UMC"],
        value="base",
    )
    for variable in with_plus:
        assert cells(variable) == {"AZ": "base", "UMC": "base"}
    assert cells(without) == {"AZ": "base"}
    assert (result.variable_count, result.cells_changed) == (3, 6)


def test_bulk_set_writes_one_audit_entry_that_summarises_the_change(draft, registry_user):
    variables = VariableFactory.create_batch(3, dataset_version=draft)
    requirements_bulk_set(
        dataset_version=draft,
        actor=registry_user,
        variable_ids=[v.pk for v in variables],
        category_codes=["UMC", "AZ"],
        value="plus",
    )
    entry = AuditEntry.objects.get(action="requirements.bulk_set")
    assert entry.actor == registry_user
    assert entry.registry == draft.registry
    assert entry.object_id == str(draft.pk)
    assert entry.changes == {
        "set": "plus",
        "categories": "AZ, UMC",
        "variable_count": 3,
        "cells_changed": 6,
    }


def test_variables_of_another_version_or_registry_are_refused_and_nothing_is_written(
    draft, registry, registry_user, other_registry
):
    own = VariableFactory(dataset_version=draft)
    older = DatasetVersion.objects.create(registry=registry, number=99)
    of_older_version = VariableFactory(dataset_version=older)
    of_other_registry = VariableFactory(
        dataset_version=DatasetVersion.objects.create(registry=other_registry, number=1)
    )
    audit_before = AuditEntry.objects.count()
    for stranger in (of_older_version, of_other_registry):
        with pytest.raises(DomainError) as refused:
            requirements_bulk_set(
                dataset_version=draft,
                actor=registry_user,
                variable_ids=[own.pk, stranger.pk],
                category_codes=["AZ"],
                value="base",
            )
        assert refused.value.field == "variables"
        with pytest.raises(DomainError):
            requirements_bulk_set(
                dataset_version=draft,
                actor=registry_user,
                variables=Variable.objects.filter(pk__in=[own.pk, stranger.pk]),
                category_codes=["AZ"],
                value="base",
            )
    with pytest.raises(DomainError):  # an id that does not exist at all
        requirements_bulk_set(
            dataset_version=draft,
            actor=registry_user,
            variable_ids=[own.pk, 10**9],
            category_codes=["AZ"],
            value="base",
        )
    assert not Requirement.objects.exists()
    assert AuditEntry.objects.count() == audit_before


def test_staff_of_another_registry_may_not_bulk_set(draft, other_registry_user):
    variable = VariableFactory(dataset_version=draft)
    with pytest.raises(PermissionDenied):
        requirements_bulk_set(
            dataset_version=draft,
            actor=other_registry_user,
            variable_ids=[variable.pk],
            category_codes=["AZ"],
            value="base",
        )
    assert not Requirement.objects.exists()


def test_a_submitted_version_is_refused(draft, registry_user):
    variable = VariableFactory(dataset_version=draft, requirements={"AZ": "plus"})
    lock(draft)
    with pytest.raises(DatasetLocked):
        requirements_bulk_set(
            dataset_version=draft,
            actor=registry_user,
            variable_ids=[variable.pk],
            category_codes=["AZ"],
            value="base",
        )
    assert cells(variable) == {"AZ": "plus"}


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"category_codes": ["AZ", "NOPE"]}, "categories"),
        ({"category_codes": []}, "categories"),
        ({"value": "gold"}, "value"),
        ({"variable_ids": []}, "variables"),
    ],
)
def test_bad_input_is_refused_whole_with_the_field_named(draft, registry_user, arguments, field):
    variables = VariableFactory.create_batch(2, dataset_version=draft, requirements={"UMC": "plus"})
    before = table_state(draft)
    audit_before = AuditEntry.objects.count()
    kwargs = {
        "dataset_version": draft,
        "actor": registry_user,
        "variable_ids": [v.pk for v in variables],
        "category_codes": ["AZ", "UMC"],
        "value": "base",
        **arguments,
    }
    with pytest.raises(DomainError) as refused:
        requirements_bulk_set(**kwargs)
    assert refused.value.field == field
    assert table_state(draft) == before
    assert AuditEntry.objects.count() == audit_before


# --- The selector ----------------------------------------------------------------------------


def test_filters_on_search_purpose_personal_data_set_and_category(draft):
    VariableFactory(
        dataset_version=draft,
        code="AGE",
        name="Leeftijd",
        purposes=["case_mix"],
        personal_data="quasi",
        requirements={"AZ": "base"},
    )
    VariableFactory(
        dataset_version=draft,
        code="ASA",
        name="ASA-klasse",
        purposes=["learn_improve", "instrument"],
        requirements={"UMC": "plus", "AZ": "base"},
    )
    VariableFactory(dataset_version=draft, code="NOTE", name="Opmerking", purposes=[])

    def codes(**filters):
        return list(
            selectors.version_variables_filtered(
                dataset_version_id=draft.pk, **filters
            ).values_list("code", flat=True)
        )

    assert codes() == ["AGE", "ASA", "NOTE"]
    assert codes(search="leeft") == ["AGE"]
    assert codes(search="as") == ["ASA"]
    assert codes(purpose="instrument") == ["ASA"]
    assert codes(purpose="case_mix") == ["AGE"]
    assert codes(personal_data="quasi") == ["AGE"]
    assert codes(requested="plus") == ["ASA"]
    assert codes(requested="base") == ["AGE", "ASA"]
    assert codes(requested="requested") == ["AGE", "ASA"]
    assert codes(requested="none") == ["NOTE"]
    assert codes(category="UMC") == ["ASA"]
    assert codes(requested="none", category="UMC") == ["AGE", "NOTE"]
    assert codes(requested="base", category="UMC") == []


# --- The page --------------------------------------------------------------------------------


def test_page_shows_the_grid_with_headers_the_form_and_the_script(staff_client, draft):
    VariableFactory(dataset_version=draft, code="AGE", requirements={"AZ": "base", "UMC": "plus"})
    response = staff_client.get(table_url(draft))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<caption>Accountability table, version" in html
    assert '<th scope="col" class="cat"><abbr title=' in html
    assert 'name="variables"' in html and 'id="bulk_variables_0"' in html
    assert '<label for="bulk_variables_0"><code>AGE</code></label>' in html
    assert 'href="#bulk-actions"' in html and 'id="bulk-actions"' in html
    assert 'aria-live="polite"' in html
    assert 'table_edit.js" defer' in html
    assert "accesskey" not in html
    row = response.context["table"].rows[0]
    categories = [c.code for c in response.context["table"].categories]
    assert row.cells[categories.index("AZ")] == "base"
    assert row.cells[categories.index("UMC")] == "plus"
    assert len(categories) == ProviderCategory.objects.count()


def test_version_page_links_to_the_editor_only_while_editable(staff_client, draft):
    page = staff_client.get(
        reverse(
            "dossiers:version_detail",
            kwargs={"acronym": draft.registry.acronym, "number": draft.number},
        )
    )
    assert table_url(draft).encode() in page.content
    lock(draft)
    page = staff_client.get(
        reverse(
            "dossiers:version_detail",
            kwargs={"acronym": draft.registry.acronym, "number": draft.number},
        )
    )
    assert table_url(draft).encode() not in page.content


def test_page_filters_the_rows(staff_client, draft):
    VariableFactory(dataset_version=draft, code="AGE", personal_data="quasi")
    VariableFactory(dataset_version=draft, code="ASA", requirements={"UMC": "plus"})
    VariableFactory(dataset_version=draft, code="NOTE")

    def codes(**query):
        response = staff_client.get(table_url(draft, **query))
        assert response.status_code == 200
        return [row.variable.code for row in response.context["table"].rows]

    assert codes() == ["AGE", "ASA", "NOTE"]
    assert codes(q="as") == ["ASA"]
    assert codes(personal_data="quasi") == ["AGE"]
    assert codes(requested="plus") == ["ASA"]
    assert codes(requested="none") == ["AGE", "NOTE"]
    assert codes(category="UMC") == ["ASA"]


def test_invalid_filter_values_are_shown_and_ignored(staff_client, draft):
    VariableFactory.create_batch(3, dataset_version=draft)
    response = staff_client.get(table_url(draft, per_page=7, requested="gold"))
    assert response.status_code == 200
    assert len(response.context["table"].rows) == 3
    assert response.context["page_obj"].paginator.per_page == 50
    assert "per_page" in response.context["filter_form"].errors


def test_pagination_keeps_the_filters_and_the_page_size(staff_client, draft):
    VariableFactory.create_batch(120, dataset_version=draft, name="Bloeddruk")
    VariableFactory.create_batch(5, dataset_version=draft, name="Gewicht")
    response = staff_client.get(table_url(draft, q="bloed"))
    assert len(response.context["table"].rows) == 50
    html = response.content.decode()
    assert 'href="?q=bloed&amp;page=2"' in html
    response = staff_client.get(table_url(draft, q="bloed", per_page=100, page=2))
    assert len(response.context["table"].rows) == 20
    assert 'href="?q=bloed&amp;per_page=100&amp;page=1"' in response.content.decode()
    response = staff_client.get(table_url(draft, per_page=200))
    assert len(response.context["table"].rows) == 125


def test_bulk_post_on_selected_rows_redirects_to_the_same_filtered_page(staff_client, draft):
    chosen = VariableFactory.create_batch(2, dataset_version=draft, name="Bloeddruk")
    other = VariableFactory(dataset_version=draft, name="Bloedgroep")
    url = table_url(draft, q="bloed", page=1)
    response = staff_client.post(
        url,
        {
            "variables": [v.pk for v in chosen],
            "scope": "selected",
            "categories": ["AZ", "UMC", "STZ"],
            "value": "plus",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == url
    for variable in chosen:
        assert cells(variable) == {"AZ": "plus", "UMC": "plus", "STZ": "plus"}
    assert cells(other) == {}
    page = staff_client.get(response["Location"])
    assert (
        "Cells changed: 6 of 6 (2 variables; provider categories AZ, STZ, UMC; set to plus set)."
        in (page.content.decode())
    )


def test_bulk_post_on_all_matching_covers_every_page(staff_client, draft):
    matching = VariableFactory.create_batch(
        70, dataset_version=draft, name="Bloeddruk", requirements={"AZ": "base"}
    )
    other = VariableFactory(dataset_version=draft, name="Gewicht", requirements={"AZ": "base"})
    response = staff_client.get(table_url(draft, q="bloeddruk"))
    assert "all 70 variables matching the filter" in response.content.decode()
    response = staff_client.post(
        table_url(draft, q="bloeddruk"),
        {"scope": "matching", "categories": ["AZ", "UMC"], "value": "none"},
    )
    assert response.status_code == 302
    assert not Requirement.objects.filter(variable__in=matching).exists()
    assert cells(other) == {"AZ": "base"}
    page = staff_client.get(response["Location"])
    assert "Cells changed: 70 of 140" in page.content.decode()


def test_bulk_post_errors_name_the_fields_and_write_nothing(staff_client, draft):
    variable = VariableFactory(dataset_version=draft, requirements={"AZ": "plus"})
    audit_before = AuditEntry.objects.count()
    response = staff_client.post(table_url(draft), {"scope": "selected"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "The change has not been saved" in html
    assert (
        '<a href="#bulk_variables_0">Variables: Select at least one variable in the table' in html
    )
    assert '<a href="#bulk_categories_0">Provider categories: Choose at least one' in html
    assert '<a href="#bulk_value_0">Set to: Choose base set, plus set or not requested' in html
    assert cells(variable) == {"AZ": "plus"}
    assert AuditEntry.objects.count() == audit_before


def test_bulk_post_keeps_the_selection_when_it_fails(staff_client, draft):
    first, second = VariableFactory.create_batch(2, dataset_version=draft)
    response = staff_client.post(
        table_url(draft), {"variables": [second.pk], "scope": "selected", "value": "base"}
    )
    assert response.status_code == 400
    rows = {row.variable.pk: row.selected for row in response.context["table"].rows}
    assert rows == {first.pk: False, second.pk: True}


def test_bulk_post_refuses_a_variable_of_another_version(staff_client, draft, other_registry):
    stranger = VariableFactory(
        dataset_version=DatasetVersion.objects.create(registry=other_registry, number=1)
    )
    response = staff_client.post(
        table_url(draft),
        {"variables": [stranger.pk], "scope": "selected", "categories": ["AZ"], "value": "base"},
    )
    assert response.status_code == 400
    assert "Some of the chosen variables are not in version" in response.content.decode()
    assert not Requirement.objects.exists()


def test_bulk_post_with_a_non_numeric_variable_is_a_form_error(staff_client, draft):
    response = staff_client.post(
        table_url(draft),
        {"variables": ["x"], "scope": "selected", "categories": ["AZ"], "value": "base"},
    )
    assert response.status_code == 400
    assert "Choose variables from the table." in response.content.decode()


def test_submitted_version_shows_a_read_only_grid_and_refuses_posts(staff_client, draft):
    variable = VariableFactory(dataset_version=draft, code="AGE", requirements={"AZ": "plus"})
    lock(draft)
    audit_before = AuditEntry.objects.count()
    page = staff_client.get(table_url(draft))
    assert page.status_code == 200
    html = page.content.decode()
    assert "<code>AGE</code>" in html
    assert 'name="variables"' not in html and "Apply the change" not in html
    assert "table_edit.js" not in html
    response = staff_client.post(
        table_url(draft),
        {"variables": [variable.pk], "scope": "selected", "categories": ["AZ"], "value": "base"},
    )
    assert response.status_code == 409
    assert cells(variable) == {"AZ": "plus"}
    assert AuditEntry.objects.count() == audit_before


def test_another_registrys_staff_gets_404_and_writes_nothing(client, draft, other_registry_user):
    variable = VariableFactory(dataset_version=draft)
    client.force_login(other_registry_user)
    assert client.get(table_url(draft)).status_code == 404
    response = client.post(
        table_url(draft),
        {"variables": [variable.pk], "scope": "selected", "categories": ["AZ"], "value": "base"},
    )
    assert response.status_code == 404
    assert not Requirement.objects.exists()


# --- A constant number of queries ------------------------------------------------------------


def _version_with(size: int) -> tuple[DatasetVersion, object]:
    """A draft of a registry of its own with ``size`` variables, each with 9 cells."""
    registry = RegistryFactory()
    user = UserFactory()
    registry_staff_add(registry=registry, user=user)
    version = DatasetVersion.objects.create(registry=registry, number=1)
    Variable.objects.bulk_create(
        Variable(dataset_version=version, code=f"V{i:04d}", name=f"Bloeddruk {i}")
        for i in range(size)
    )
    categories = list(ProviderCategory.objects.all())
    assert len(categories) == 9
    Requirement.objects.bulk_create(
        Requirement(variable=variable, provider_category=category, set="plus" if i % 2 else "base")
        for variable in version.variables.all()
        for i, category in enumerate(categories)
    )
    return version, user


def _count_queries(version, user) -> tuple[int, int]:
    client = Client()
    client.force_login(get_user_model().objects.get(pk=user.pk))
    with CaptureQueriesContext(connection) as get_queries:
        page = client.get(table_url(version, q="bloeddruk"))
    assert page.status_code == 200
    with CaptureQueriesContext(connection) as post_queries:
        response = client.post(
            table_url(version, q="bloeddruk"),
            {
                "scope": "matching",
                "categories": [c.code for c in ProviderCategory.objects.all()],
                "value": "base",
            },
        )
    assert response.status_code == 302
    return len(get_queries), len(post_queries)


def test_page_and_bulk_post_use_the_same_number_of_queries_for_20_and_200_variables():
    small, small_user = _version_with(20)
    large, large_user = _version_with(200)
    small_counts = _count_queries(small, small_user)
    large_counts = _count_queries(large, large_user)
    assert small_counts == large_counts
    assert not Requirement.objects.filter(variable__dataset_version=large, set="plus").exists()
    assert Requirement.objects.filter(variable__dataset_version=large).count() == 200 * 9


def test_all_matching_with_an_invalid_filter_changes_nothing(staff_client, draft):
    """An invalid filter value is ignored for display; "all matching" would then reach the whole
    table, so the form refuses it and names the field."""
    variables = VariableFactory.create_batch(3, dataset_version=draft, requirements={"AZ": "base"})
    response = staff_client.post(
        table_url(draft, personal_data="indirect"),
        {"scope": "matching", "categories": ["AZ"], "value": "none"},
    )
    assert response.status_code == 400
    assert "correct the filter first" in response.content.decode()
    assert all(cells(variable) == {"AZ": "base"} for variable in variables)
