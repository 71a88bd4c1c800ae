"""The committees' area /reviews/: who sees what, and recording advice."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from register.constants import SubmissionStage, SubmissionStatus
from register.models import AuditEntry, Document
from register.services import (
    dataset_version_create,
    dataset_version_submit,
    indicator_save,
    pseudonym_request_add,
    variable_save,
)
from reviews.advice import advice_document_render
from reviews.constants import AdviceOutcome, ReviewStatus
from reviews.models import Advice, Committee, Review
from tests.factories import UserFactory, advise, clean_dossier, committee_chair, criteria_all_met

# The assertions name the English texts; the portal's default language is Dutch.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

NPS = {
    "necessity": "Leeftijd is nodig voor casemixcorrectie van de uitkomstindicator.",
    "proportionality": "Alleen het geboortejaar wordt gevraagd, niet de datum.",
    "subsidiarity": "Er is geen minder ingrijpend gegeven dat hetzelfde doel dient.",
}


def _variable(code, name, **extra):
    return {"code": code, "name": name, "purposes": ["learn_improve", "case_mix"], **extra}


def _submit(registry, user, *, variables=1, stage=SubmissionStage.SUPPLEMENTARY, extras=False):
    version = dataset_version_create(registry=registry, actor=user, copy_previous=False)
    variable_save(
        dataset_version=version,
        actor=user,
        data=_variable(
            "LEEFTIJD",
            "Leeftijd bij opname",
            personal_data="quasi",
            generalisation="geboortejaar",
            **NPS,
        ),
        requirements={"AZ": "base", "UMC": "plus"},
    )
    for n in range(1, variables):
        variable_save(
            dataset_version=version,
            actor=user,
            data=_variable(f"V{n:03d}", f"Variabele {n}", necessity=f"Nodig {n}."),
            requirements={"AZ": "base"},
        )
    if extras:  # an indicator over every variable, a pseudonym request and a document
        codes = list(version.variables.values_list("code", flat=True))
        indicator_save(
            dataset_version=version,
            actor=user,
            code="IND1",
            name="Alle variabelen",
            variable_codes=codes,
        )
        indicator_save(
            dataset_version=version,
            actor=user,
            code="IND2",
            name="Leeftijd",
            variable_codes=["LEEFTIJD"],
        )
        pseudonym_request_add(
            dataset_version=version, actor=user, type="NGGV", justification="Koppeling."
        )
        Document.objects.create(
            registry=registry,
            kind="dpia",
            title="DPIA",
            file="documents/dpia.pdf",
            uploaded_by=user,
        )
    clean_dossier(version, stage)
    return dataset_version_submit(dataset_version=version, actor=user, stage=stage)


@pytest.fixture
def submission(registry, registry_user):
    return _submit(registry, registry_user)


@pytest.fixture
def igc_review(submission):
    return submission.reviews.get(committee__code="IGC")


@pytest.fixture
def dgc_review(submission):
    return submission.reviews.get(committee__code="DGC")


def detail_url(review):
    return reverse("reviews:review_detail", kwargs={"pk": review.pk})


def variables_url(review):
    """The variables under review have their own page (reviews.views_variables)."""
    return reverse("reviews:review_variables", kwargs={"pk": review.pk})


def advice_url(review):
    return reverse("reviews:advice_document", kwargs={"pk": review.pk})


def advice_page_url(review):
    return reverse("reviews:review_advice", kwargs={"pk": review.pk})


ADVICE = {
    "outcome": AdviceOutcome.POSITIVE,
    "motivation": "Het doel en de inhoud zijn goed onderbouwd.",
}


def draft(**fields):
    """The POST of the draft advice form on the advice page (deadline: today, the earliest)."""
    return {"action": "draft", "reaction_deadline": timezone.localdate().isoformat(), **fields}


# --- Who may enter ---------------------------------------------------------------------------


def test_anonymous_is_sent_to_login(client, igc_review):
    for url in (reverse("reviews:review_list"), detail_url(igc_review), advice_url(igc_review)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    "role_user", ["registry_user", "zin_user", "secretariat_user", "provider_user"]
)
def test_signed_in_without_committee_role_is_forbidden(client, igc_review, role_user, request):
    client.force_login(request.getfixturevalue(role_user))
    assert client.get(reverse("reviews:review_list")).status_code == 403
    assert client.get(detail_url(igc_review)).status_code == 403
    assert client.post(advice_page_url(igc_review), draft(**ADVICE)).status_code == 403
    assert not Advice.objects.exists()


def test_list_shows_only_own_committees_reviews(
    client, submission, other_registry, other_registry_user, igc_user, dgc_user
):
    other = _submit(other_registry, other_registry_user)
    client.force_login(igc_user)
    response = client.get(reverse("reviews:review_list"))
    assert response.status_code == 200
    reviews = list(response.context["reviews"])
    assert {r.committee.code for r in reviews} == {"IGC"}
    assert {r.submission_id for r in reviews} == {submission.pk, other.pk}
    content = response.content.decode()
    assert detail_url(submission.reviews.get(committee__code="IGC")) in content
    assert detail_url(submission.reviews.get(committee__code="DGC")) not in content

    client.force_login(dgc_user)
    reviews = list(client.get(reverse("reviews:review_list")).context["reviews"])
    assert {r.committee.code for r in reviews} == {"DGC"}


def test_list_filters_open_and_advised(
    client, submission, other_registry, other_registry_user, igc_user, igc_review
):
    _submit(other_registry, other_registry_user)
    advise(igc_review, actor=igc_user, **ADVICE)
    client.force_login(igc_user)

    def listed(query):
        return [r.pk for r in client.get(reverse("reviews:review_list"), query).context["reviews"]]

    assert listed({"status": "advised"}) == [igc_review.pk]
    assert igc_review.pk not in listed({"status": "open"}) and len(listed({"status": "open"})) == 1
    everything = listed({})
    assert len(everything) == 2 and everything[-1] == igc_review.pk  # open reviews first
    assert listed({"status": "nonsense"}) == everything  # an unknown filter shows all


def test_list_is_paginated_with_constant_queries(
    client, registry, registry_user, igc_user, django_assert_max_num_queries
):
    for _ in range(30):
        _submit(registry, registry_user)
    client.force_login(igc_user)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("reviews:review_list"))
    assert len(response.context["reviews"]) == 25
    assert response.context["page_obj"].paginator.num_pages == 2
    assert len(client.get(reverse("reviews:review_list"), {"page": 2}).context["reviews"]) == 5


def test_other_committee_member_gets_404_and_writes_nothing(client, dgc_review, igc_user):
    client.force_login(igc_user)
    assert client.get(detail_url(dgc_review)).status_code == 404
    assert client.get(advice_page_url(dgc_review)).status_code == 404
    assert client.post(advice_page_url(dgc_review), draft(**ADVICE)).status_code == 404
    dgc_review.refresh_from_db()
    assert dgc_review.status == ReviewStatus.OPEN
    assert not Advice.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="advice.").exists()


def test_unknown_review_is_404(client, igc_user):
    client.force_login(igc_user)
    assert client.get(reverse("reviews:review_detail", kwargs={"pk": 999999})).status_code == 404


# --- The submission under review -------------------------------------------------------------


def test_detail_shows_registry_variables_and_nps(
    client, registry, registry_user, submission, igc_review, igc_user
):
    client.force_login(igc_user)
    response = client.get(detail_url(igc_review))
    assert response.status_code == 200
    content = response.content.decode()
    assert registry.holder.name in content
    assert registry.data_processor in content
    assert registry.population in content
    # The advice form is on the advice page, since the review is open.
    assert f'href="{advice_page_url(igc_review)}"' in content and 'name="outcome"' not in content
    assert 'name="outcome"' in client.get(advice_page_url(igc_review)).content.decode()
    # The table moved to the variables page.
    response = client.get(variables_url(igc_review))
    assert response.status_code == 200
    content = response.content.decode()
    assert "LEEFTIJD" in content and "Leeftijd bij opname" in content
    for text in NPS.values():
        assert text in content
    assert "<details" in content and "geboortejaar" in content
    row = response.context["table"].rows[0]
    assert row.variable.code == "LEEFTIJD"
    categories = [c.code for c in response.context["table"].categories]
    assert row.cells[categories.index("AZ")] == "base"
    assert row.cells[categories.index("UMC")] == "plus"
    # LEEFTIJD is in the plus set: clean_dossier added the instrument purpose it needs.
    assert row.variable.purpose_labels == [
        "learning and improving",
        "case-mix correction",
        "further development of the measurement instrument",
    ]


def test_detail_shows_indicators_pseudonyms_and_documents(
    client, registry, registry_user, igc_user, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    version = dataset_version_create(registry=registry, actor=registry_user, copy_previous=False)
    variable_save(
        dataset_version=version,
        actor=registry_user,
        data=_variable("LEEFTIJD", "Leeftijd", **NPS),
        requirements={"AZ": "base"},
    )
    indicator_save(
        dataset_version=version,
        actor=registry_user,
        code="IND1",
        name="Mortaliteit binnen 30 dagen",
        variable_codes=["LEEFTIJD"],
    )
    pseudonym_request_add(
        dataset_version=version,
        actor=registry_user,
        type="NGGV",
        justification="Koppeling over de tijd.",
    )
    document = Document.objects.create(
        registry=registry,
        kind="dpia",
        title="DPIA 2026",
        file=ContentFile(b"%PDF-dpia", name="dpia.pdf"),
        uploaded_by=registry_user,
        confidential=True,
    )
    clean_dossier(version, SubmissionStage.FIRST)
    submission = dataset_version_submit(
        dataset_version=version, actor=registry_user, stage=SubmissionStage.FIRST
    )
    client.force_login(igc_user)
    content = client.get(detail_url(submission.reviews.get(committee__code="IGC"))).content.decode()
    assert "Mortaliteit binnen 30 dagen" in content
    assert "Koppeling over de tijd." in content
    assert "DPIA 2026" in content
    download = reverse("dossiers:document_download", kwargs={"pk": document.pk})
    assert f'href="{download}"' in content
    assert b"".join(client.get(download).streaming_content) == b"%PDF-dpia"


def test_detail_table_is_paginated_and_searchable(client, registry, registry_user, igc_user):
    submission = _submit(registry, registry_user, variables=60)
    review = submission.reviews.get(committee__code="IGC")
    client.force_login(igc_user)
    response = client.get(variables_url(review))
    assert len(response.context["table"].rows) == 50
    assert response.context["page_obj"].paginator.count == 60
    assert len(client.get(variables_url(review), {"page": 2}).context["table"].rows) == 10
    rows = client.get(variables_url(review), {"q": "leeftijd"}).context["table"].rows
    assert [r.variable.code for r in rows] == ["LEEFTIJD"]
    rows = client.get(variables_url(review), {"q": "V05"}).context["table"].rows
    assert [r.variable.code for r in rows] == [f"V05{n}" for n in range(10)]


def test_detail_query_count_does_not_grow_with_variables(
    client,
    registry,
    other_registry,
    registry_user,
    other_registry_user,
    igc_user,
    django_assert_max_num_queries,
):
    counts = {}
    client.force_login(igc_user)
    for reg, user, variables in (
        (registry, registry_user, 10),
        (other_registry, other_registry_user, 80),
    ):
        submission = _submit(reg, user, variables=variables, extras=True)
        review = submission.reviews.get(committee__code="IGC")
        client.get(detail_url(review))  # warm the content-type caches, as in a running server
        with django_assert_max_num_queries(15) as captured:
            response = client.get(detail_url(review))
        assert response.status_code == 200
        assert response.context["summary"].variables == variables  # the table has its own page
        counts[variables] = len(captured)
    assert counts[10] == counts[80]


# --- Recording the advice (on the advice page: draft, then definitive) ---------------------------


def test_member_records_advice(client, igc_review, igc_user):
    criteria_all_met(igc_review, igc_user)
    client.force_login(igc_user)
    response = client.post(advice_page_url(igc_review), draft(**ADVICE))
    assert response.status_code == 302 and response["Location"] == advice_page_url(igc_review)
    advice = Advice.objects.get(review=igc_review)
    assert advice.outcome == AdviceOutcome.POSITIVE
    assert advice.motivation == ADVICE["motivation"]
    assert advice.given_by == igc_user
    igc_review.refresh_from_db()
    assert igc_review.status == ReviewStatus.DRAFT_ADVICE
    entry = AuditEntry.objects.get(action="advice.draft")
    assert entry.actor == igc_user and entry.object_id == str(advice.pk)
    assert entry.changes == {
        "committee": "IGC",
        "outcome": "positive",
        "reaction_deadline": timezone.localdate().isoformat(),
        "review": {"status": ["open", "draft_advice"]},
    }

    # The chair concludes once the registry's deadline has passed (reviews.advice).
    client.force_login(committee_chair(igc_review.committee))
    advice.reaction_deadline = timezone.localdate() - timedelta(days=1)
    advice.save(update_fields=["reaction_deadline"])
    response = client.post(advice_page_url(igc_review), {"action": "conclude"})
    assert response.status_code == 302
    igc_review.refresh_from_db()
    assert igc_review.status == ReviewStatus.ADVISED

    client.force_login(igc_user)
    page = client.get(advice_page_url(igc_review)).content.decode()
    assert 'name="outcome"' not in page  # read-only now
    assert ADVICE["motivation"] in page
    assert advice_url(igc_review) not in page  # the PDF has not been rendered yet


def test_conditions_are_required_for_positive_with_conditions(client, igc_review, igc_user):
    criteria_all_met(igc_review, igc_user)
    client.force_login(igc_user)
    response = client.post(
        advice_page_url(igc_review),
        draft(outcome=AdviceOutcome.POSITIVE_WITH_CONDITIONS, motivation="Goed, mits."),
    )
    assert response.status_code == 400
    form = response.context["draft_form"]
    assert list(form.errors) == ["conditions"]
    content = response.content.decode()
    assert 'class="error-summary"' in content
    assert 'href="#id_conditions"' in content and "Conditions:" in content
    assert 'aria-invalid="true"' in content and 'id="id_conditions_error"' in content
    assert not Advice.objects.exists()
    igc_review.refresh_from_db()
    assert igc_review.status == ReviewStatus.OPEN

    response = client.post(
        advice_page_url(igc_review),
        draft(
            outcome=AdviceOutcome.POSITIVE_WITH_CONDITIONS,
            motivation="Goed, mits.",
            conditions="Binnen een jaar de plusset evalueren.",
        ),
    )
    assert response.status_code == 302
    assert Advice.objects.get().conditions == "Binnen een jaar de plusset evalueren."


def test_missing_outcome_and_motivation_are_named(client, igc_review, igc_user):
    client.force_login(igc_user)
    response = client.post(advice_page_url(igc_review), draft(outcome="", motivation="  "))
    assert set(response.context["draft_form"].errors) == {"outcome", "motivation"}
    content = response.content.decode()
    assert 'href="#id_outcome_0"' in content and 'href="#id_motivation"' in content
    assert not Advice.objects.exists()


def test_all_problems_are_shown_at_once(client, igc_review, igc_user):
    client.force_login(igc_user)
    response = client.post(
        advice_page_url(igc_review),
        draft(outcome=AdviceOutcome.POSITIVE_WITH_CONDITIONS, motivation=""),
    )
    assert set(response.context["draft_form"].errors) == {"motivation", "conditions"}
    assert not Advice.objects.exists()


def test_second_advice_is_refused_and_changes_nothing(client, igc_review, igc_user):
    advise(igc_review, actor=igc_user, **ADVICE)
    client.force_login(igc_user)
    entries = AuditEntry.objects.count()
    response = client.post(
        advice_page_url(igc_review),
        draft(outcome=AdviceOutcome.NEGATIVE, motivation="Toch niet."),
    )
    assert response.status_code == 409
    assert "definitive and can no longer be changed" in response.content.decode()
    advice = Advice.objects.get(review=igc_review)
    assert advice.outcome == AdviceOutcome.POSITIVE and advice.motivation == ADVICE["motivation"]
    assert AuditEntry.objects.count() == entries


def test_submission_becomes_advised_after_both_advices(
    client, submission, igc_review, dgc_review, igc_user, dgc_user, registry_user
):
    """Through the pages: a member drafts, the registry reacts, the chair concludes."""

    def advise_by_pages(review, member, fields):
        client.force_login(member)
        assert client.post(advice_page_url(review), draft(**fields)).status_code == 302
        advice = Advice.objects.get(review=review)
        client.force_login(registry_user)
        react = reverse(
            "dossiers:advice_react",
            kwargs={"acronym": submission.registry.acronym, "pk": advice.pk},
        )
        assert client.post(react, {"reaction": "Geen opmerkingen."}).status_code == 302
        client.force_login(committee_chair(review.committee))
        assert client.post(advice_page_url(review), {"action": "conclude"}).status_code == 302

    criteria_all_met(igc_review, igc_user)
    advise_by_pages(igc_review, igc_user, ADVICE)
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.IN_REVIEW
    advise_by_pages(
        dgc_review,
        dgc_user,
        {"outcome": AdviceOutcome.NEGATIVE, "motivation": "De NPS-onderbouwing schiet tekort."},
    )
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.ADVISED
    assert AuditEntry.objects.filter(
        action="submission.advised", object_id=str(submission.pk)
    ).exists()


# --- The advice document ---------------------------------------------------------------------


@pytest.fixture
def rendered_advice(igc_review, igc_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    advice = advise(igc_review, actor=igc_user, **ADVICE)
    advice.document.save("advies.pdf", ContentFile(b"%PDF-1.4 advice"), save=True)
    return advice


def test_advice_pdf_link_appears_once_rendered(client, rendered_advice, igc_review, igc_user):
    client.force_login(igc_user)
    assert advice_url(igc_review) in client.get(detail_url(igc_review)).content.decode()


@pytest.mark.parametrize(
    "role_user, allowed",
    [
        ("igc_user", True),
        ("registry_user", True),
        ("zin_user", True),
        ("secretariat_user", True),
        ("dgc_user", False),
        ("other_registry_user", False),
        ("provider_user", False),
    ],
)
def test_advice_pdf_download_permission(
    client, rendered_advice, igc_review, role_user, allowed, request
):
    client.force_login(request.getfixturevalue(role_user))
    response = client.get(advice_url(igc_review))
    if allowed:
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert "attachment" in response["Content-Disposition"]
        assert b"".join(response.streaming_content).startswith(b"%PDF-")
    else:
        assert response.status_code == 404


def test_advice_pdf_is_404_before_rendering(client, igc_review, igc_user):
    advise(igc_review, actor=igc_user, **ADVICE)
    client.force_login(igc_user)
    assert client.get(advice_url(igc_review)).status_code == 404


def test_advice_pdf_rendered_by_the_task_downloads(
    client, igc_review, igc_user, registry_user, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    advice = advise(igc_review, actor=igc_user, **ADVICE)
    advice_document_render(advice_id=advice.pk)
    client.force_login(registry_user)
    response = client.get(advice_url(igc_review))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_member_of_both_committees_sees_both(client, submission):
    user = UserFactory(email="both@example.org")
    for review in Review.objects.filter(submission=submission).select_related("committee__group"):
        user.groups.add(review.committee.group)
    client.force_login(user)
    reviews = client.get(reverse("reviews:review_list")).context["reviews"]
    assert {r.committee.code for r in reviews} == {"IGC", "DGC"}


# --- Admin -------------------------------------------------------------------------------------


def test_admin_pages_render_and_membership_follows_group(client, igc_review, igc_user):
    admin_user = UserFactory(email="admin@example.org", is_staff=True, is_superuser=True)
    advise(igc_review, actor=igc_user, **ADVICE)
    client.force_login(admin_user)
    for model in ("committee", "membership", "review", "advice"):
        assert client.get(reverse(f"admin:reviews_{model}_changelist")).status_code == 200
    assert (
        client.get(reverse("admin:reviews_review_change", args=[igc_review.pk])).status_code == 200
    )
    advice = Advice.objects.get()
    assert client.get(reverse("admin:reviews_advice_change", args=[advice.pk])).status_code == 200

    member = UserFactory(email="nieuw-lid@example.org")
    dgc = Committee.objects.get(code="DGC")
    response = client.post(
        reverse("admin:reviews_membership_add"),
        {"committee": dgc.pk, "user": member.pk, "perspective": "patients"},
    )
    assert response.status_code == 302
    assert member.groups.filter(pk=dgc.group_id).exists()
    assert AuditEntry.objects.filter(action="membership.save").exists()


def test_posted_advice_gets_its_pdf_after_commit(
    client, igc_review, igc_user, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    criteria_all_met(igc_review, igc_user)
    client.force_login(igc_user)
    client.post(advice_page_url(igc_review), draft(**ADVICE))
    Advice.objects.filter(review=igc_review).update(
        reaction_deadline=timezone.localdate() - timedelta(days=1)
    )
    client.force_login(committee_chair(igc_review.committee))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        client.post(advice_page_url(igc_review), {"action": "conclude"})
    assert len(callbacks) == 1
    assert advice_url(igc_review) in client.get(detail_url(igc_review)).content.decode()
    assert b"".join(client.get(advice_url(igc_review)).streaming_content).startswith(b"%PDF-")
