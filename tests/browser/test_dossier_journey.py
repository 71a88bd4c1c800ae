"""A registry's accountability table from spreadsheet to submission, in real Chromium.

Registry staff import a workbook with an error, fix the file and import it again, read the
dossier check, are refused when they submit with a blocking finding, fix the variable, compare
the new version with the previous one and submit. Elements are found by stable attributes
(name, id, href, form action), never by visible text (Dutch by default).
"""

import io

import pytest
from openpyxl import Workbook

from register.constants import DatasetStatus, SubmissionStage
from register.models import DatasetVersion, Submission
from register.services import dataset_version_create, variable_save

from .conftest import sign_in
from .test_lifecycle import at, submit

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ACRONYM = "dhfa"
HEADER = ["Code", "Variabele", "Doelen", "Persoonsgegeven", "Noodzakelijkheid", "AZ", "UMC"]


def workbook(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Verantwoordingstabel"
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


ROWS = [
    [
        "HF_OKDATUM",
        "Datum operatie",
        "leren en verbeteren; indicator",
        "indirect identificerend",
        "Nodig voor de indicator operatie binnen 24 uur.",
        "basis",
        "basis",
    ],
    [
        "HF_ASA",
        "ASA-classificatie",
        "casemix",
        "geen",
        "Nodig voor de casemixcorrectie.",
        "basis",
        "",
    ],
    # No necessity text yet: a blocking finding in the dossier check.
    [
        "HF_EQ5D",
        "EQ-5D na drie maanden",
        "doorontwikkeling meetinstrument",
        "geen",
        "",
        "plus",
        "plus",
    ],
]


def test_import_fix_check_compare_and_submit(
    page, look, live_server, tmp_path, registry, registry_user
):
    from playwright.sync_api import expect

    url = live_server.url
    # The version in use: two variables, the ASA score not yet requested from UMCs... and AZ.
    v1 = dataset_version_create(registry=registry, actor=registry_user, copy_previous=False)
    for code, name in [("HF_OKDATUM", "Datum operatie"), ("HF_ASA", "ASA-classificatie")]:
        variable_save(
            dataset_version=v1,
            actor=registry_user,
            data={"code": code, "name": name, "purposes": ["learn_improve"], "necessity": "Nodig."},
            requirements={"UMC": "base"},
        )

    broken = tmp_path / "verantwoordingstabel-fout.xlsx"
    broken.write_bytes(workbook([*ROWS[:2], [*ROWS[2][:5], "misschien", "plus"]]))
    fixed = tmp_path / "verantwoordingstabel.xlsx"
    fixed.write_bytes(workbook(ROWS))

    # --- 1. Import a workbook with an error: every error named, nothing written ------------
    sign_in(page, live_server, registry_user.email)
    page.goto(f"{url}/dossiers/{ACRONYM}/")
    with page.expect_navigation(url=at(f"/dossiers/{ACRONYM}/import/")):
        page.locator(f"main a[href='/dossiers/{ACRONYM}/import/']").first.click()
    form = page.locator("main form[enctype='multipart/form-data']")
    form.locator("input[name=file]").set_input_files(str(broken))
    submit(page, form.locator("button[type=submit]"))
    errors = page.locator("main")
    # Sheet, row (4: the header is row 1) and column of the bad cell.
    expect(errors).to_contain_text("Verantwoordingstabel")
    expect(errors).to_contain_text("misschien")
    expect(page.locator("main a[href$='errors.csv']").first).to_be_visible()
    look("01-import-errors")
    assert DatasetVersion.objects.filter(registry=registry).count() == 1

    # The error list downloads as CSV, row and column included.
    with page.expect_download() as download:
        page.locator("main a[href$='errors.csv']").first.click()
    listing = download.value.path().read_text(encoding="utf-8-sig")
    assert "Verantwoordingstabel,4,AZ (F),onbekende waarde 'misschien'" in listing

    # --- 2. The fixed file becomes version 2 ------------------------------------------------
    form = page.locator("main form[enctype='multipart/form-data']")
    form.locator("input[name=file]").set_input_files(str(fixed))
    submit(page, form.locator("button[type=submit]"), at(f"/dossiers/{ACRONYM}/versions/2/"))
    expect(page.locator("tr#variable-HF_EQ5D")).to_be_visible()
    look("02-imported-version")

    # --- 3. The dossier check names the blocking finding, and submitting is refused -------
    version_path = f"/dossiers/{ACRONYM}/versions/2/"
    page.goto(f"{url}{version_path}check/?stage={SubmissionStage.FIRST}")
    expect(page.locator("h2#blocking")).to_contain_text("(1)")
    expect(page.locator("ul.findings a[href*='HF_EQ5D']").first).to_be_visible()
    look("03-dossier-check")

    page.goto(f"{url}{version_path}")
    submit_form = page.locator(f"form[action='{version_path}submit/']")
    submit_form.locator("select[name=stage]").select_option(SubmissionStage.FIRST)
    submit(page, submit_form.locator("button[type=submit]"))
    expect(page.locator("#submit-refusal a")).to_have_attribute(
        "href", f"{version_path}check/?stage={SubmissionStage.FIRST}"
    )
    assert not Submission.objects.filter(registry=registry).exists()
    look("04-submit-refused")

    # --- 4. Fix the variable; the check passes --------------------------------------------
    page.goto(f"{url}{version_path}variables/HF_EQ5D/edit/")
    variable_form = page.locator("form.variable-form")
    variable_form.locator("textarea[name=necessity]").fill(
        "Nodig om het meetinstrument door te ontwikkelen."
    )
    submit(page, variable_form.locator("button[type=submit]"), at(version_path))
    page.goto(f"{url}{version_path}check/?stage={SubmissionStage.FIRST}")
    expect(page.locator("h2#blocking")).to_contain_text("(0)")

    # --- 5. Compare version 1 with version 2 ----------------------------------------------
    page.goto(f"{url}/dossiers/{ACRONYM}/versions/compare/?old=1&new=2")
    expect(page.locator("h2#added")).to_be_visible()
    expect(page.locator("main")).to_contain_text("HF_EQ5D")
    expect(page.locator("table#changed-HF_ASA")).to_be_visible()
    look("05-compare")

    # --- 6. Submit -------------------------------------------------------------------------
    page.goto(f"{url}{version_path}")
    submit_form = page.locator(f"form[action='{version_path}submit/']")
    submit_form.locator("select[name=stage]").select_option(SubmissionStage.FIRST)
    submit(page, submit_form.locator("button[type=submit]"), at(version_path))
    look("06-submitted")
    v2 = DatasetVersion.objects.get(registry=registry, number=2)
    assert v2.status == DatasetStatus.SUBMITTED
    submission = Submission.objects.get(registry=registry)
    assert submission.dataset_version == v2
    assert submission.stage == SubmissionStage.FIRST
    look.assert_accessible()
