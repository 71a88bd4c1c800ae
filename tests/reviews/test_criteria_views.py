"""The criteria pages: /reviews/<pk>/criteria/ for the committee, /reviews/catalogues/ for the
secretariat."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from register.models import AuditEntry
from register.services import registry_staff_add
from reviews.constants import CatalogueStage, CriterionRating, ReviewStatus
from reviews.criteria import catalogue_publish, criteria_assess_bulk
from reviews.models import (
    Committee,
    ConflictOfInterest,
    CriteriaCatalogue,
    Criterion,
    CriterionAssessment,
    Review,
)
from tests.factories import RegistryFactory, UserFactory

from .test_criteria import submit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

SUF, MOD, INS = CriterionRating.SUFFICIENT, CriterionRating.MODERATE, CriterionRating.INSUFFICIENT


@pytest.fixture
def submission(registry, registry_user):
    return submit(registry, registry_user)


@pytest.fixture
def igc_review(submission):
    return submission.reviews.get(committee__code="IGC")


@pytest.fixture
def dgc_review(submission):
    return submission.reviews.get(committee__code="DGC")


def url(review):
    return reverse("reviews:review_criteria", kwargs={"pk": review.pk})


def criteria_of(review):
    return list(Criterion.objects.filter(catalogue_id=review.catalogue_id))


def igc_post(review, **ratings):
    """Form data rating every criterion sufficient, except the codes given."""
    data = {}
    for c in criteria_of(review):
        data[f"c{c.pk}_rating"] = ratings.get(c.code.replace("-", "_"), SUF)
        data[f"c{c.pk}_motivation"] = f"Motivatie {c.code}."
    return data


def page(client, review):
    response = client.get(url(review))
    assert response.status_code == 200
    return response.content.decode()


# --- The committee's page -------------------------------------------------------------------------


def test_igc_page_shows_the_catalogue_version_and_rates_per_criterion(client, igc_user, igc_review):
    client.force_login(igc_user)
    html = page(client, igc_review)
    assert "Criteria catalogue IGC supplementary review, version 1" in html
    assert 'aria-current="page">Criteria<' in html
    for c in criteria_of(igc_review):
        assert f'id="criterion-{c.pk}"' in html
        assert f"{c.code} {c.title}" in html
        assert f'name="c{c.pk}_rating" value="insufficient"' in html
        assert f'name="c{c.pk}_motivation"' in html
        assert f'name="c{c.pk}_minimum_met"' not in html
    assert html.count(">knock-out<") == 2  # IGC-2, IGC-9
    assert "Knock-out criteria not yet assessed" in html


def test_dgc_page_asks_whether_the_minimum_is_met_and_the_growth_path(client, dgc_user, dgc_review):
    client.force_login(dgc_user)
    html = page(client, dgc_review)
    assert "Criteria catalogue DGC supplementary review, version 1" in html
    dgc3 = Criterion.objects.get(catalogue_id=dgc_review.catalogue_id, code="DGC-3")
    assert dgc3.minimum_requirement in html and dgc3.growth_path in html
    assert f'name="c{dgc3.pk}_minimum_met" value="yes"' in html
    assert f'name="c{dgc3.pk}_growth_path_note"' in html
    assert f'name="c{dgc3.pk}_rating"' not in html


def test_saving_all_criteria_in_one_post_and_the_knockout_banner(client, igc_user, igc_review):
    client.force_login(igc_user)
    response = client.post(url(igc_review), igc_post(igc_review, IGC_9=INS, IGC_4=MOD))
    assert response.status_code == 302 and response.url == url(igc_review)
    assessments = CriterionAssessment.objects.filter(review=igc_review)
    assert assessments.count() == len(criteria_of(igc_review))
    assert assessments.get(criterion__code="IGC-9").rating == INS
    html = page(client, igc_review)
    assert "The criteria have been saved." in html
    assert "A positive advice is not possible" in html
    assert "IGC-9" in html.split("A positive advice is not possible")[1].split("</div>")[0]
    # The saved values are shown in the form again.
    igc4 = Criterion.objects.get(catalogue_id=igc_review.catalogue_id, code="IGC-4")
    assert f'name="c{igc4.pk}_rating" value="moderate" id="id_c{igc4.pk}_rating_1" checked' in html
    # Every knock-out met: no banner against a positive advice.
    client.post(url(igc_review), igc_post(igc_review, IGC_9=MOD))
    html = page(client, igc_review)
    assert "A positive advice is not possible" not in html
    assert "Every knock-out criterion is met" in html


def test_dgc_saves_minimum_met_and_growth_path(client, dgc_user, dgc_review):
    client.force_login(dgc_user)
    dgc1 = Criterion.objects.get(catalogue_id=dgc_review.catalogue_id, code="DGC-1")
    dgc3 = Criterion.objects.get(catalogue_id=dgc_review.catalogue_id, code="DGC-3")
    response = client.post(
        url(dgc_review),
        {
            f"c{dgc1.pk}_minimum_met": "no",
            f"c{dgc1.pk}_motivation": "Geen verwerkersovereenkomst.",
            f"c{dgc3.pk}_minimum_met": "yes",
            f"c{dgc3.pk}_growth_path_note": "NEN 7510 in 2027.",
        },
    )
    assert response.status_code == 302
    saved = {a.criterion.code: a for a in CriterionAssessment.objects.filter(review=dgc_review)}
    assert set(saved) == {"DGC-1", "DGC-3"}  # criteria left empty stay not yet assessed
    assert saved["DGC-1"].minimum_met is False
    assert saved["DGC-3"].growth_path_note == "NEN 7510 in 2027."
    html = page(client, dgc_review)
    assert "A positive advice is not possible" in html


def test_validation_names_the_criterion_and_field_and_saves_nothing(client, igc_user, igc_review):
    client.force_login(igc_user)
    data = igc_post(igc_review)
    igc3 = Criterion.objects.get(catalogue_id=igc_review.catalogue_id, code="IGC-3")
    igc5 = Criterion.objects.get(catalogue_id=igc_review.catalogue_id, code="IGC-5")
    del data[f"c{igc3.pk}_rating"]  # a motivation without a rating
    data[f"c{igc5.pk}_rating"] = "excellent"
    response = client.post(url(igc_review), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "The criteria have not been saved" in html
    assert (
        f'<a href="#id_c{igc3.pk}_rating_0">IGC-3 — rating: choose sufficient, moderate or '
        "insufficient.</a>" in html
    )
    assert f'<a href="#id_c{igc5.pk}_rating_0">IGC-5 — rating:' in html
    assert not CriterionAssessment.objects.exists()
    assert not AuditEntry.objects.filter(action="criterion.assess").exists()


def test_dgc_validation_names_the_criterion(client, dgc_user, dgc_review):
    client.force_login(dgc_user)
    dgc2 = Criterion.objects.get(catalogue_id=dgc_review.catalogue_id, code="DGC-2")
    response = client.post(url(dgc_review), {f"c{dgc2.pk}_growth_path_note": "FG in 2026."})
    assert response.status_code == 200
    assert "DGC-2 — minimum requirement met: choose yes or no." in response.content.decode()
    assert not CriterionAssessment.objects.exists()


@pytest.mark.parametrize("status", [ReviewStatus.DRAFT_ADVICE, ReviewStatus.ADVISED])
def test_page_is_read_only_once_a_draft_advice_went_out(client, igc_user, igc_review, status):
    client.force_login(igc_user)
    criteria_assess_bulk(
        review=igc_review,
        actor=igc_user,
        entries=[
            {"criterion": c, "rating": SUF, "motivation": "Prima."} for c in criteria_of(igc_review)
        ],
    )
    Review.objects.filter(pk=igc_review.pk).update(status=status)
    html = page(client, igc_review)
    assert '<form method="post" action="' + url(igc_review) not in html
    assert 'type="radio"' not in html
    assert "shown read-only" in html and "Prima." in html
    before = AuditEntry.objects.count()
    response = client.post(url(igc_review), igc_post(igc_review, IGC_1=INS))
    assert response.status_code == 409
    assert "can no longer be changed" in response.content.decode()
    assert not CriterionAssessment.objects.filter(rating=INS).exists()
    assert AuditEntry.objects.count() == before


def test_another_committee_gets_404_and_writes_nothing(client, dgc_user, igc_review):
    client.force_login(dgc_user)
    assert client.get(url(igc_review)).status_code == 404
    assert client.post(url(igc_review), igc_post(igc_review)).status_code == 404
    assert not CriterionAssessment.objects.exists()


def test_member_with_a_conflict_of_interest_gets_404(client, igc_user, igc_review):
    ConflictOfInterest.objects.create(review=igc_review, member=igc_user, reason="Adviseur.")
    client.force_login(igc_user)
    assert client.get(url(igc_review)).status_code == 404
    assert client.post(url(igc_review), igc_post(igc_review)).status_code == 404
    assert not CriterionAssessment.objects.exists()


def test_review_overview_shows_the_catalogue_version(client, igc_user, igc_review):
    client.force_login(igc_user)
    response = client.get(reverse("reviews:review_detail", kwargs={"pk": igc_review.pk}))
    html = response.content.decode()
    assert "Criteria catalogue IGC supplementary review, version 1" in html
    assert f'href="{url(igc_review)}"' in html


def test_criteria_page_takes_the_same_queries_for_5_and_15_criteria(
    client, igc_user, secretariat_user, registry_user, care_type
):
    committee = Committee.objects.get(code="IGC")
    client.force_login(igc_user)
    counts = []
    for size in (5, 15):
        catalogue_publish(
            committee=committee,
            stage=CatalogueStage.SUPPLEMENTARY,
            actor=secretariat_user,
            note=f"{size} criteria.",
            criteria=[
                {"code": f"K-{n}", "title": f"Criterium {n}", "knockout": n == 1}
                for n in range(1, size + 1)
            ],
        )
        registry = RegistryFactory(acronym=f"reg{size}", care_types=[care_type])
        staff = UserFactory()
        registry_staff_add(registry=registry, user=staff)
        review = submit(registry, staff).reviews.get(committee__code="IGC")
        criteria = criteria_of(review)
        assert len(criteria) == size
        criteria_assess_bulk(
            review=review,
            actor=igc_user,
            entries=[{"criterion": c, "rating": MOD, "motivation": "m"} for c in criteria],
        )
        with CaptureQueriesContext(connection) as captured:
            html = page(client, review)
        assert html.count('type="radio"') == 3 * size
        counts.append(len(captured))
    assert counts[0] == counts[1], counts
    assert counts[0] <= 15


# --- The secretariat's catalogue pages ------------------------------------------------------------


def catalogue(code="IGC", stage=CatalogueStage.SUPPLEMENTARY, version=1):
    return CriteriaCatalogue.objects.get(committee__code=code, stage=stage, version=version)


def formset_data(catalogue_, rows, note="Wijziging.", extra=0):
    data = {
        "criteria-TOTAL_FORMS": str(len(rows) + extra),
        "criteria-INITIAL_FORMS": str(catalogue_.criteria.count()),
        "criteria-MIN_NUM_FORMS": "0",
        "criteria-MAX_NUM_FORMS": "1000",
        "note": note,
    }
    for index, row in enumerate(rows):
        for name, value in row.items():
            if name in {"knockout", "DELETE"}:
                if value:
                    data[f"criteria-{index}-{name}"] = "on"
            else:
                data[f"criteria-{index}-{name}"] = value
    return data


def rows_of(catalogue_):
    return [
        {
            "code": c.code,
            "title": c.title,
            "description": c.description,
            "minimum_requirement": c.minimum_requirement,
            "growth_path": c.growth_path,
            "knockout": c.knockout,
            "position": str(n),
        }
        for n, c in enumerate(catalogue_.criteria.all(), start=1)
    ]


def test_catalogue_list_shows_current_and_older_versions(client, secretariat_user):
    v1 = catalogue()
    rows = rows_of(v1)
    rows[0]["title"] = "Anders"
    catalogue_publish(
        committee=v1.committee, stage=v1.stage, actor=secretariat_user, note="n", criteria=rows
    )
    client.force_login(secretariat_user)
    response = client.get(reverse("reviews:catalogue_list"))
    assert response.status_code == 200
    html = response.content.decode()
    for heading in ("IGC-first", "IGC-supplementary", "DGC-first", "DGC-supplementary"):
        assert f'id="{heading.lower()}"' in html
    assert "Criteria catalogue IGC supplementary review, version 2" in html
    assert f'href="{reverse("reviews:catalogue_detail", kwargs={"pk": v1.pk})}"' in html


def test_catalogue_detail_shows_criteria_and_whether_current(client, secretariat_user):
    v1 = catalogue("DGC")
    client.force_login(secretariat_user)
    html = client.get(reverse("reviews:catalogue_detail", kwargs={"pk": v1.pk})).content.decode()
    assert "Criteria catalogue DGC supplementary review, version 1" in html
    assert "DGC-1 Verwerkersovereenkomst" in html
    assert ">current<" in html


def test_new_version_form_is_prefilled_and_publishing_adds_changes_and_drops(
    client, secretariat_user, igc_review
):
    v1 = catalogue()
    client.force_login(secretariat_user)
    new_url = reverse("reviews:catalogue_new_version", kwargs={"pk": v1.pk})
    html = client.get(new_url).content.decode()
    assert 'value="IGC-1"' in html and 'name="criteria-TOTAL_FORMS" value="12"' in html
    rows = rows_of(v1)
    rows[2]["title"] = "Draagvlak bij alle partijen"
    rows[8]["DELETE"] = True  # drop IGC-9
    rows.append({"code": "IGC-10", "title": "Openbaarheid", "knockout": True, "position": "0"})
    response = client.post(new_url, formset_data(v1, rows, note="IGC-10 erbij.", extra=2))
    v2 = catalogue(version=2)
    assert response.status_code == 302
    assert response.url == reverse("reviews:catalogue_detail", kwargs={"pk": v2.pk})
    codes = list(v2.criteria.values_list("code", flat=True))
    assert codes[0] == "IGC-10"  # position 0 puts it first
    assert "IGC-9" not in codes and len(codes) == 9
    assert v2.criteria.get(code="IGC-3").title == "Draagvlak bij alle partijen"
    assert v2.note == "IGC-10 erbij."
    assert catalogue().criteria.count() == 9  # version 1 unchanged
    igc_review.refresh_from_db()
    assert igc_review.catalogue == v1
    assert AuditEntry.objects.filter(action="catalogue.publish").count() == 1


def test_new_version_errors_name_the_row_and_field_and_publish_nothing(client, secretariat_user):
    v1 = catalogue()
    client.force_login(secretariat_user)
    rows = rows_of(v1)
    rows[1]["code"] = "IGC-1"  # a duplicate
    rows[3]["title"] = ""
    rows[4]["position"] = "vijf"
    rows.append({"code": "", "title": "Zonder code"})
    new_url = reverse("reviews:catalogue_new_version", kwargs={"pk": v1.pk})
    response = client.post(new_url, formset_data(v1, rows, note=""))
    assert response.status_code == 200
    html = response.content.decode()
    assert "The new version has not been published" in html
    assert '<a href="#id_criteria-4-position">Row 5 — position: give a whole number.</a>' in html
    assert not CriteriaCatalogue.objects.filter(version=2).exists()
    # With the position fixed, the service's rules name every remaining problem at once.
    rows[4]["position"] = "5"
    html = client.post(new_url, formset_data(v1, rows, note="")).content.decode()
    assert '<a href="#id_criteria-1-code">IGC-1 — code: used twice' in html
    assert '<a href="#id_criteria-3-title">IGC-4 — title: give the criterion a title.</a>' in html
    assert '<a href="#id_criteria-9-code">Row 10 — code: give the criterion a code.</a>' in html
    assert '<a href="#id_note">What changed: say what changed in this version.</a>' in html
    assert not CriteriaCatalogue.objects.filter(version=2).exists()
    assert not AuditEntry.objects.filter(action="catalogue.publish").exists()


def test_new_version_without_changes_is_refused(client, secretariat_user):
    v1 = catalogue()
    client.force_login(secretariat_user)
    new_url = reverse("reviews:catalogue_new_version", kwargs={"pk": v1.pk})
    response = client.post(new_url, formset_data(v1, rows_of(v1)))
    assert response.status_code == 200
    assert "Nothing has changed compared with version 1" in response.content.decode()
    assert not CriteriaCatalogue.objects.filter(version=2).exists()


def test_catalogue_pages_are_for_the_secretariat_only(client, igc_user, registry_user):
    v1 = catalogue()
    urls = [
        reverse("reviews:catalogue_list"),
        reverse("reviews:catalogue_detail", kwargs={"pk": v1.pk}),
        reverse("reviews:catalogue_new_version", kwargs={"pk": v1.pk}),
    ]
    for target in urls:
        assert client.get(target).status_code == 302  # to the sign-in page
    for user in (igc_user, registry_user):
        client.force_login(user)
        for target in urls:
            assert client.get(target).status_code == 403
        assert client.post(urls[2], formset_data(v1, rows_of(v1), note="x")).status_code == 403
    assert CriteriaCatalogue.objects.count() == 4
