"""The public pages: home, the register, one registry, the obligation checker, sign-in."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from register.constants import DecisionOutcome
from tests.factories import (
    CareTypeFactory,
    DatasetVersionFactory,
    DecisionFactory,
    RegistryFactory,
    RegistryHolderFactory,
    UserFactory,
    VariableFactory,
)

pytestmark = pytest.mark.django_db

# The portal speaks Dutch by default (dates such as "1 maart 2026" below); tests that assert
# English texts run in English.
in_english = pytest.mark.usefixtures("english")

LIST_URL = reverse("public:registry_list")
OBLIGATIONS_URL = reverse("public:obligations")


def include(registry, *, variables=None, effective_from=datetime.date(2026, 3, 1), **decision):
    """Publish an inclusion decision for a new dataset version with the given variables.

    ``variables``: {code: {category: set}}.
    """
    version = DatasetVersionFactory(registry=registry, submitted=True)
    for code, requirements in (variables or {}).items():
        VariableFactory(dataset_version=version, code=code, requirements=requirements)
    decision.setdefault("published", True)
    return DecisionFactory(dataset_version=version, effective_from=effective_from, **decision)


def registry_acronyms(response):
    return [r.acronym for r in response.context["registries"]]


# --- home and sign-in --------------------------------------------------------------------------


def test_home_links_to_register_checker_and_sign_in(client):
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert f'href="{LIST_URL}"' in body
    assert f'href="{OBLIGATIONS_URL}"' in body
    assert f'href="{reverse("login")}"' in body


@in_english
def test_login_page_labels_username_as_email_address(client):
    body = client.get(reverse("login")).content.decode()
    assert '<label for="id_username">E-mail address</label>' in body
    assert 'type="email" name="username" id="id_username"' in body


def test_sign_in_with_email_address(client):
    UserFactory(email="someone@example.org")
    response = client.post(
        reverse("login"), {"username": "someone@example.org", "password": "demo"}
    )
    assert response.status_code == 302
    assert client.get("/").context["user"].email == "someone@example.org"


@in_english
def test_failed_sign_in_shows_error_not_500(client):
    response = client.post(reverse("login"), {"username": "nobody@example.org", "password": "x"})
    assert response.status_code == 200
    assert "Sign-in failed" in response.content.decode()


# --- the register ------------------------------------------------------------------------------


def test_register_lists_included_registries_only(client, registry, other_registry):
    include(registry)
    refused = RegistryFactory(acronym="refused")
    include(refused, outcome=DecisionOutcome.REFUSE)
    unpublished = RegistryFactory(acronym="unpublished")
    include(unpublished, published=False)
    withdrawn = RegistryFactory(acronym="withdrawn")
    include(withdrawn)
    include(withdrawn, outcome=DecisionOutcome.WITHDRAW)
    # other_registry has no decision at all.

    response = client.get(LIST_URL)

    assert response.status_code == 200
    assert registry_acronyms(response) == ["dhfa"]
    body = response.content.decode()
    assert "Dutch Hip Fracture Audit" in body
    assert registry.holder.name in body
    assert "Heupfractuurzorg" in body
    assert "1 maart 2026" in body


def test_register_search_matches_acronym_name_and_holder(client):
    holder = RegistryHolderFactory(name="Stichting Hartregistratie")
    include(RegistryFactory(acronym="nhr", name="Nederlandse Hart Registratie", holder=holder))
    include(RegistryFactory(acronym="dica", name="Kankerzorg audit"))

    assert registry_acronyms(client.get(LIST_URL, {"q": "NHR"})) == ["nhr"]
    assert registry_acronyms(client.get(LIST_URL, {"q": "kanker"})) == ["dica"]
    assert registry_acronyms(client.get(LIST_URL, {"q": "hartregistratie"})) == ["nhr"]
    assert registry_acronyms(client.get(LIST_URL, {"q": "geen treffer"})) == []


def test_register_filters_by_care_type(client, registry, care_type):
    include(registry)
    include(RegistryFactory(acronym="heart", care_types=[CareTypeFactory(code="heart")]))

    assert registry_acronyms(client.get(LIST_URL, {"care_type": "heart"})) == ["heart"]
    assert registry_acronyms(client.get(LIST_URL, {"care_type": care_type.code})) == ["dhfa"]


def test_register_filters_by_provider_category_of_current_table(client, registry):
    include(registry, variables={"A": {"UMC": "base"}})
    stz_only = RegistryFactory(acronym="stz-only")
    include(stz_only, variables={"A": {"STZ": "plus"}})

    assert registry_acronyms(client.get(LIST_URL, {"provider_category": "UMC"})) == ["dhfa"]
    assert registry_acronyms(client.get(LIST_URL, {"provider_category": "STZ"})) == ["stz-only"]
    assert registry_acronyms(client.get(LIST_URL, {"provider_category": "AZ"})) == []


def test_register_unknown_filter_code_is_a_field_error_not_500(client, registry):
    include(registry)

    response = client.get(LIST_URL, {"care_type": "no-such-care", "q": "dhfa"})

    assert response.status_code == 200
    assert "care_type" in response.context["form"].errors
    # The valid search still applies.
    assert registry_acronyms(response) == ["dhfa"]


def test_register_pages_by_25(client):
    for n in range(30):
        include(RegistryFactory(acronym=f"r{n:02d}"))

    first = client.get(LIST_URL)
    second = client.get(LIST_URL, {"page": 2})

    assert len(registry_acronyms(first)) == 25
    assert registry_acronyms(second) == [f"r{n:02d}" for n in range(25, 30)]
    assert "page=2" in first.content.decode()


# --- one registry ------------------------------------------------------------------------------


def test_unknown_acronym_is_404(client):
    assert client.get(reverse("public:registry_detail", args=["nope"])).status_code == 404


def test_registry_page_shows_facts_and_published_decisions_only(client, registry):
    registry.website = "https://dhfa.nl/"
    registry.save()
    decision = include(registry, variables={"A": {"AZ": "base"}})
    include(registry, published=False, effective_from=datetime.date(2027, 1, 1))

    response = client.get(reverse("public:registry_detail", args=["dhfa"]))

    assert response.status_code == 200
    assert response.context["included"] is True
    assert [d.pk for d in response.context["registry"].published_decisions] == [decision.pk]
    body = response.content.decode()
    for text in (
        registry.holder.name,
        "Dataverwerker B.V.",
        registry.population,
        "https://dhfa.nl/",
    ):
        assert text in body
    assert "1 januari 2027" not in body


@in_english
def test_registry_table_shows_base_and_plus_as_text_per_category(client, registry):
    include(
        registry,
        variables={"LEEFTIJD": {"AZ": "base", "UMC": "plus"}, "ASA": {"UMC": "base"}},
    )

    response = client.get(reverse("public:registry_detail", args=["dhfa"]))

    assert [c.code for c in response.context["categories"]] == ["UMC", "AZ"]
    cells = {row["variable"].code: row["cells"] for row in response.context["rows"]}
    assert cells == {"ASA": ["base", ""], "LEEFTIJD": ["plus", "base"]}
    body = response.content.decode()
    assert '<td class="cell cell-base">base</td>' in body
    assert '<td class="cell cell-plus">plus</td>' in body
    assert "not requested" in body
    assert '<th scope="col" class="cat"><abbr title="Algemeen ziekenhuis">AZ</abbr></th>' in body
    assert "learning and improving" in body  # the purposes


def test_registry_table_is_the_included_version_not_a_newer_draft(client, registry):
    include(registry, variables={"OUD": {"AZ": "base"}})
    draft = DatasetVersionFactory(registry=registry)
    VariableFactory(dataset_version=draft, code="NIEUW", requirements={"AZ": "base"})

    response = client.get(reverse("public:registry_detail", args=["dhfa"]))

    assert [row["variable"].code for row in response.context["rows"]] == ["OUD"]


@in_english
def test_registry_without_published_decision_is_not_in_register_and_has_no_table(client, registry):
    include(registry, variables={"A": {"AZ": "base"}}, published=False)

    response = client.get(reverse("public:registry_detail", args=["dhfa"]))

    assert response.status_code == 200
    assert response.context["included"] is False
    assert "rows" not in response.context
    assert "This registry is not in the register." in response.content.decode()


@in_english
def test_refused_registry_shows_the_decision_but_no_table(client, registry):
    include(registry, variables={"A": {"AZ": "base"}}, outcome=DecisionOutcome.REFUSE)

    response = client.get(reverse("public:registry_detail", args=["dhfa"]))

    assert response.context["included"] is False
    assert "rows" not in response.context
    assert "refuse" in response.content.decode()


def test_registry_table_pages_over_100_variables(client, registry):
    include(registry, variables={f"V{n:03d}": {"AZ": "base"} for n in range(105)})
    url = reverse("public:registry_detail", args=["dhfa"])

    first = client.get(url)
    second = client.get(url, {"page": 2})

    assert len(first.context["rows"]) == 100
    assert [row["variable"].code for row in second.context["rows"]] == [
        f"V{n:03d}" for n in range(100, 105)
    ]
    assert second.context["variable_count"] == 105


# --- the obligation checker --------------------------------------------------------------------


def check(client, category="AZ", care_types=("hip-fracture",), on="2026-06-01"):
    return client.get(
        OBLIGATIONS_URL, {"provider_category": category, "care_type": list(care_types), "on": on}
    )


def test_checker_first_visit_shows_form_without_errors_and_today(client):
    response = client.get(OBLIGATIONS_URL)

    assert response.status_code == 200
    assert not response.context["form"].errors
    assert "results" not in response.context
    assert f'value="{timezone.localdate():%Y-%m-%d}"' in response.content.decode()


def test_checker_lists_registry_for_matching_care_type_and_category(client, registry):
    include(registry, variables={"A": {"AZ": "base"}, "B": {"AZ": "plus"}, "C": {"UMC": "base"}})

    response = check(client)

    [obligation] = response.context["current"]
    assert obligation.registry == registry
    assert obligation.effective_from == datetime.date(2026, 3, 1)
    assert {v.code: v.set for v in obligation.variables} == {"A": "base", "B": "plus"}
    body = response.content.decode()
    assert "1 maart 2026" in body
    assert '<td class="cell cell-plus">plus</td>' in body


@in_english
def test_checker_no_obligation_for_care_not_delivered(client, registry):
    include(registry, variables={"A": {"AZ": "base"}})
    CareTypeFactory(code="heart")

    response = check(client, care_types=["heart"])

    assert response.context["current"] == []
    assert "you have no obligation" in response.content.decode()


def test_checker_no_obligation_when_category_not_requested(client, registry):
    include(registry, variables={"A": {"UMC": "base"}})

    assert check(client, category="AZ").context["current"] == []
    assert len(check(client, category="UMC").context["current"]) == 1


def test_checker_obligation_starts_on_effective_date_not_before(client, registry):
    include(registry, variables={"A": {"AZ": "base"}}, effective_from=datetime.date(2026, 7, 1))

    before = check(client, on="2026-06-30")
    on_the_day = check(client, on="2026-07-01")

    assert before.context["current"] == []
    assert [o.registry for o in before.context["upcoming"]] == [registry]
    assert [o.registry for o in on_the_day.context["current"]] == [registry]
    assert on_the_day.context["upcoming"] == []


def test_checker_ignores_unpublished_and_refused_decisions(client, registry, other_registry):
    include(registry, variables={"A": {"AZ": "base"}}, published=False)
    include(other_registry, variables={"A": {"AZ": "base"}}, outcome=DecisionOutcome.REFUSE)

    response = check(client)

    assert response.context["current"] == []
    assert response.context["upcoming"] == []


def test_checker_without_date_uses_today(client, registry):
    include(registry, variables={"A": {"AZ": "base"}}, effective_from=timezone.localdate())

    response = check(client, on="")

    assert response.context["on"] == timezone.localdate()
    assert len(response.context["current"]) == 1


@in_english
@pytest.mark.parametrize(
    ("params", "fields"),
    [
        ({"provider_category": "XYZ", "care_type": "hip-fracture"}, {"provider_category"}),
        ({"provider_category": "AZ", "care_type": ["hip-fracture", "nope"]}, {"care_type"}),
        ({"provider_category": "AZ", "care_type": "hip-fracture", "on": "31-31-2026"}, {"on"}),
        ({"on": "2026-01-01"}, {"provider_category", "care_type"}),
    ],
)
def test_checker_bad_input_gives_field_errors_not_500(client, care_type, params, fields):
    response = client.get(OBLIGATIONS_URL, params)

    assert response.status_code == 200
    assert set(response.context["form"].errors) == fields
    assert "results" not in response.context
    assert "Please correct the following" in response.content.decode()


# --- a constant number of queries --------------------------------------------------------------


@pytest.fixture(params=[3, 15], ids=["small", "large"])
def register_of_size(request, care_type):
    """``size`` included registries of the care type, each with ``size`` variables."""
    size = request.param
    for n in range(size):
        registry = RegistryFactory(acronym=f"q{n:02d}", care_types=[care_type, CareTypeFactory()])
        include(
            registry,
            variables={f"V{m:02d}": {"AZ": "base", "UMC": "plus"} for m in range(size)},
        )
    return size


def test_register_list_queries_do_not_grow_with_data(
    client, register_of_size, django_assert_max_num_queries
):
    with django_assert_max_num_queries(6):
        response = client.get(LIST_URL, {"provider_category": "AZ", "q": "q"})
    assert len(response.context["registries"]) == register_of_size


def test_registry_detail_queries_do_not_grow_with_data(
    client, register_of_size, django_assert_max_num_queries
):
    # registry, care types, decisions, the committees' advice (reviews.selectors.
    # registry_advice_standing), count, categories, variables, requirements, used categories
    with django_assert_max_num_queries(9):
        response = client.get(reverse("public:registry_detail", args=["q00"]))
    assert len(response.context["rows"]) == register_of_size


def test_checker_queries_do_not_grow_with_data(
    client, register_of_size, django_assert_max_num_queries
):
    with django_assert_max_num_queries(10):
        response = check(client, care_types=["hip-fracture"])
    assert len(response.context["current"]) == register_of_size
