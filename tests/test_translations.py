"""The Dutch translation is complete, compiled and up to date with the code.

A fresh developer machine has no GNU gettext, so locale/nl/LC_MESSAGES/django.mo is committed
next to django.po. These tests catch the three ways that goes wrong: an entry left
untranslated (or fuzzy), a .po edited without compiling, and strings added to the code
without running ``make messages``.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

BASE_DIR = Path(__file__).resolve().parent.parent
LOCALE_DIR = BASE_DIR / "locale"
PO_PATH = LOCALE_DIR / "nl" / "LC_MESSAGES" / "django.po"
MO_PATH = LOCALE_DIR / "nl" / "LC_MESSAGES" / "django.mo"

# The same options as the Makefile's `messages` target.
MAKEMESSAGES_ARGS = [
    "makemessages",
    "-l",
    "nl",
    "--no-location",
    "--ignore=.venv",
    "--ignore=var",
    "--ignore=test-artifacts",
    "--ignore=tests",
]

# What the copy for makemessages leaves out: what it ignores anyway, and what is large or local.
COPY_IGNORE = [
    ".git",
    ".venv",
    "var",
    "test-artifacts",
    "tests",
    "__pycache__",
    "*.pyc",
    "*.sqlite3",
]

XGETTEXT_MISSING = shutil.which("xgettext") is None
REQUIRE_REAL_SERVICES = os.environ.get("REQUIRE_REAL_SERVICES") == "1"


def _active_entries(catalog):
    return [entry for entry in catalog if not entry.obsolete and entry.msgid != ""]


def _key(entry):
    return (entry.msgctxt, entry.msgid, entry.msgid_plural or None)


def _pairs(catalog):
    """{(msgctxt, msgid, msgid_plural): msgstr or the tuple of plural forms}."""
    pairs = {}
    for entry in _active_entries(catalog):
        if entry.msgid_plural:
            value = tuple(entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural))
        else:
            value = entry.msgstr
        pairs[_key(entry)] = value
    return pairs


def test_every_dutch_entry_is_translated_and_not_fuzzy():
    catalog = polib.pofile(str(PO_PATH))
    untranslated = [e.msgid for e in _active_entries(catalog) if not e.translated()]
    fuzzy = [e.msgid for e in _active_entries(catalog) if "fuzzy" in e.flags]
    assert not untranslated, (
        f"{len(untranslated)} untranslated entries in {PO_PATH.relative_to(BASE_DIR)}: "
        f"{untranslated}"
    )
    assert not fuzzy, (
        f"{len(fuzzy)} fuzzy entries in {PO_PATH.relative_to(BASE_DIR)} (check the "
        f"translation and remove the flag): {fuzzy}"
    )


def test_committed_mo_matches_po():
    assert MO_PATH.exists(), f"{MO_PATH.relative_to(BASE_DIR)} is missing: run make messages"
    po_pairs = _pairs(polib.pofile(str(PO_PATH)))
    mo_pairs = _pairs(polib.mofile(str(MO_PATH)))
    stale = sorted(
        (
            key[1]
            for key in po_pairs.keys() | mo_pairs.keys()
            if po_pairs.get(key) != mo_pairs.get(key)
        ),
    )
    assert not stale, (
        f"django.mo differs from django.po for {len(stale)} entries; compile it with "
        f"make messages (or manage.py compilemessages) and commit it: {stale}"
    )


@pytest.mark.skipif(
    XGETTEXT_MISSING and not REQUIRE_REAL_SERVICES,
    reason="needs GNU gettext (xgettext) to extract messages: apt-get install gettext",
)
def test_po_has_every_msgid_in_the_code(tmp_path):
    if XGETTEXT_MISSING:
        pytest.fail(
            "REQUIRE_REAL_SERVICES=1: needs GNU gettext (xgettext): apt-get install gettext"
        )
    # makemessages writes into the locale directory it finds in the tree it walks, so it runs in
    # a copy of the project: the committed files stay as they are.
    project = tmp_path / "project"
    shutil.copytree(BASE_DIR, project, ignore=shutil.ignore_patterns(*COPY_IGNORE))
    result = subprocess.run(
        [sys.executable, "manage.py", *MAKEMESSAGES_ARGS],
        cwd=project,
        env={**os.environ, "DEBUG": "1"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, f"makemessages failed:\n{result.stdout}\n{result.stderr}"

    extracted = {
        _key(e) for e in _active_entries(polib.pofile(str(project / PO_PATH.relative_to(BASE_DIR))))
    }
    committed = {_key(e) for e in _active_entries(polib.pofile(str(PO_PATH)))}
    new = sorted(key[1] for key in extracted - committed)
    gone = sorted(key[1] for key in committed - extracted)
    assert not new and not gone, (
        "locale/nl/LC_MESSAGES/django.po is out of date with the code: run make messages and "
        f"translate. New in the code: {new}. No longer in the code: {gone}."
    )


@pytest.mark.django_db
def test_pages_are_dutch_by_default_and_english_on_request(client):
    dutch = client.get("/").content.decode()
    assert '<html lang="nl">' in dutch
    assert "Register voor Kwaliteitsregistraties" in dutch
    assert "Inloggen" in dutch

    english = client.get("/", headers={"accept-language": "en"}).content.decode()
    assert '<html lang="en">' in english
    assert "Register of Quality Registries" in english
    assert "Sign in" in english
