"""Comparing dataset versions: the selector register.diff.version_diff and the compare page."""

import pytest
from django.urls import reverse

from register.diff import register_version, version_diff, version_growth
from tests.factories import (
    DatasetVersionFactory,
    DecisionFactory,
    VariableFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def v1(registry):
    version = DatasetVersionFactory(registry=registry, number=1, submitted=True)
    VariableFactory(
        dataset_version=version,
        code="AGE",
        name="Leeftijd",
        unit="jaar",
        requirements={"AZ": "base"},
    )
    VariableFactory(
        dataset_version=version,
        code="SEX",
        name="Geslacht",
        requirements={"AZ": "base", "UMC": "plus"},
    )
    VariableFactory(
        dataset_version=version, code="OLD", name="Vervallen", requirements={"AZ": "plus"}
    )
    return version


@pytest.fixture
def v2(registry, v1):
    version = DatasetVersionFactory(registry=registry, number=2, based_on=v1)
    VariableFactory(
        dataset_version=version,
        code="AGE",
        name="Leeftijd",
        unit="maanden",
        purposes=["learn_improve", "case_mix"],
        requirements={"AZ": "base"},
    )
    VariableFactory(
        dataset_version=version,
        code="SEX",
        name="Geslacht",
        requirements={"AZ": "plus", "STZ": "base"},
    )
    VariableFactory(
        dataset_version=version,
        code="NEW",
        name="Nieuw",
        requirements={"AZ": "base", "UMC": "base"},
    )
    return version


# --- The selector ----------------------------------------------------------------------------


def test_added_removed_and_changed_matched_on_code(v1, v2):
    diff = version_diff(old=v1, new=v2)
    assert [row.variable.code for row in diff.added] == ["NEW"]
    assert [row.variable.code for row in diff.removed] == ["OLD"]
    assert [change.code for change in diff.changed] == ["AGE", "SEX"]
    codes = [c.code for c in diff.categories]
    assert diff.added[0].cells[codes.index("UMC")] == "base"
    assert diff.removed[0].cells[codes.index("AZ")] == "plus"


def test_field_changes_old_to_new(v1, v2, english):
    age = version_diff(old=v1, new=v2).changed[0]
    fields = {f.field: (f.old, f.new) for f in age.fields}
    assert fields == {
        "unit": ("jaar", "maanden"),
        "purposes": ("learning and improving", "learning and improving; case-mix correction"),
    }
    assert age.cells == []


def test_requirement_cells_per_category(v1, v2):
    sex = version_diff(old=v1, new=v2).changed[1]
    assert sex.fields == []
    cells = {c.category.code: (c.old, c.new) for c in sex.cells}
    assert cells == {"AZ": ("base", "plus"), "UMC": ("plus", ""), "STZ": ("", "base")}


def test_purposes_in_another_order_are_no_change(registry):
    old = DatasetVersionFactory(registry=registry, number=1)
    new = DatasetVersionFactory(registry=registry, number=2)
    VariableFactory(dataset_version=old, code="A", name="A", purposes=["indicator", "case_mix"])
    VariableFactory(dataset_version=new, code="A", name="A", purposes=["case_mix", "indicator"])
    diff = version_diff(old=old, new=new)
    assert diff.changed == [] and not diff.has_changes


def test_growth_figures(v1, v2):
    growth = version_diff(old=v1, new=v2).growth
    assert (growth.old_variables, growth.new_variables) == (3, 3)
    assert growth.variable_increase == 0
    assert (growth.old_cells, growth.new_cells) == (4, 5)
    assert growth.cell_increase == 25
    assert growth.cells_exceed and not growth.variables_exceed
    assert growth.exceeds_threshold


def test_version_growth_agrees_with_the_diff(v1, v2, django_assert_num_queries):
    with django_assert_num_queries(1):
        growth = version_growth(old=v1, new=v2)
    assert growth == version_diff(old=v1, new=v2).growth


def _versions_with_growth(registry, old_count, new_count):
    old = DatasetVersionFactory(registry=registry, number=1)
    new = DatasetVersionFactory(registry=registry, number=2)
    for i in range(old_count):
        VariableFactory(dataset_version=old, code=f"V{i}", requirements={"AZ": "base"})
    for i in range(new_count):
        VariableFactory(dataset_version=new, code=f"V{i}", requirements={"AZ": "base"})
    return old, new


@pytest.mark.parametrize(("new_count", "flagged"), [(11, False), (12, True), (9, False)])
def test_threshold_is_exclusive(registry, settings, new_count, flagged):
    settings.DATASET_GROWTH_THRESHOLD = 0.10
    old, new = _versions_with_growth(registry, 10, new_count)
    growth = version_diff(old=old, new=new).growth
    assert growth.exceeds_threshold is flagged


def test_threshold_comes_from_settings(registry, settings):
    settings.DATASET_GROWTH_THRESHOLD = 0.25
    old, new = _versions_with_growth(registry, 10, 12)
    assert not version_diff(old=old, new=new).growth.exceeds_threshold


def test_growth_from_an_empty_version(registry):
    old, new = _versions_with_growth(registry, 0, 2)
    growth = version_diff(old=old, new=new).growth
    assert growth.variable_increase is None and growth.exceeds_threshold
    empty = DatasetVersionFactory(registry=registry, number=3)
    assert not version_diff(old=empty, new=empty).growth.exceeds_threshold


@pytest.mark.parametrize("size", [10, 100])
def test_fixed_number_of_queries(registry, size, django_assert_max_num_queries):
    old = DatasetVersionFactory(registry=registry, number=1)
    new = DatasetVersionFactory(registry=registry, number=2)
    for i in range(size):
        VariableFactory(dataset_version=old, code=f"V{i}", requirements={"AZ": "base"})
        VariableFactory(dataset_version=new, code=f"V{i}", unit="x", requirements={"UMC": "plus"})
    with django_assert_max_num_queries(3):
        diff = version_diff(old=old, new=new)
        assert len(diff.changed) == size
        assert all(change.cells and change.fields for change in diff.changed)


def test_register_version_is_the_current_published_inclusion(registry, v1, v2):
    assert register_version(registry=registry) is None
    DecisionFactory(dataset_version=v1)  # not published
    assert register_version(registry=registry) is None
    DecisionFactory(dataset_version=v1, published=True)
    assert register_version(registry=registry) == v1


# --- The page --------------------------------------------------------------------------------


def compare_url(registry, **query):
    url = reverse("dossiers:version_diff", kwargs={"acronym": registry.acronym})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.fixture
def staff_client(client, registry_user):
    client.force_login(registry_user)
    return client


@pytest.mark.usefixtures("english")
class TestComparePage:
    def test_defaults_newest_against_its_based_on(self, staff_client, registry, v1, v2):
        v3 = DatasetVersionFactory(registry=registry, number=3, based_on=v1)
        response = staff_client.get(compare_url(registry))
        assert response.status_code == 200
        diff = response.context["diff"]
        assert (diff.old, diff.new) == (v1, v3)

    def test_defaults_to_the_previous_number(self, staff_client, registry, v1, v2):
        v2.based_on = None
        v2.save()
        diff = staff_client.get(compare_url(registry)).context["diff"]
        assert (diff.old, diff.new) == (v1, v2)

    def test_only_new_given_compares_with_its_based_on(self, staff_client, registry, v1, v2):
        DatasetVersionFactory(registry=registry, number=3, based_on=v2)
        diff = staff_client.get(compare_url(registry, new=2)).context["diff"]
        assert (diff.old, diff.new) == (v1, v2)

    def test_shows_changes_and_growth(self, staff_client, registry, v1, v2):
        response = staff_client.get(compare_url(registry, old=1, new=2))
        html = response.content.decode()
        assert response.status_code == 200
        assert "1 variable added" in html and "1 variable removed" in html
        assert "2 variables changed" in html
        assert "jaar" in html and "maanden" in html
        assert "Requirement STZ" in html
        assert "+25.0%" in html
        assert "Large increase" in html
        assert "<caption>" in html and 'scope="row"' in html
        assert "The registry is not in the register" in html

    def test_growth_against_the_version_in_the_register(self, staff_client, registry, v1, v2):
        DecisionFactory(dataset_version=v1, published=True)
        v3 = DatasetVersionFactory(registry=registry, number=3, based_on=v2)
        VariableFactory(dataset_version=v3, code="X", requirements={"AZ": "base"})
        response = staff_client.get(compare_url(registry, old=2, new=3))
        assert response.context["register_version"] == v1
        growth = response.context["register_growth"]
        assert (growth.old_variables, growth.new_variables) == (3, 1)
        assert "Growth against the version in the register" in response.content.decode()

    def test_the_version_in_the_register_itself(self, staff_client, registry, v1, v2):
        DecisionFactory(dataset_version=v2, published=True)
        response = staff_client.get(compare_url(registry, old=1, new=2))
        assert "Version 2 is the version in the register." in response.content.decode()

    @pytest.mark.parametrize(
        "query", [{"old": 1, "new": 99}, {"old": "x", "new": 2}, {"old": 2, "new": 2}, {"old": 1}]
    )
    def test_bad_numbers_are_form_errors(self, staff_client, registry, v1, v2, query):
        response = staff_client.get(compare_url(registry, **query))
        if query == {"old": 1}:  # the new version defaults to the newest
            assert response.status_code == 200
            return
        assert response.status_code == 400
        assert "diff" not in response.context
        assert "The versions cannot be compared" in response.content.decode()

    def test_oldest_version_alone_is_a_form_error(self, staff_client, registry, v1, v2):
        response = staff_client.get(compare_url(registry, new=1))
        assert response.status_code == 400

    def test_one_version_only(self, staff_client, registry, v1):
        response = staff_client.get(compare_url(registry))
        assert response.status_code == 200
        assert "needs at least two dataset versions" in response.content.decode()

    def test_no_versions_with_a_query_is_no_500(self, staff_client, registry):
        assert staff_client.get(compare_url(registry, old=1)).status_code == 400

    def test_other_registry_is_404(self, client, other_registry_user, registry, v1, v2):
        client.force_login(other_registry_user)
        assert client.get(compare_url(registry)).status_code == 404

    def test_other_roles_are_refused(self, client, registry, v1, v2, zin_user):
        assert client.get(compare_url(registry)).status_code == 302  # to the login page
        client.force_login(zin_user)
        assert client.get(compare_url(registry)).status_code == 403

    def test_version_page_links_to_the_comparison(self, staff_client, registry, v1, v2):
        response = staff_client.get(
            reverse("dossiers:version_detail", kwargs={"acronym": registry.acronym, "number": 2})
        )
        assert compare_url(registry, old=1, new=2).replace("&", "&amp;") in (
            response.content.decode()
        )

    def test_page_queries_do_not_grow(
        self, staff_client, registry, v1, v2, django_assert_max_num_queries
    ):
        DecisionFactory(dataset_version=v1, published=True)
        with django_assert_max_num_queries(20):
            staff_client.get(compare_url(registry, old=1, new=2))


def test_page_is_dutch_by_default(client, registry_user, registry, v1, v2):
    client.force_login(registry_user)
    response = client.get(compare_url(registry, old=1, new=2))
    assert response.status_code == 200
    assert "Groei" in response.content.decode()
