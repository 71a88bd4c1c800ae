"""A full supplementary review by the IGC, driven through the portal in real Chromium.

The secretariat assigns two members; a member rates the criteria and judges the variables (one
questioned, the others accepted at once); a clarification round asks about the questioned
variable; the registry answers with a revised version in which only that variable changed, so
the other judgements carry over; the member judges the changed variable; the committee drafts
a positive advice and both members agree; the registry reacts; the chair concludes and the
advice PDF is downloaded and read. Only the starting data (users, memberships, a submitted
version) are made directly; every step after that is a person filling in forms and clicking.

Elements are found by stable attributes (name, id, href, form action, classes), never by
visible text: the interface is Dutch by default.
"""

import datetime
import io
import re

import pytest
from django.utils import timezone, translation

from register.constants import SubmissionStage
from register.models import DatasetVersion
from register.services import dataset_version_create, dataset_version_submit, variable_save
from reviews.constants import AdviceOutcome, AdviceStatus, Perspective, ReviewStatus, Verdict
from reviews.models import Advice, Committee, Membership, Review, VariableJudgement
from reviews.services import membership_save
from tests.factories import UserFactory, clean_dossier

from .conftest import sign_in, sign_out
from .test_lifecycle import at, submit

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ACRONYM = "dhfa"
QUESTIONED = "HF_ASA"
VARIABLES = [
    ("HF_OKDATUM", "Datum operatie"),
    (QUESTIONED, "ASA-classificatie"),
    ("HF_EQ5D", "EQ-5D na drie maanden"),
]
REVISED_NECESSITY = "Nodig voor de casemixcorrectie van de indicator sterfte binnen 30 dagen."
MOTIVATION = "Doel en inhoud passen binnen de Wkz; de registratie is proportioneel opgezet."


def test_supplementary_review_from_assignment_to_advice_pdf(
    page, look, live_server, tmp_path, registry, registry_user, igc_user, secretariat_user
):
    from playwright.sync_api import expect
    from pypdf import PdfReader

    url = live_server.url
    today = timezone.localdate()

    # --- Setup: a chair beside the IGC member, and version 1 submitted for the supplementary
    # review ---------------------------------------------------------------------------------
    igc = Committee.objects.get(code="IGC")
    chair = UserFactory(email="igc-chair@example.org", first_name="Anna", last_name="Voorzitter")
    membership_save(
        membership=Membership(
            committee=igc, user=chair, perspective=Perspective.PROFESSIONALS, is_chair=True
        ),
        actor=secretariat_user,
    )
    v1 = dataset_version_create(registry=registry, actor=registry_user, copy_previous=False)
    for code, name in VARIABLES:
        variable_save(
            dataset_version=v1,
            actor=registry_user,
            data={"code": code, "name": name, "purposes": ["learn_improve"], "necessity": "Nodig."},
            requirements={"AZ": "base"},
        )
    clean_dossier(v1, SubmissionStage.SUPPLEMENTARY, user=registry_user)
    dataset_version_submit(
        dataset_version=v1, actor=registry_user, stage=SubmissionStage.SUPPLEMENTARY
    )
    review = Review.objects.get(submission__registry=registry, committee=igc)
    review_path = f"/reviews/{review.pk}/"
    variables_path = f"{review_path}variables/"
    advice_path = f"{review_path}advice/"

    # --- 1. The secretariat assigns the member and the chair ------------------------------------
    sign_in(page, live_server, secretariat_user.email)
    page.goto(f"{url}/reviews/secretariat/")
    expect(page.locator("table.pipeline-table tbody")).to_contain_text(registry.name)
    assign_path = f"/reviews/secretariat/reviews/{review.pk}/assign/"
    look("01-secretariat-dashboard")
    with page.expect_navigation(url=at(assign_path)):
        page.locator(f"table.pipeline-table a[href='{assign_path}']").click()
    assign_form = page.locator("form.assign-form")
    for member in (igc_user, chair):
        assign_form.locator(f"input[name=members][value='{member.pk}']").check()
    look("02-assign-members")
    submit(page, assign_form.locator("button[type=submit]"), at("/reviews/secretariat/"))
    expect(page.locator("table.pipeline-table tbody")).to_contain_text(chair.get_full_name())
    assert set(review.members.values_list("pk", flat=True)) == {igc_user.pk, chair.pk}
    sign_out(page)

    # --- 2. The member rates every criterion sufficient -----------------------------------------
    sign_in(page, live_server, igc_user.email)
    page.goto(f"{url}/reviews/")
    with page.expect_navigation(url=at(review_path)):
        page.locator(f"table.review-list a[href='{review_path}']").first.click()
    with page.expect_navigation(url=at(f"{review_path}criteria/")):
        page.locator("nav.section-nav a[href$='/criteria/']").click()
    criteria_form = page.locator("form.criteria-form")
    radios = criteria_form.locator("input[type=radio][value=sufficient]")
    assert radios.count() > 0
    for radio in radios.all():
        radio.check()
    submit(page, criteria_form.locator("button[type=submit]"), at(f"{review_path}criteria/"))
    expect(page.locator("form.criteria-form input[value=sufficient]:checked")).to_have_count(
        radios.count()
    )
    look("03-criteria-rated")

    # --- 3. Variables: one questioned on its own page, the others accepted at once --------------
    with page.expect_navigation(url=at(variables_path)):
        page.locator("nav.section-nav a[href$='/variables/']").click()
    with page.expect_navigation(url=at(f"{variables_path}{QUESTIONED}/")):
        page.locator(f"tr#variable-{QUESTIONED} a[href^='{variables_path}{QUESTIONED}/']").click()
    judgement_form = page.locator("form.advice-form")
    judgement_form.locator(f"input[name=verdict][value={Verdict.QUESTION}]").check()
    judgement_form.locator("textarea[name=necessity]").fill(
        "Waarom is de ASA-classificatie nodig naast de leeftijd?"
    )
    look("04-variable-questioned")
    submit(page, judgement_form.locator("button[type=submit]"), at(variables_path))
    bulk = page.locator("form.bulk-form")
    for code, _name in VARIABLES:
        if code != QUESTIONED:
            bulk.locator(f"tr#variable-{code} input[name=variables]").check()
    bulk.locator(f"input[name=verdict][value={Verdict.ACCEPT}]").check()
    submit(page, bulk.locator("#bulk-actions button[type=submit]"), at(variables_path))
    judged = dict(
        VariableJudgement.objects.filter(review=review).values_list("variable__code", "verdict")
    )
    assert judged == {
        "HF_OKDATUM": Verdict.ACCEPT,
        QUESTIONED: Verdict.QUESTION,
        "HF_EQ5D": Verdict.ACCEPT,
    }
    look("05-variables-judged")

    # --- 4. A clarification round about the questioned variable ---------------------------------
    with page.expect_navigation(url=at(f"{review_path}clarifications/")):
        page.locator("nav.section-nav a[href$='/clarifications/']").click()
    round_form = page.locator("main form:has(input[name=deadline])")
    round_form.locator("input[name=deadline]").fill(
        (today + datetime.timedelta(days=14)).isoformat()
    )
    round_form.locator("textarea[name=questions-0-text]").fill(
        "Licht toe waarom de ASA-classificatie noodzakelijk is."
    )
    round_form.locator("input[name=questions-0-variable_code]").fill(QUESTIONED)
    submit(page, round_form.locator("button[name=send]"), at(f"{review_path}clarifications/"))
    expect(page.locator("ol.clarification-questions code")).to_have_text(QUESTIONED)
    look("06-clarification-sent")
    review.refresh_from_db()
    assert review.status == ReviewStatus.CLARIFICATION
    sign_out(page)

    # --- 5. The registry revises the variable and answers with the new version ------------------
    sign_in(page, live_server, registry_user.email)
    page.goto(f"{url}/dossiers/{ACRONYM}/")
    submit(
        page,
        page.locator(f"form[action='/dossiers/{ACRONYM}/versions/new/'] button[type=submit]"),
        at(f"/dossiers/{ACRONYM}/versions/2/"),
    )
    v2 = DatasetVersion.objects.get(registry=registry, number=2)
    edit_path = f"/dossiers/{ACRONYM}/versions/2/variables/{QUESTIONED}/edit/"
    with page.expect_navigation(url=at(edit_path)):
        page.locator(f"main a[href='{edit_path}']").first.click()
    variable_form = page.locator("form.variable-form")
    variable_form.locator("textarea[name=necessity]").fill(REVISED_NECESSITY)
    submit(
        page,
        variable_form.locator("button[type=submit]"),
        at(f"/dossiers/{ACRONYM}/versions/2/"),
    )
    assert v2.variables.get(code=QUESTIONED).necessity == REVISED_NECESSITY

    status_path = f"/dossiers/{ACRONYM}/reviews/{review.pk}/"
    page.goto(f"{url}/dossiers/{ACRONYM}/")
    with page.expect_navigation(url=at(status_path)):
        page.locator(f"main a[href='{status_path}']").first.click()
    answer_form = page.locator(f"form[action^='{status_path}']")
    answer_form.locator("textarea[name^=answer_]").fill(
        "De ASA-classificatie is nodig voor de casemixcorrectie; de onderbouwing is aangevuld."
    )
    answer_form.locator("select[name=revised_version]").select_option(str(v2.pk))
    look("07-registry-answers")
    submit(page, answer_form.locator("button[name=action][value=send]"), at(status_path))
    expect(page.locator(f"form[action^='{status_path}']")).to_have_count(0)
    look("08-registry-answered")

    review.refresh_from_db()
    assert review.dataset_version_id == v2.pk
    assert review.status == ReviewStatus.OPEN
    on_v2 = {
        j.variable.code: j
        for j in VariableJudgement.objects.filter(
            review=review, variable__dataset_version=v2
        ).select_related("variable")
    }
    assert set(on_v2) == {"HF_OKDATUM", "HF_EQ5D"}, "the changed variable must be judged again"
    assert all(j.carried_over and j.verdict == Verdict.ACCEPT for j in on_v2.values())
    sign_out(page)

    # --- 6. The member judges the changed variable ----------------------------------------------
    sign_in(page, live_server, igc_user.email)
    page.goto(f"{url}{variables_path}")
    filters = page.locator("form.table-filters")
    filters.locator("select[name=judgement]").select_option("none")
    submit(page, filters.locator("button[type=submit]"))
    rows = page.locator("table.version-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("id", f"variable-{QUESTIONED}")
    look("09-not-yet-judged")
    with page.expect_navigation(url=re.compile(rf"{re.escape(variables_path)}{QUESTIONED}/")):
        rows.first.locator(f"a[href^='{variables_path}{QUESTIONED}/']").click()
    judgement_form = page.locator("form.advice-form")
    judgement_form.locator(f"input[name=verdict][value={Verdict.ACCEPT}]").check()
    submit(page, judgement_form.locator("button[type=submit]"), at(variables_path))
    expect(page.locator("table.version-table tbody tr")).to_have_count(0)
    assert (
        VariableJudgement.objects.get(
            review=review, variable__dataset_version=v2, variable__code=QUESTIONED
        ).verdict
        == Verdict.ACCEPT
    )

    # --- 7. A positive draft advice; both members agree -----------------------------------------
    page.goto(f"{url}{review_path}")
    with page.expect_navigation(url=at(advice_path)):
        page.locator("nav.section-nav a[href$='/advice/']").click()
    draft = page.locator("form.advice-form")
    draft.locator(f"input[name=outcome][value={AdviceOutcome.POSITIVE}]").check()
    draft.locator("textarea[name=motivation]").fill(MOTIVATION)
    draft.locator("input[name=reaction_deadline]").fill(
        (today + datetime.timedelta(days=14)).isoformat()
    )
    look("10-draft-advice")
    submit(page, draft.locator("button[type=submit]"), at(advice_path))
    expect(page.locator(".advice-draft")).to_contain_text(MOTIVATION)
    for member in (igc_user, chair):
        if member is chair:
            sign_out(page)
            sign_in(page, live_server, chair.email)
            page.goto(f"{url}{advice_path}")
        position_form = page.locator("form.position-form")
        position_form.locator("input[name=position][value=agree]").check()
        submit(page, position_form.locator("button[type=submit]"), at(advice_path))
    expect(page.locator(".unanimity.tag-ok")).to_be_visible()
    expect(page.locator("table.positions .tag-ok")).to_have_count(2)
    # The registry has neither reacted nor let the deadline pass: no conclusion yet.
    expect(page.locator("form.advice-conclude")).to_have_count(0)
    look("11-positions-unanimous")
    sign_out(page)

    # --- 8. The registry reacts to the draft ----------------------------------------------------
    advice = Advice.objects.get(review=review)
    react_path = f"/dossiers/{ACRONYM}/advice/{advice.pk}/react/"
    sign_in(page, live_server, registry_user.email)
    page.goto(f"{url}/dossiers/{ACRONYM}/")
    with page.expect_navigation(url=at(react_path)):
        page.locator(f"main a[href='{react_path}']").first.click()
    reaction_form = page.locator("form.reaction-form")
    reaction_form.locator("textarea[name=reaction]").fill("Dank; wij hebben geen opmerkingen.")
    submit(page, reaction_form.locator("button[type=submit]"), at(react_path))
    expect(page.locator("form.reaction-form")).to_have_count(0)
    look("12-registry-reacted")
    sign_out(page)

    # --- 9. The chair concludes; the advice PDF is downloaded and read --------------------------
    sign_in(page, live_server, chair.email)
    page.goto(f"{url}{advice_path}")
    submit(page, page.locator("form.advice-conclude button[type=submit]"), at(advice_path))
    pdf_link = page.locator(f".advice-given a[href='{review_path}advice.pdf']")
    expect(pdf_link).to_be_visible()
    look("13-advice-definitive")
    with page.expect_download() as download:
        pdf_link.click()
    pdf_path = tmp_path / "advies.pdf"
    download.value.save_as(pdf_path)
    content = pdf_path.read_bytes()
    assert content.startswith(b"%PDF")
    text = " ".join(sheet.extract_text() for sheet in PdfReader(io.BytesIO(content)).pages)
    text = " ".join(text.split())
    with translation.override("nl"):
        verdict = str(AdviceOutcome.POSITIVE.label)
    assert registry.name in text
    assert verdict.lower() in text.lower(), f"{verdict!r} not in the advice PDF"

    advice.refresh_from_db()
    review.refresh_from_db()
    assert advice.status == AdviceStatus.DEFINITIVE
    assert advice.outcome == AdviceOutcome.POSITIVE
    assert advice.unanimous is True
    assert advice.concluded_by == chair
    assert review.status == ReviewStatus.ADVISED
    sign_out(page)
    look.assert_accessible()
