"""The dossier check page (/dossiers/<acronym>/versions/<number>/check/) for registry staff."""

import re

import pytest
from django.urls import reverse

from register.models import Document
from tests.factories import DatasetVersionFactory, UserFactory, VariableFactory

# The assertions name the English texts; the portal's default language is Dutch.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

GOOD = {
    "purposes": ["learn_improve"],
    "necessity": "Nodig.",
    "code_system": "snomed",
    "ehr_source": "yes",
}


@pytest.fixture
def draft(registry):
    return DatasetVersionFactory(registry=registry)


@pytest.fixture
def staff_client(client, registry_user):
    client.force_login(registry_user)
    return client


def check_url(version, stage=None):
    url = reverse(
        "dossiers:version_check",
        kwargs={"acronym": version.registry.acronym, "number": version.number},
    )
    return f"{url}?stage={stage}" if stage else url


def edit_url(version, code):
    return reverse(
        "dossiers:variable_edit",
        kwargs={"acronym": version.registry.acronym, "number": version.number, "code": code},
    )


def section(html, heading_id):
    """The HTML from the heading with this id to the next h2."""
    match = re.search(rf'<h2 id="{heading_id}">(.*?)(?=<h2 |<p class="actions">)', html, re.S)
    assert match, f"no section {heading_id}"
    return match.group(1)


def test_page_lists_blocking_findings_with_links_to_the_variables(staff_client, draft):
    VariableFactory(dataset_version=draft, code="BSN", **{**GOOD, "personal_data": "direct"})
    VariableFactory(dataset_version=draft, code="NODOEL", **{**GOOD, "purposes": []})
    VariableFactory(dataset_version=draft, code="OK", **GOOD)
    response = staff_client.get(check_url(draft, "first"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "2 blocking findings, 0 warnings" in html
    assert "Standards coverage: 100% of 3 variables are bound to a code system." in html
    blocking = section(html, "blocking")
    assert "BSN is a direct identifier requested in the clear" in blocking
    assert "NODOEL has no purpose." in blocking
    assert f'href="{edit_url(draft, "BSN")}"' in blocking
    assert f'href="{edit_url(draft, "NODOEL")}"' in blocking
    assert "OK" not in re.sub(r"<[^>]+>", "", blocking).split()
    assert "No warnings." in section(html, "warnings")


def test_submitted_version_links_to_the_row_in_the_version_table(staff_client, registry):
    version = DatasetVersionFactory(registry=registry, submitted=True)
    VariableFactory(dataset_version=version, code="NODOEL", **{**GOOD, "purposes": []})
    html = staff_client.get(check_url(version, "first")).content.decode()
    detail = reverse(
        "dossiers:version_detail", kwargs={"acronym": registry.acronym, "number": version.number}
    )
    assert f'href="{detail}?q=NODOEL#variable-NODOEL"' in html
    assert edit_url(version, "NODOEL") not in html
    assert "Show NODOEL in the table" in html


def test_many_warnings_of_one_rule_are_grouped_under_one_heading(staff_client, draft):
    for number in range(12):
        VariableFactory(
            dataset_version=draft, code=f"VRIJ{number:02d}", **{**GOOD, "code_system": "none"}
        )
    VariableFactory(dataset_version=draft, code="NIETEPD", **{**GOOD, "ehr_source": "no"})
    html = staff_client.get(check_url(draft, "first")).content.decode()
    assert "0 blocking findings, 13 warnings" in html
    assert "Standards coverage: 8% of 13 variables" in html
    warnings = section(html, "warnings")
    assert warnings.count("<h3") == 1
    assert "Variables not bound to a code system (12)" in warnings
    # One heading and a list of codes, not twelve sentences.
    assert "is not bound to a code system." not in warnings
    for number in range(12):
        code = f"VRIJ{number:02d}"
        assert f'<a href="{edit_url(draft, code)}"><code>{code}</code></a>' in warnings
    # A single finding of another rule keeps its own sentence.
    assert "NIETEPD is not recorded in the EHR: it adds registration burden." in warnings
    assert f'href="{edit_url(draft, "NIETEPD")}"' in warnings
    assert "No blocking findings." in html


def test_stage_switch_shows_missing_supplementary_documents(staff_client, draft, registry):
    VariableFactory(dataset_version=draft, **GOOD)
    Document.objects.create(
        registry=registry, kind="dpia", title="DPIA", file="x.pdf", uploaded_by=UserFactory()
    )
    upload = reverse("dossiers:document_add", kwargs={"acronym": registry.acronym})

    first = staff_client.get(check_url(draft, "first")).content.decode()
    assert "0 blocking findings" in first
    assert "The supplementary review needs" not in first
    assert '<option value="first" selected>' in first

    supplementary = staff_client.get(check_url(draft, "supplementary")).content.decode()
    blocking = section(supplementary, "blocking")
    assert "3 blocking findings" in supplementary
    assert "The supplementary review needs: DPIA." not in blocking
    assert "The supplementary review needs: independent DPIA assessment." in blocking
    assert blocking.count(f'href="{upload}"') == 3

    # Without a stage (or with an unknown one) the page checks for the supplementary review.
    for url in (check_url(draft), check_url(draft, "bogus")):
        response = staff_client.get(url)
        assert response.status_code == 200
        html = response.content.decode()
        assert "3 blocking findings" in html
        assert '<option value="supplementary" selected>' in html


def test_version_page_links_to_the_check(staff_client, draft):
    response = staff_client.get(
        reverse(
            "dossiers:version_detail",
            kwargs={"acronym": draft.registry.acronym, "number": draft.number},
        )
    )
    assert f'href="{check_url(draft)}">Check the dossier</a>' in response.content.decode()


def test_other_registry_staff_get_404(client, other_registry_user, draft):
    client.force_login(other_registry_user)
    assert client.get(check_url(draft)).status_code == 404


def test_other_roles_are_refused_and_anonymous_users_sent_to_sign_in(client, igc_user, draft):
    assert client.get(check_url(draft)).status_code == 302
    client.force_login(igc_user)
    assert client.get(check_url(draft)).status_code == 403


def test_unknown_version_is_404(staff_client, registry):
    url = reverse("dossiers:version_check", kwargs={"acronym": registry.acronym, "number": 999})
    assert staff_client.get(url).status_code == 404


@pytest.mark.parametrize("count", [10, 100])
def test_constant_number_of_queries(staff_client, draft, count, django_assert_max_num_queries):
    for number in range(count):
        VariableFactory(
            dataset_version=draft,
            code=f"V{number:03d}",
            **{**GOOD, "code_system": "none", "purposes": [] if number % 2 else ["learn_improve"]},
            requirements={"AZ": "base"},
        )
    with django_assert_max_num_queries(10):
        response = staff_client.get(check_url(draft))
    assert response.status_code == 200
    assert f"{count // 2 + 4} blocking findings, {count} warnings" in response.content.decode()
