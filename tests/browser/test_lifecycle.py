"""The whole lifecycle of a registry, driven through the portal in real Chromium.

Registry staff build and submit a dataset version, the IGC and the DGC advise, the staff file
the application, Zorginstituut decides and publishes, and then the provider and the public see
the result. Only the starting data (users with roles, a registry, a provider) are made directly;
every step after that is a person filling in forms and clicking buttons.

Elements are found by stable attributes (name, id, href, form action), never by visible text:
the interface is Dutch by default and English on request.
"""

import datetime
import re

import pytest

from register.models import Decision, Document, Submission
from reviews.models import Advice, Membership
from tests.factories import DocumentFactory

from .conftest import axe_problems, sign_in, sign_out

pytestmark = [
    pytest.mark.browser,
    # live_server needs a transactional database; serialized_rollback brings back the reference
    # data of the migrations (provider categories, committees, role groups) that a flush removes.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ACRONYM = "dhfa"
BASE_CODE = "HF_OKDATUM"
PLUS_CODE = "HF_EQ5D"
EFFECTIVE_FROM = datetime.date(2026, 6, 1)

# The letter, the advice and the uploads are PDFs; the upload check sniffs the magic bytes.
MINIMAL_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)

# The class of a base/plus cell in any accountability table of the portal, found by the
# variable's code (row) and the provider category's code (column): both are data, not text
# that gets translated.
CELL_CLASS_JS = """(table, [code, category]) => {
    const heads = [...table.querySelectorAll('thead th')].map(th => th.textContent.trim());
    const column = heads.indexOf(category);
    const row = [...table.querySelectorAll('tbody tr')]
        .find(tr => tr.querySelector('th code')?.textContent.trim() === code);
    if (column < 0 || !row) return null;
    return row.children[column].className;
}"""


def cell_class(table, code: str, category: str) -> str | None:
    return table.evaluate(CELL_CLASS_JS, [code, category])


def assert_sets(table, category: str, expected: dict[str, str]) -> None:
    for code, value in expected.items():
        found = cell_class(table, code, category)
        assert found is not None and f"cell-{value}" in found.split(), (
            f"{code} in column {category}: expected cell-{value}, got {found!r}"
        )


def at(path: str) -> re.Pattern:
    """A URL whose path is ``path`` (a redirect may add a #fragment or a ?query)."""
    return re.compile(rf"^https?://[^/]+{re.escape(path)}(?:[?#].*)?$")


def submit(page, button, url: str | re.Pattern | None = None) -> None:
    """Click a submit button and wait until the POST (and its redirect) has loaded."""
    with page.expect_navigation(url=url) if url else page.expect_navigation():
        button.click()


@pytest.fixture
def snap(page, shot):
    """A screenshot, after checking the page fits the window's width (no sideways scrolling)."""

    def take(name: str):
        widths = page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert widths[0] <= widths[1], (
            f"{name}: page is {widths[0]}px wide in a {widths[1]}px window"
        )
        return shot(name)

    return take


def expect_signed_in(page) -> None:
    from playwright.sync_api import expect

    expect(page.locator("form[action$='/accounts/logout/']")).to_be_visible()


def test_registry_lifecycle_from_draft_to_obligation_and_public_register(
    page,
    snap,
    live_server,
    tmp_path,
    mailoutbox,
    registry,
    registry_user,
    igc_user,
    dgc_user,
    zin_user,
    provider,
    provider_user,
):
    from playwright.sync_api import expect

    url = live_server.url
    version_path = f"/dossiers/{ACRONYM}/versions/1/"
    dpia = tmp_path / "dpia.pdf"
    dpia.write_bytes(MINIMAL_PDF)
    application_form = tmp_path / "aanvraagformulier.pdf"
    application_form.write_bytes(MINIMAL_PDF)
    # The supplementary review needs four documents before the version can be submitted
    # (register.checks): the registry has three on file already; the staff upload the DPIA.
    for kind in ("dpia_assessment", "participation_agreement", "implementation_plan"):
        DocumentFactory(registry=registry, kind=kind, uploaded_by=registry_user)
    # Each committee's member in this test is also its chair, who concludes the advice.
    Membership.objects.filter(user__in=[igc_user, dgc_user]).update(is_chair=True)

    # --- 1. Registry staff: a new version, two variables, a pseudonym, a document, submit ---
    sign_in(page, live_server, registry_user.email)
    expect_signed_in(page)
    page.goto(f"{url}/dossiers/")
    snap("01-dossiers")
    with page.expect_navigation(url=at(f"/dossiers/{ACRONYM}/")):
        page.locator(f"main a[href='/dossiers/{ACRONYM}/']").click()
    submit(
        page,
        page.locator(f"form[action='/dossiers/{ACRONYM}/versions/new/'] button[type=submit]"),
        at(version_path),
    )
    expect(page.locator("h2#accountability-table")).to_be_visible()
    snap("02-version-draft")

    variables = [
        {
            "code": BASE_CODE,
            "name": "Datum operatie",
            "purposes": ["learn_improve", "indicator"],
            "personal_data": "quasi",
            "data_type": "date",
            "set": "base",
            "necessity": "Nodig voor de indicator 'operatie binnen 24 uur'.",
        },
        {
            "code": PLUS_CODE,
            "name": "EQ-5D na drie maanden",
            "purposes": ["instrument"],
            "personal_data": "none",
            "data_type": "number",
            "set": "plus",
            "necessity": "Voor de doorontwikkeling van het meetinstrument.",
        },
    ]
    for number, variable in enumerate(variables, start=1):
        with page.expect_navigation(url=at(f"{version_path}variables/new/")):
            page.locator(f"main a[href='{version_path}variables/new/']").click()
        form = page.locator("form.variable-form")
        form.locator("input[name=code]").fill(variable["code"])
        form.locator("input[name=name]").fill(variable["name"])
        form.locator("select[name=data_type]").select_option(variable["data_type"])
        for purpose in variable["purposes"]:
            form.locator(f"input[name=purposes][value={purpose}]").check()
        form.locator("select[name=personal_data]").select_option(variable["personal_data"])
        form.locator("textarea[name=necessity]").fill(variable["necessity"])
        form.locator("select[name=req_AZ]").select_option(variable["set"])
        if number == 1:
            snap("03-variable-form")
        submit(page, form.locator("button[type=submit]"), at(version_path))
        expect(page.locator(f"tr#variable-{variable['code']}")).to_be_visible()

    table = page.locator("table.version-table")
    expect(table.locator("tbody tr")).to_have_count(2)
    assert_sets(table, "AZ", {BASE_CODE: "base", PLUS_CODE: "plus"})
    assert_sets(table, "UMC", {BASE_CODE: "none", PLUS_CODE: "none"})

    pseudonym_form = page.locator(f"form[action='{version_path}pseudonyms/new/']")
    pseudonym_form.locator("select[name=type]").select_option("RGG")
    pseudonym_form.locator("textarea[name=justification]").fill(
        "Koppeling van de operatie aan de uitkomst na drie maanden."
    )
    submit(page, pseudonym_form.locator("button[type=submit]"), at(version_path))
    expect(page.locator("h2#pseudonyms + table")).to_contain_text("RGG")

    with page.expect_navigation(url=at(f"/dossiers/{ACRONYM}/documents/new/")):
        page.locator(f"main a[href='/dossiers/{ACRONYM}/documents/new/']").first.click()
    upload = page.locator("main form[enctype='multipart/form-data']")
    upload.locator("select[name=kind]").select_option("dpia")
    upload.locator("input[name=title]").fill("DPIA Heupfractuurregistratie 2026")
    upload.locator("input[name=file]").set_input_files(str(dpia))
    upload.locator("input[name=confidential]").check()
    snap("04-document-form")
    submit(page, upload.locator("button[type=submit]"), at(f"/dossiers/{ACRONYM}/"))
    documents = page.locator("h2#documents ~ .table-wrap table").first
    expect(documents).to_contain_text("DPIA Heupfractuurregistratie 2026")
    snap("05-dossier-with-document")

    with page.expect_navigation(url=at(version_path)):
        page.locator(f"main a[href='{version_path}']").first.click()
    submit_form = page.locator(f"form[action='{version_path}submit/']")
    submit_form.locator("select[name=stage]").select_option("supplementary")
    submit(page, submit_form.locator("button[type=submit]"), at(version_path))
    snap("06-version-submitted")
    # Read-only now: no edit links, no forms that change the version.
    for selector in (
        f"a[href='{version_path}variables/new/']",
        f"a[href^='{version_path}variables/'][href$='/edit/']",
        f"form[action='{version_path}pseudonyms/new/']",
        f"form[action='{version_path}indicators/new/']",
        f"form[action='{version_path}submit/']",
    ):
        expect(page.locator(selector)).to_have_count(0)
    expect(page.locator("table.version-table tbody tr")).to_have_count(2)
    # Typing the address of the variable form gets the "version is locked" page.
    response = page.goto(f"{url}{version_path}variables/new/")
    assert response.status == 409
    expect(page.locator("form.variable-form")).to_have_count(0)
    sign_out(page)

    # --- 2. The IGC and the DGC each advise: criteria, a draft advice, the registry's reaction,
    # the chair's conclusion (reviews.advice) -------------------------------------------------
    advices = [
        (
            igc_user,
            "igc",
            "positive",
            "Doel en inhoud passen binnen de Wkz; draagvlak is aangetoond.",
            "",
        ),
        (
            dgc_user,
            "dgc",
            "positive_conditions",
            "Privacy en beveiliging zijn op orde; het RGG-pseudoniem is onderbouwd.",
            "Lever voor 1 januari 2027 de geactualiseerde DPIA aan.",
        ),
    ]
    review_url = re.compile(r"/reviews/\d+/(?:#.*)?$")
    advice_url = re.compile(r"/reviews/\d+/advice/(?:#.*)?$")
    advice_pages = {}
    for user, name, outcome, motivation, conditions in advices:
        sign_in(page, live_server, user.email)
        expect_signed_in(page)
        page.goto(f"{url}/reviews/")
        review_links = page.locator("table.review-list tbody a[href^='/reviews/']")
        expect(review_links).to_have_count(1)
        snap(f"07-{name}-review-list")
        with page.expect_navigation(url=review_url):
            review_links.first.click()
        expect(page.locator("h2#pseudonyms + table")).to_contain_text("RGG")
        expect(page.locator("h2#documents + table")).to_contain_text(
            "DPIA Heupfractuurregistratie 2026"
        )
        # The table, variable by variable, is a section of its own.
        with page.expect_navigation(url=re.compile(r"/variables/$")):
            page.locator("nav.section-nav a[href$='/variables/']").click()
        review_table = page.locator("table.version-table")
        expect(review_table.locator("tbody tr")).to_have_count(2)
        assert_sets(review_table, "AZ", {BASE_CODE: "base", PLUS_CODE: "plus"})
        # Every criterion met (IGC: sufficient; DGC: minimum met), so a positive advice is
        # possible: an unmet or unassessed knock-out would refuse it.
        with page.expect_navigation(url=re.compile(r"/criteria/$")):
            page.locator("nav.section-nav a[href$='/criteria/']").click()
        criteria_form = page.locator("form.criteria-form")
        for radio in criteria_form.locator(
            "input[type=radio][value=sufficient], input[type=radio][value=yes]"
        ).all():
            radio.check()
        submit(page, criteria_form.locator("button[type=submit]"))
        with page.expect_navigation(url=advice_url):
            page.locator("nav.section-nav a[href$='/advice/']").click()
        advice_pages[name] = page.url.split("#")[0]
        advice_form = page.locator("form.advice-form")
        advice_form.locator(f"input[name=outcome][value={outcome}]").check()
        advice_form.locator("textarea[name=motivation]").fill(motivation)
        if conditions:
            advice_form.locator("textarea[name=conditions]").fill(conditions)
        snap(f"08-{name}-advice-form")
        submit(page, advice_form.locator("button[type=submit]"), advice_url)
        expect(page.locator(".advice-draft")).to_contain_text(motivation)
        position_form = page.locator("form.position-form")
        position_form.locator("input[name=position][value=agree]").check()
        submit(page, position_form.locator("button[type=submit]"), advice_url)
        expect(page.locator("table.positions")).to_contain_text(user.email)
        sign_out(page)

    # The registry reads both drafts from its dossier and reacts.
    sign_in(page, live_server, registry_user.email)
    for name in ("igc", "dgc"):
        advice = Advice.objects.get(review__committee__code=name.upper())
        react_path = f"/dossiers/{ACRONYM}/advice/{advice.pk}/react/"
        page.goto(f"{url}/dossiers/{ACRONYM}/")
        with page.expect_navigation(url=at(react_path)):
            page.locator(f"main a[href='{react_path}']").first.click()
        reaction_form = page.locator("form.reaction-form")
        reaction_form.locator("textarea[name=reaction]").fill(
            "Geen opmerkingen; dank voor het advies."
        )
        snap(f"09-registry-reacts-{name}")
        submit(page, reaction_form.locator("button[type=submit]"), at(react_path))
        expect(page.locator("form.reaction-form")).to_have_count(0)
    sign_out(page)

    # Each chair makes the advice definitive; the PDF is rendered after the commit.
    for user, name, _outcome, motivation, _conditions in advices:
        sign_in(page, live_server, user.email)
        page.goto(advice_pages[name])
        submit(page, page.locator("form.advice-conclude button[type=submit]"), advice_url)
        given = page.locator(".advice-given")
        expect(given).to_contain_text(motivation)
        expect(page.locator("form.advice-form")).to_have_count(0)
        expect(given.locator("a[href$='/advice.pdf']")).to_be_visible()
        snap(f"09-{name}-advice-given")
        sign_out(page)

    # --- 3. Registry staff file the application in one step ---------------------------------
    sign_in(page, live_server, registry_user.email)
    page.goto(f"{url}/dossiers/{ACRONYM}/")
    apply_link = page.locator(f"a[href^='/dossiers/{ACRONYM}/submissions/'][href$='/apply/']")
    expect(apply_link).to_have_count(1)
    with page.expect_navigation(url=re.compile(r"/apply/$")):
        apply_link.click()
    expect(page.locator(".advice-block")).to_have_count(2)
    application = page.locator("main form[enctype='multipart/form-data']")
    application.locator("input[name=application_form]").set_input_files(str(application_form))
    snap("10-application-form")
    submit(page, application.locator("button[type=submit]"), at(f"/dossiers/{ACRONYM}/"))
    expect(apply_link).to_have_count(0)
    snap("11-dossier-application-filed")
    submission = Submission.objects.get(registry=registry)
    assert submission.status == "applied"
    assert Document.objects.filter(submission=submission, kind="application_form").exists()
    sign_out(page)

    # --- 4. Zorginstituut decides and publishes ---------------------------------------------
    sign_in(page, live_server, zin_user.email)
    page.goto(f"{url}/decisions/")
    snap("12-decisions")
    application_link = page.locator(f"main a[href='/decisions/submissions/{submission.pk}/']")
    with page.expect_navigation(url=at(f"/decisions/submissions/{submission.pk}/")):
        application_link.click()
    # The application form filed in step 3, and the advice of both committees.
    expect(page.locator("#documents + table a[href^='/dossiers/documents/']")).to_have_count(1)
    expect(page.locator(".advice-block a[href$='/advice.pdf']")).to_have_count(2)
    decision_form = page.locator(f"form[action^='/decisions/submissions/{submission.pk}/']")
    decision_form.locator("input[name=outcome][value=include]").check()
    decision_form.locator("textarea[name=reasoning]").fill(
        "Positief advies van IGC en DGC; voldoet aan de criteria van de Wkz."
    )
    decision_form.locator("input[name=effective_from]").fill(EFFECTIVE_FROM.isoformat())
    snap("13-decision-form")
    submit(page, decision_form.locator("button[type=submit]"))
    publish = page.locator("form[action$='/publish/'] button[type=submit]")
    expect(publish).to_be_visible()
    submit(page, publish, at(f"/decisions/submissions/{submission.pk}/"))
    letter_link = page.locator(".decision-panel a[href$='/letter/']")
    expect(letter_link).to_be_visible()
    expect(page.locator("form[action$='/publish/']")).to_have_count(0)
    snap("14-decision-published")

    decision = Decision.objects.get(submission=submission)
    assert decision.outcome == "include"
    assert decision.effective_from == EFFECTIVE_FROM
    assert decision.published_at is not None
    assert decision.letter and decision.letter.name.endswith(".pdf")
    with decision.letter.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"
    assert decision.letter_sent_at is not None
    holder_mail = [m for m in mailoutbox if registry.holder.contact_email in m.to]
    assert len(holder_mail) == 1, [(m.to, m.subject) for m in mailoutbox]
    assert [a[2] for a in holder_mail[0].attachments] == ["application/pdf"]

    with page.expect_download() as download:
        letter_link.click()
    letter_path = tmp_path / "letter.pdf"
    download.value.save_as(letter_path)
    assert letter_path.read_bytes().startswith(b"%PDF-")
    sign_out(page)

    # --- 5. The provider sees the obligation, from the date, with its variables -------------
    sign_in(page, live_server, provider_user.email)
    page.goto(f"{url}/provider/")
    obligation_href = f"/provider/{provider.agb_code}/registries/{ACRONYM}/"
    current = page.locator("#current-heading + .table-wrap table")
    row = current.locator("tbody tr", has=page.locator(f"a[href='{obligation_href}']"))
    expect(row).to_have_count(1)
    cells = row.locator("td")
    expect(cells.nth(0)).to_have_text(re.compile(r"^1 (juni|June) 2026$"))
    expect(cells.nth(1)).to_have_text("1")  # base variables
    expect(cells.nth(2)).to_have_text("1")  # plus variables
    expect(page.locator("#upcoming-heading + .table-wrap")).to_have_count(0)
    snap("15-provider-obligations")
    with page.expect_navigation(url=at(obligation_href)):
        row.locator(f"a[href='{obligation_href}']").click()
    variables_table = page.locator("main table.grid")
    expect(variables_table.locator("tbody tr")).to_have_count(2)
    assert_sets(variables_table, "AZ", {BASE_CODE: "base", PLUS_CODE: "plus"})
    snap("16-provider-obligation-detail")
    sign_out(page)

    # --- 6. Anyone: the register lists it and shows the table -------------------------------
    page.goto(f"{url}/register/")
    register_link = page.locator(f"main table a[href='/register/{ACRONYM}/']")
    expect(register_link).to_have_count(1)
    snap("17-public-register")
    with page.expect_navigation(url=at(f"/register/{ACRONYM}/")):
        register_link.click()
    expect(page.locator("main .lead .tag-ok")).to_be_visible()  # included, in force
    public_table = page.locator("main table.grid")
    expect(public_table.locator("tbody tr")).to_have_count(2)
    assert_sets(public_table, "AZ", {BASE_CODE: "base", PLUS_CODE: "plus"})
    # Only the categories the version asks something of are shown.
    assert cell_class(public_table, BASE_CODE, "UMC") is None
    snap("18-public-registry")


# --- Accessibility ----------------------------------------------------------------------------


def test_public_pages_and_a_dossier_page_have_no_serious_accessibility_violations(
    page, shot, live_server, registry, registry_user, provider, secretariat_user
):
    """axe-core (bundled with axe-playwright-python, no network) on pages with real content."""
    from playwright.sync_api import expect

    from ..factories import DatasetVersionFactory, DecisionFactory, VariableFactory

    version = DatasetVersionFactory(registry=registry, number=1, submitted=True)
    VariableFactory(dataset_version=version, code=BASE_CODE, requirements={"AZ": "base"})
    VariableFactory(
        dataset_version=version,
        code=PLUS_CODE,
        purposes=["instrument"],
        requirements={"AZ": "plus", "UMC": "base"},
    )
    DecisionFactory(
        registry=registry, dataset_version=version, effective_from=EFFECTIVE_FROM, published=True
    )
    draft = DatasetVersionFactory(registry=registry, number=2, based_on=version)
    VariableFactory(dataset_version=draft, code=BASE_CODE, requirements={"AZ": "base"})

    url = live_server.url
    problems = []
    pages = [
        ("home", "/"),
        ("register", "/register/"),
        ("registry", f"/register/{ACRONYM}/"),
        ("obligations", "/obligations/"),
        ("obligations-result", "/obligations/?provider_category=AZ&care_type=hip-fracture"),
        ("process", "/register/process/"),
    ]
    for name, path in pages:
        page.goto(f"{url}{path}")
        expect(page.locator("main h1")).to_be_visible()
        shot(f"axe-{name}")
        problems += axe_problems(page)

    sign_in(page, live_server, registry_user.email)
    for name, path in [
        ("dossier", f"/dossiers/{ACRONYM}/"),
        ("draft-version", f"/dossiers/{ACRONYM}/versions/2/"),
        ("variable-form", f"/dossiers/{ACRONYM}/versions/2/variables/new/"),
        ("table-editor", f"/dossiers/{ACRONYM}/versions/2/table/"),
        ("import", f"/dossiers/{ACRONYM}/import/"),
        ("check", f"/dossiers/{ACRONYM}/versions/2/check/?stage=supplementary"),
        ("compare", f"/dossiers/{ACRONYM}/versions/compare/?old=1&new=2"),
    ]:
        page.goto(f"{url}{path}")
        expect(page.locator("main h1")).to_be_visible()
        shot(f"axe-{name}")
        problems += axe_problems(page)

    sign_out(page)
    from reviews.models import CriteriaCatalogue

    catalogue = CriteriaCatalogue.objects.filter(committee__code="DGC").first()
    sign_in(page, live_server, secretariat_user.email)
    for name, path in [
        ("secretariat", "/reviews/secretariat/"),
        ("catalogues", "/reviews/catalogues/"),
        ("catalogue", f"/reviews/catalogues/{catalogue.pk}/"),
        ("catalogue-new-version", f"/reviews/catalogues/{catalogue.pk}/new-version/"),
    ]:
        page.goto(f"{url}{path}")
        expect(page.locator("main h1")).to_be_visible()
        shot(f"axe-{name}")
        problems += axe_problems(page)

    assert not problems, "axe found serious or critical violations:\n" + "\n".join(problems)
