"""The accountability table editor in real Chromium: with JavaScript (select all on the page,
Shift-click ranges, the count announced) and without it (the same form, plain HTML).

Elements are found by stable attributes (name, id, value), never by visible text.
"""

import pytest

from register.models import Requirement
from register.services import dataset_version_create

from ..factories import VariableFactory
from .conftest import CHROMIUM_ARGS, sign_in  # noqa: F401
from .test_lifecycle import submit

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ACRONYM = "dhfa"
VARIABLES = 120  # three pages of 50


@pytest.fixture
def version(registry, registry_user):
    version = dataset_version_create(registry=registry, actor=registry_user, copy_previous=False)
    for n in range(VARIABLES):
        VariableFactory(
            dataset_version=version,
            code=f"V{n:03d}",
            personal_data="quasi" if n % 10 == 0 else "none",
            requirements={"AZ": "base"},
        )
    return version


def cells(version, category: str, value: str) -> set[str]:
    return set(
        Requirement.objects.filter(
            variable__dataset_version=version, provider_category__code=category, set=value
        ).values_list("variable__code", flat=True)
    )


def test_select_all_and_shift_click_then_all_matching(
    page, look, live_server, version, registry_user
):
    from playwright.sync_api import expect

    path = f"/dossiers/{ACRONYM}/versions/{version.number}/table/"
    sign_in(page, live_server, registry_user.email)
    page.goto(f"{live_server.url}{path}")

    # JavaScript shows the toolbar; "select all on this page" selects the 50 rows of page 1.
    select_all = page.locator("#select-all-rows")
    expect(select_all).to_be_visible()
    select_all.check()
    rows = page.locator("table[data-bulk-table] tbody input[name=variables]")
    expect(rows).to_have_count(50)
    expect(
        page.locator("table[data-bulk-table] tbody input[name=variables]:checked")
    ).to_have_count(50)
    expect(page.locator("#selection-status")).to_contain_text("50")
    select_all.uncheck()

    # Shift-click selects a range: rows 3 to 7 of the page.
    rows.nth(2).click()
    rows.nth(6).click(modifiers=["Shift"])
    expect(
        page.locator("table[data-bulk-table] tbody input[name=variables]:checked")
    ).to_have_count(5)
    expect(page.locator("#selection-status")).to_contain_text("5")
    look("01-range-selected")

    form = page.locator("form.bulk-form")
    form.locator("input[name=scope][value=selected]").check()
    form.locator("input[name=categories][value=UMC]").check()
    form.locator("input[name=categories][value=STZ]").check()
    form.locator("input[name=value][value=plus]").check()
    submit(page, form.locator("#bulk-actions button[type=submit]"))
    expect(page.locator(".messages, [role=status]").first).to_be_visible()
    assert cells(version, "UMC", "plus") == {f"V{n:03d}" for n in range(2, 7)}
    assert cells(version, "STZ", "plus") == {f"V{n:03d}" for n in range(2, 7)}

    # All variables matching a filter, across pages: personal data → not requested for AZ.
    page.goto(f"{live_server.url}{path}?personal_data=quasi")
    form = page.locator("form.bulk-form")
    form.locator("input[name=scope][value=matching]").check()
    form.locator("input[name=categories][value=AZ]").check()
    form.locator("input[name=value][value=none]").check()
    look("02-all-matching")
    submit(page, form.locator("#bulk-actions button[type=submit]"))
    assert cells(version, "AZ", "base") == {f"V{n:03d}" for n in range(VARIABLES) if n % 10}
    look.assert_accessible()


def test_without_javascript_the_same_form_works(chromium, live_server, version, registry_user):
    from playwright.sync_api import expect

    context = chromium.new_context(java_script_enabled=False, locale="nl-NL")
    page = context.new_page()
    try:
        sign_in(page, live_server, registry_user.email)
        page.goto(f"{live_server.url}/dossiers/{ACRONYM}/versions/{version.number}/table/?page=3")
        # No script: the toolbar stays hidden; every row still has its checkbox.
        expect(page.locator("[data-select-toolbar]")).to_be_hidden()
        rows = page.locator("table[data-bulk-table] tbody input[name=variables]")
        expect(rows).to_have_count(VARIABLES - 100)
        rows.nth(0).check()
        rows.nth(1).check()
        form = page.locator("form.bulk-form")
        form.locator("input[name=categories][value=UMC]").check()
        form.locator("input[name=value][value=base]").check()
        submit(page, form.locator("#bulk-actions button[type=submit]"))
        assert cells(version, "UMC", "base") == {"V100", "V101"}
        # A form without a category names the field, and writes nothing.
        form = page.locator("form.bulk-form")
        page.locator("table[data-bulk-table] tbody input[name=variables]").nth(5).check()
        form.locator("input[name=value][value=plus]").check()
        submit(page, form.locator("#bulk-actions button[type=submit]"))
        expect(
            page.locator(
                ".error-summary a[href='#bulk_categories_0'], .error-summary a[href^='#bulk_categories']"
            ).first
        ).to_be_visible()
        assert cells(version, "UMC", "plus") == set()
    finally:
        context.close()
