"""The secretariat's pages: the pipeline dashboard, assigning members, the XLSX overview."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from register.constants import SubmissionStage, SubmissionStatus
from register.models import Registry
from reviews.constants import (
    AdviceOutcome,
    CriterionRating,
    Perspective,
    Position,
    ReviewStatus,
    Verdict,
)
from reviews.models import (
    Assignment,
    ConflictOfInterest,
    CriterionAssessment,
    MemberPosition,
    ReviewNote,
    VariableJudgement,
)
from tests.factories import UserFactory, VariableFactory

from .test_pipeline import clarification, give_advice, in_process, member, review_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

DASHBOARD = reverse("reviews:secretariat_dashboard")
EXPORT = reverse("reviews:pipeline_export")
SECRET = "GEHEIM-INTERN"


def assign_url(review):
    return reverse("reviews:review_assign", kwargs={"pk": review.pk})


@pytest.fixture
def landscape():
    """HEUP in review (IGC overdue, DGC waiting for answers), NHR applied, LNAZ advised."""
    today = timezone.localdate()
    heup, _s = in_process(
        "heup",
        name="Dutch Hip Fracture Audit",
        holder_name="DICA",
        reviews={
            "IGC": {"due_date": today - datetime.timedelta(days=3)},
            "DGC": {"status": ReviewStatus.CLARIFICATION, "paused_since": today},
        },
    )
    clarification(review_of(heup, "DGC"), deadline=today + datetime.timedelta(days=10))
    in_process("nhr", name="Nederlandse Hart Registratie", status=SubmissionStatus.APPLIED)
    lnaz, _s = in_process(
        "lnaz",
        stage=SubmissionStage.FIRST,
        status=SubmissionStatus.ADVISED,
        reviews={"IGC": {"status": ReviewStatus.ADVISED}, "DGC": {"status": ReviewStatus.ADVISED}},
    )
    give_advice(review_of(lnaz, "IGC"), AdviceOutcome.POSITIVE)
    give_advice(review_of(lnaz, "DGC"), AdviceOutcome.NEGATIVE, definitive=False)
    return {"heup": heup, "lnaz": lnaz}


@pytest.fixture
def sec(client, secretariat_user):
    client.force_login(secretariat_user)
    return client


# --- Who may enter ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role", ["igc_user", "dgc_user", "registry_user", "zin_user", "provider_user", "superuser"]
)
def test_other_roles_are_refused(client, landscape, role, request):
    client.force_login(request.getfixturevalue(role))
    review = review_of(landscape["heup"], "IGC")
    for url in (DASHBOARD, EXPORT, assign_url(review)):
        assert client.get(url).status_code == 403, url
    assert client.post(assign_url(review), {"members": []}).status_code == 403
    assert not Assignment.objects.exists()


def test_anonymous_is_sent_to_login(client, landscape):
    for url in (DASHBOARD, EXPORT, assign_url(review_of(landscape["heup"], "IGC"))):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_navigation_links_the_dashboard_for_the_secretariat_only(client, sec, igc_user):
    assert DASHBOARD in sec.get(reverse("home")).content.decode()
    client.force_login(igc_user)
    assert DASHBOARD not in client.get(reverse("home")).content.decode()


# --- The dashboard ---------------------------------------------------------------------------


def test_dashboard_shows_counts_and_every_registry_in_the_process(sec, landscape):
    response = sec.get(DASHBOARD)
    assert response.status_code == 200
    page = response.content.decode()
    counts = response.context["counts"]
    assert counts == {"in_review": 1, "waiting_for_registry": 1, "overdue": 1, "advised": 1}
    assert [row.registry.acronym for row in response.context["rows"]] == ["heup", "lnaz", "nhr"]
    assert "Dutch Hip Fracture Audit" in page and "DICA" in page
    assert "3 days overdue" in page
    assert "clock paused" in page
    assert "waiting for the registry&#x27;s answers" in page  # the DGC's status
    assert assign_url(review_of(landscape["heup"], "IGC")) in page
    # A concluded review offers no assignment.
    assert assign_url(review_of(landscape["lnaz"], "IGC")) not in page
    assert "negative" in page and "(draft)" in page and "(definitive)" in page


def test_dashboard_filters(sec, landscape):
    def acronyms(query):
        response = sec.get(DASHBOARD, query)
        assert response.status_code == 200
        return [row.registry.acronym for row in response.context["rows"]]

    assert acronyms({"q": "hart"}) == ["nhr"]
    assert acronyms({"overdue": "on"}) == ["heup"]
    assert acronyms({"stage": "first"}) == ["lnaz"]
    assert acronyms({"stage": "application"}) == ["nhr"]
    assert acronyms({"committee": "DGC"}) == ["heup"]
    assert acronyms({"committee": "IGC", "q": "nhr"}) == []
    # The export link keeps the filters.
    response = sec.get(DASHBOARD, {"q": "hart", "page": "1"})
    assert f"{EXPORT}?q=hart" in response.content.decode()


def test_a_wrong_filter_is_named_and_the_others_still_apply(sec, landscape):
    response = sec.get(DASHBOARD, {"stage": "nonsense", "q": "heup"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "error-summary" in page and 'href="#id_stage"' in page
    assert [row.registry.acronym for row in response.context["rows"]] == ["heup"]


def test_dashboard_is_paginated_with_constant_queries(sec):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def populate(start, end):
        for k in range(start, end):
            registry, _s = in_process(f"r{k:03d}", reviews={"IGC": {}, "DGC": {}})
            Assignment.objects.create(
                review=review_of(registry, "IGC"), member=UserFactory(), assigned_by=UserFactory()
            )

    populate(0, 3)
    with CaptureQueriesContext(connection) as small:
        assert sec.get(DASHBOARD).status_code == 200
    populate(3, 30)
    with CaptureQueriesContext(connection) as large:
        response = sec.get(DASHBOARD)
    assert len(response.context["rows"]) == 25
    assert len(small) == len(large)
    assert sec.get(DASHBOARD, {"page": "2"}).context["rows"][0].registry.acronym == "r025"


def test_the_secretariat_never_sees_the_reviews_internals(sec, landscape, secretariat_user):
    review = review_of(landscape["heup"], "IGC")
    lnaz_igc = review_of(landscape["lnaz"], "IGC")
    colleague = member("IGC")
    variable = VariableFactory(dataset_version=review.submission.dataset_version)
    criterion = review.committee.catalogues.first().criteria.first()
    now = timezone.now()
    CriterionAssessment.objects.create(
        review=review,
        criterion=criterion,
        rating=CriterionRating.INSUFFICIENT,
        motivation=f"{SECRET} criterium",
        assessed_by=colleague,
        assessed_at=now,
    )
    VariableJudgement.objects.create(
        review=review,
        variable=variable,
        verdict=Verdict.REJECT,
        necessity=f"{SECRET} oordeel",
        judged_by=colleague,
        judged_at=now,
    )
    ReviewNote.objects.create(review=review, author=colleague, text=f"{SECRET} notitie")
    MemberPosition.objects.create(
        advice=lnaz_igc.advice,
        member=colleague,
        position=Position.DISAGREE,
        note=f"{SECRET} standpunt",
        recorded_at=now,
    )
    ConflictOfInterest.objects.create(review=review, member=colleague, reason=f"{SECRET} reden")

    for url in (DASHBOARD, assign_url(review), assign_url(lnaz_igc)):
        page = sec.get(url).content.decode()
        assert SECRET not in page, url
        assert "Intern: de motivering" not in page  # the advice's motivation
    workbook = load_workbook(io.BytesIO(sec.get(EXPORT).content))
    texts = [str(c.value) for row in workbook.active.iter_rows() for c in row if c.value]
    assert not any(SECRET in text or "Intern:" in text for text in texts)
    # And the review pages themselves stay closed to the secretariat.
    assert sec.get(reverse("reviews:review_detail", kwargs={"pk": review.pk})).status_code == 403


# --- The XLSX overview ---------------------------------------------------------------------


def test_export_is_a_real_workbook_with_dutch_headers_dates_and_filters(sec, landscape):
    response = sec.get(EXPORT)
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "attachment;" in response["Content-Disposition"]
    assert "overzicht-kwaliteitsregistraties" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]

    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook.active
    assert workbook.properties.title == "Overzicht kwaliteitsregistraties"
    assert sheet.title == "Kwaliteitsregistraties"
    headers = [cell.value for cell in sheet[1]]
    assert headers[:8] == [
        "Acroniem",
        "Naam",
        "Registratiehouder",
        "Fase",
        "Toets",
        "Versie",
        "Ingediend",
        "Over tijd",
    ]
    assert "IGC uiterste datum" in headers and "DGC deadline verduidelijking" in headers
    assert "IGC toegewezen leden" in headers and "DGC advies definitief" in headers
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "B2"
    assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, len(headers)).column_letter}4"
    assert sheet.column_dimensions["B"].width == 40

    rows = {r[0]: dict(zip(headers, r, strict=True)) for r in sheet.iter_rows(2, values_only=True)}
    assert set(rows) == {"HEUP", "NHR", "LNAZ"}
    heup = rows["HEUP"]
    assert heup["Naam"] == "Dutch Hip Fracture Audit"
    assert heup["Fase"] == "supplementary review"
    assert heup["Over tijd"] == "ja"
    assert isinstance(heup["IGC uiterste datum"], datetime.datetime)  # a date, not text
    assert heup["IGC uiterste datum"].date() == review_of(landscape["heup"], "IGC").due_date
    assert heup["IGC dagen resterend"] == -3
    assert isinstance(heup["DGC deadline verduidelijking"], datetime.datetime)
    assert heup["DGC ligt bij"] == "registry"
    assert isinstance(heup["Ingediend"], datetime.datetime)
    date_cell = next(c for c in sheet[2] if isinstance(c.value, datetime.datetime))
    assert date_cell.number_format == "DD-MM-YYYY"
    lnaz = rows["LNAZ"]
    assert lnaz["IGC advies"] == "positive" and lnaz["IGC advies definitief"] == "ja"
    assert lnaz["DGC advies"] == "negative" and lnaz["DGC advies definitief"] == "nee"
    assert rows["NHR"]["IGC status"] is None  # no reviews on an application of this test


def test_export_follows_the_filters(sec, landscape):
    sheet = load_workbook(io.BytesIO(sec.get(EXPORT, {"overdue": "on"}).content)).active
    assert [row[0] for row in sheet.iter_rows(2, values_only=True)] == ["HEUP"]


def test_export_never_writes_a_formula(sec):
    in_process(
        "evil",
        name='=HYPERLINK("http://evil.example/","klik")',
        holder_name="@SUM(1+1)",
        reviews={"IGC": {}},
    )
    colleague = member("IGC")
    colleague.first_name, colleague.last_name = "-2+3", ""
    colleague.save()
    registry_review = review_of(Registry.objects.get(acronym="evil"), "IGC")
    Assignment.objects.create(review=registry_review, member=colleague, assigned_by=UserFactory())

    sheet = load_workbook(io.BytesIO(sec.get(EXPORT).content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert not any(cell.data_type == "f" for cell in cells)
    values = [cell.value for cell in cells]
    assert '\'=HYPERLINK("http://evil.example/","klik")' in values
    assert "'@SUM(1+1)" in values
    assert "'-2+3" in values


# --- Assigning members -----------------------------------------------------------------------


@pytest.fixture
def committee_members():
    return {
        "patient": member("IGC", Perspective.PATIENTS, email="igc-patient1@example.org"),
        "chair": member(
            "IGC", Perspective.PROFESSIONALS, email="igc-chair@example.org", is_chair=True
        ),
        "insurer": member("IGC", Perspective.INSURERS, email="igc-insurer1@example.org"),
        "dgc": member("DGC", Perspective.PATIENTS, email="dgc-patient1@example.org"),
    }


def test_assign_page_groups_members_by_perspective_and_marks_the_chair(
    sec, landscape, committee_members
):
    review = review_of(landscape["heup"], "IGC")
    ConflictOfInterest.objects.create(
        review=review, member=committee_members["insurer"], reason="Adviseur."
    )
    response = sec.get(assign_url(review))
    assert response.status_code == 200
    page = response.content.decode()
    legends = [g["label"] for g in response.context["groups"]]
    assert legends == ["patients", "care professionals", "health insurers"]
    assert "Perspective: patients" in page and "Perspective: health insurers" in page
    assert 'class="tag tag-info">chair</span>' in page
    chair_label = page.split('for="id_members_')[2].split("</label>")[0]  # patients come first
    assert "igc-chair@example.org" in chair_label and "chair" in chair_label
    assert "dgc-patient1@example.org" not in page  # the other committee's member
    conflicted_input = page.split(f'value="{committee_members["insurer"].pk}"')[1].split(">")[0]
    assert "disabled" in conflicted_input
    assert "declared a conflict of interest" in page
    assert 'id="id_members_0"' in page  # the error summary's anchor exists


def test_assigning_members_in_the_page(sec, landscape, committee_members, secretariat_user):
    review = review_of(landscape["heup"], "IGC")
    chosen = [committee_members["patient"].pk, committee_members["chair"].pk]
    response = sec.post(assign_url(review), {"members": chosen})
    assert response.status_code == 302 and response["Location"] == DASHBOARD
    assert set(review.members.values_list("pk", flat=True)) == set(chosen)
    page = sec.get(DASHBOARD).content.decode()
    assert "have been saved" in page
    # The page shows the current choice when it is opened again.
    page = sec.get(assign_url(review)).content.decode()
    patient_input = page.split(f'value="{committee_members["patient"].pk}"')[1].split(">")[0]
    assert "checked" in patient_input


def test_assigning_a_conflicted_member_is_refused_with_a_named_error(
    sec, landscape, committee_members
):
    review = review_of(landscape["heup"], "IGC")
    ConflictOfInterest.objects.create(
        review=review, member=committee_members["insurer"], reason="Adviseur."
    )
    response = sec.post(
        assign_url(review),
        {"members": [committee_members["patient"].pk, committee_members["insurer"].pk]},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "error-summary" in page and 'href="#id_members_0"' in page
    assert "igc-insurer1@example.org declared a conflict of interest" in page
    assert not Assignment.objects.exists()


def test_assigning_a_member_of_the_other_committee_is_refused(sec, landscape, committee_members):
    review = review_of(landscape["heup"], "IGC")
    response = sec.post(assign_url(review), {"members": [committee_members["dgc"].pk]})
    assert response.status_code == 400
    assert "Choose members of the committee" in response.content.decode()
    response = sec.post(assign_url(review), {"members": ["not-a-number"]})
    assert response.status_code == 400
    assert not Assignment.objects.exists()


def test_a_concluded_review_cannot_be_reassigned_in_the_page(sec, landscape, committee_members):
    review = review_of(landscape["lnaz"], "IGC")
    page = sec.get(assign_url(review)).content.decode()
    assert "can no longer change" in page and '<form method="post" class="advice-form' not in page
    response = sec.post(assign_url(review), {"members": [committee_members["patient"].pk]})
    assert response.status_code == 409
    assert not Assignment.objects.exists()


def test_assign_page_of_an_unknown_review_is_404(sec):
    assert sec.get(reverse("reviews:review_assign", kwargs={"pk": 999999})).status_code == 404
