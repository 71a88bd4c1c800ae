"""The review's variables page (/reviews/<pk>/variables/) and one variable's page."""

import re

import pytest
from django.urls import reverse

from register.constants import SubmissionStage
from register.models import AuditEntry, Variable
from reviews.constants import ReviewStatus
from reviews.judgements import judgement_record, judgements_bulk
from reviews.models import ConflictOfInterest, Review, VariableJudgement

from .test_judgements import (
    MOTIVATION,
    first_and_supplementary,
    make_version,
    review_of,
    submit,
    table_rows,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def list_url(review, **query):
    url = reverse("reviews:review_variables", kwargs={"pk": review.pk})
    if query:
        from urllib.parse import urlencode

        url += "?" + urlencode(query)
    return url


def variable_url(review, code):
    return reverse("reviews:variable_judgement", kwargs={"pk": review.pk, "code": code})


@pytest.fixture
def review(registry, registry_user):
    return review_of(submit(make_version(registry, registry_user, table_rows(60)), registry_user))


@pytest.fixture
def member(client, igc_user):
    client.force_login(igc_user)
    return igc_user


def codes(response):
    return [row.variable.code for row in response.context["table"].rows]


def ids(review, *codes):
    found = dict(
        Variable.objects.filter(dataset_version_id=review.dataset_version_id).values_list(
            "code", "pk"
        )
    )
    return [found[code] for code in codes]


# --- The list --------------------------------------------------------------------------------


def test_list_shows_nps_purposes_cells_and_judgement(client, member, review):
    judgement_record(
        review=review,
        actor=member,
        variable_id=ids(review, "V0000")[0],
        verdict="reject",
        **MOTIVATION,
    )
    response = client.get(list_url(review))
    assert response.status_code == 200
    content = response.content.decode()
    row = response.context["table"].rows[0]
    categories = [c.code for c in response.context["table"].categories]
    assert row.variable.code == "V0000"
    assert row.cells[categories.index("UMC")] == "plus"
    assert row.judgement.verdict == "reject"
    for text in ("Nodig voor indicator 0.", "Proportioneel 0.", "Geen alternatief 0."):
        assert text in content
    assert "<details" in content and MOTIVATION["necessity"] in content
    assert "further development of the measurement instrument" in content
    assert 'aria-current="page">Variables<' in content  # the section navigation
    summary = response.context["summary"]
    assert (summary.counts["reject"], summary.not_judged) == (1, 59)


def test_list_is_paginated_and_links_keep_the_filters(client, member, review):
    response = client.get(list_url(review, quasi="on"))
    assert response.context["page_obj"].paginator.count == 20
    response = client.get(list_url(review))
    assert len(codes(response)) == 50
    content = response.content.decode()
    assert "page=2" in content
    response = client.get(list_url(review, q="Variabele", judgement="none", page=2))
    assert len(codes(response)) == 10
    content = response.content.decode()
    prev = re.search(r'href="\?([^"]*)" rel="prev"', content).group(1)
    assert "q=Variabele" in prev and "judgement=none" in prev and "page=1" in prev
    # The link to a variable's page brings the filters back to the list.
    assert "?return=q%3DVariabele%26judgement%3Dnone%26page%3D2" in content


@pytest.mark.parametrize(
    "query, expected",
    [
        ({"q": "variabele 5"}, ["V0005", *[f"V005{n}" for n in range(10)]]),
        ({"plus": "on", "q": "V001"}, ["V0012", "V0016"]),
        ({"quasi": "on", "q": "V001"}, ["V0012", "V0015", "V0018"]),
        ({"personal": "on", "q": "V001"}, ["V0012", "V0015", "V0018"]),
        ({"judgement": "accept"}, ["V0001"]),
        ({"judgement": "question"}, ["V0002"]),
        ({"judgement": "none", "q": "V000"}, ["V0000", *[f"V000{n}" for n in range(3, 10)]]),
    ],
)
def test_each_filter(client, member, review, query, expected):
    judgement_record(
        review=review, actor=member, variable_id=ids(review, "V0001")[0], verdict="accept"
    )
    judgement_record(
        review=review,
        actor=member,
        variable_id=ids(review, "V0002")[0],
        verdict="question",
        **MOTIVATION,
    )
    response = client.get(list_url(review, **query))
    assert response.status_code == 200
    assert codes(response) == expected


def test_invalid_filter_is_shown_and_ignored(client, member, review):
    response = client.get(list_url(review, judgement="maybe"))
    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count == 60
    assert response.context["filter_form"].errors["judgement"]


def test_changed_filter_and_section_in_a_supplementary_review(
    client, member, registry, registry_user
):
    first_rows = table_rows(5)
    second_rows = table_rows(5)
    second_rows[1]["cells"] = {"AZ": "base", "UMC": "base", "STZ": "plus"}
    del second_rows[4]
    second_rows.append({"code": "NIEUW", "name": "Nieuwe variabele", "cells": {"AZ": "base"}})
    _first, second = first_and_supplementary(registry, registry_user, first_rows, second_rows)
    review = review_of(second)
    response = client.get(list_url(review))
    content = response.content.decode()
    assert "Changed since the first review" in content
    assert "1 variable added" in content and "1 variable removed" in content
    assert "1 variable changed" in content
    assert "Nieuwe variabele" in content and "V0004" in content  # added and removed listed
    assert "Requirement STZ" in content  # the cell change
    assert 'name="changed"' in content
    rows = {row.variable.code: row.change for row in response.context["table"].rows}
    assert rows == {"NIEUW": "added", "V0000": "", "V0001": "changed", "V0002": "", "V0003": ""}
    response = client.get(list_url(review, changed="on"))
    assert codes(response) == ["NIEUW", "V0001"]


def test_first_review_offers_no_changed_filter(client, member, review):
    content = client.get(list_url(review)).content.decode()
    assert 'name="changed"' not in content
    assert "Changed since the first review" not in content
    # Passed anyway, it is not a filter of this page: the whole list shows.
    assert client.get(list_url(review, changed="on")).context["page_obj"].paginator.count == 60


# --- Judging many at once --------------------------------------------------------------------


def test_bulk_judges_the_selected_rows(client, member, review):
    chosen = ids(review, "V0003", "V0004", "V0005")
    url = list_url(review, q="V00")
    response = client.post(
        url,
        {"variables": chosen, "scope": "selected", "verdict": "question", **MOTIVATION},
    )
    assert response.status_code == 302 and response["Location"] == url
    judged = VariableJudgement.objects.filter(review=review)
    assert sorted(judged.values_list("variable__code", flat=True)) == ["V0003", "V0004", "V0005"]
    assert set(judged.values_list("necessity", flat=True)) == {MOTIVATION["necessity"]}
    page = client.get(url).content.decode()
    assert "3 variables judged: question." in page
    assert AuditEntry.objects.filter(action="variable_judgement.bulk").count() == 1


def test_bulk_judges_all_matching_the_filter(client, member, review):
    url = list_url(review, quasi="on")
    response = client.post(url, {"scope": "matching", "verdict": "accept"})
    assert response.status_code == 302
    judged = VariableJudgement.objects.filter(review=review)
    assert judged.count() == 20  # every quasi-identifier, beyond the first page too
    assert set(judged.values_list("variable__personal_data", flat=True)) == {"quasi"}
    entry = AuditEntry.objects.get(action="variable_judgement.bulk")
    assert entry.changes["variable_count"] == 20
    label = client.get(url).context["bulk_form"].fields["scope"].choices[1][1]
    assert "20" in str(label)


def test_bulk_problems_are_shown_and_nothing_is_written(client, member, review):
    response = client.post(list_url(review), {"scope": "selected", "verdict": "reject"})
    assert response.status_code == 400
    content = response.content.decode()
    assert "Nothing has been judged" in content
    assert "Select at least one variable" in content
    assert "motivation for a rejection" in content
    assert not VariableJudgement.objects.exists()


def test_bulk_with_a_variable_of_another_version_is_400(
    client, member, review, registry, registry_user
):
    later = make_version(registry, registry_user, table_rows(1, start=90))
    foreign = later.variables.get().pk
    before = AuditEntry.objects.count()
    response = client.post(
        list_url(review),
        {"variables": [*ids(review, "V0001"), foreign], "scope": "selected", "verdict": "accept"},
    )
    assert response.status_code == 400
    assert "Variable V0090 belongs to another version" in response.content.decode()
    assert not VariableJudgement.objects.exists()
    assert AuditEntry.objects.count() == before


def test_advised_review_is_read_only(client, member, review):
    Review.objects.filter(pk=review.pk).update(status=ReviewStatus.ADVISED)
    response = client.get(list_url(review))
    assert response.status_code == 200
    assert response.context["bulk_form"] is None
    assert 'name="variables"' not in response.content.decode()
    response = client.post(list_url(review), {"scope": "matching", "verdict": "accept"})
    assert response.status_code == 409
    assert "can no longer be judged" in response.content.decode()
    response = client.post(
        variable_url(review, "V0001"),
        {"variable": ids(review, "V0001")[0], "verdict": "accept"},
    )
    assert response.status_code == 409
    assert not VariableJudgement.objects.exists()


# --- One variable ----------------------------------------------------------------------------


def test_variable_page_shows_the_registrys_texts_beside_the_form(client, member, review):
    response = client.get(variable_url(review, "V0004"))
    assert response.status_code == 200
    content = response.content.decode()
    for text in ("Nodig voor indicator 4.", "Proportioneel 4.", "Geen alternatief 4."):
        assert text in content
    assert 'name="verdict"' in content and 'name="subsidiarity"' in content
    assert f'value="{ids(review, "V0004")[0]}"' in content  # the hidden variable id
    assert "Requirements per provider category" in content


def test_variable_page_records_and_returns_to_the_filtered_list(client, member, review):
    variable_id = ids(review, "V0004")[0]
    response = client.post(
        variable_url(review, "V0004"),
        {
            "variable": variable_id,
            "verdict": "reject",
            "proportionality": "Te zwaar.",
            "return": "quasi=on&page=1",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == list_url(review) + "?quasi=on&page=1#variable-V0004"
    judgement = VariableJudgement.objects.get(review=review)
    assert (judgement.verdict, judgement.proportionality) == ("reject", "Te zwaar.")
    content = client.get(variable_url(review, "V0004")).content.decode()
    assert "Te zwaar." in content and "Change the judgement" in content


def test_return_is_only_ever_a_query_string(client, member, review):
    response = client.post(
        variable_url(review, "V0004"),
        {
            "variable": ids(review, "V0004")[0],
            "verdict": "accept",
            "return": "https://evil.example/",
        },
    )
    assert response.status_code == 302
    assert response["Location"].startswith(list_url(review))


def test_variable_page_problems_are_shown(client, member, review):
    response = client.post(
        variable_url(review, "V0004"), {"variable": ids(review, "V0004")[0], "verdict": "question"}
    )
    assert response.status_code == 400
    assert "motivation for a rejection or a question" in response.content.decode()
    response = client.post(variable_url(review, "V0004"), {"verdict": "accept"})
    assert response.status_code == 400
    assert "does not say which variable" in response.content.decode()
    assert not VariableJudgement.objects.exists()


def test_posting_a_variable_of_another_version_is_400_and_writes_nothing(
    client, member, review, registry, registry_user
):
    later = make_version(registry, registry_user, table_rows(2, start=0))
    foreign = later.variables.get(code="V0001").pk
    before = AuditEntry.objects.count()
    # The page of V0001, but the id of V0001 in another version (say, opened before a revision).
    response = client.post(
        variable_url(review, "V0001"), {"variable": foreign, "verdict": "accept"}
    )
    assert response.status_code == 400
    assert "Variable V0001 belongs to another version (version 2)" in response.content.decode()
    # A code the version under review does not have.
    response = client.post(
        variable_url(review, "ELDERS"), {"variable": foreign, "verdict": "accept"}
    )
    assert response.status_code == 400
    assert "Variable ELDERS is not in the version under review" in response.content.decode()
    assert not VariableJudgement.objects.exists()
    assert AuditEntry.objects.count() == before
    assert client.get(variable_url(review, "ELDERS")).status_code == 404


# --- Who may enter ---------------------------------------------------------------------------


def test_other_committee_gets_404_and_writes_nothing(client, dgc_user, review):
    client.force_login(dgc_user)
    variable_id = ids(review, "V0001")[0]
    assert client.get(list_url(review)).status_code == 404
    assert client.get(variable_url(review, "V0001")).status_code == 404
    response = client.post(list_url(review), {"scope": "matching", "verdict": "accept"})
    assert response.status_code == 404
    response = client.post(
        variable_url(review, "V0001"), {"variable": variable_id, "verdict": "accept"}
    )
    assert response.status_code == 404
    assert not VariableJudgement.objects.exists()


def test_conflicted_member_gets_404_and_writes_nothing(client, member, review):
    ConflictOfInterest.objects.create(review=review, member=member, reason="Betrokken.")
    assert client.get(list_url(review)).status_code == 404
    assert client.get(variable_url(review, "V0001")).status_code == 404
    response = client.post(list_url(review), {"scope": "matching", "verdict": "accept"})
    assert response.status_code == 404
    assert not VariableJudgement.objects.exists()


def test_anonymous_is_sent_to_login(client, review):
    assert client.get(list_url(review)).status_code == 302


# --- Speed and size --------------------------------------------------------------------------


def test_page_queries_do_not_grow_with_the_table(
    client,
    member,
    registry,
    other_registry,
    registry_user,
    other_registry_user,
    django_assert_max_num_queries,
):
    counts = {}
    for reg, user, size in (
        (registry, registry_user, 30),
        (other_registry, other_registry_user, 300),
    ):
        first_rows = table_rows(size)
        second_rows = table_rows(size)
        second_rows[0]["name"] = "Veranderd"
        _first, second = first_and_supplementary(reg, user, first_rows, second_rows)
        review = review_of(second)
        ids_ = list(review.dataset_version.variables.values_list("pk", flat=True))
        # Every third variable from the second on: none of them a quasi-identifier.
        judgements_bulk(review=review, actor=member, verdict="accept", variable_ids=ids_[1::3])
        url = list_url(review, quasi="on", judgement="none")
        client.get(url)  # warm the caches (content types, the diff of the two versions)
        with django_assert_max_num_queries(20) as captured:
            response = client.get(url)
        assert response.status_code == 200
        assert len(codes(response)) == min(50, size // 3)
        assert response.context["changes"].codes == {"V0000": "changed"}
        counts[size] = len(captured)
    assert counts[30] == counts[300]


def test_overview_shows_the_summary_and_links_to_the_variables(client, member, review):
    judgements_bulk(
        review=review, actor=member, verdict="accept", variable_ids=ids(review, "V0001", "V0002")
    )
    response = client.get(reverse("reviews:review_detail", kwargs={"pk": review.pk}))
    content = response.content.decode()
    assert response.status_code == 200
    assert list_url(review) in content
    assert "Judgements so far" in content
    assert response.context["summary"].counts["accept"] == 2
    assert "Nodig voor indicator 7." not in content  # the table itself has moved


def test_supplementary_stage_is_named(client, member, registry, registry_user):
    _first, second = first_and_supplementary(registry, registry_user, table_rows(2), table_rows(2))
    review = review_of(second)
    assert second.stage == SubmissionStage.SUPPLEMENTARY
    content = client.get(list_url(review)).content.decode()
    assert "have not changed since the first review" in content


def test_judging_all_matching_with_an_invalid_filter_judges_nothing(client, member, review):
    response = client.post(
        list_url(review, judgement="bogus"), {"scope": "matching", "verdict": "accept"}
    )
    assert response.status_code == 400
    assert "correct the filter first" in response.content.decode()
    assert not VariableJudgement.objects.filter(review=review).exists()
