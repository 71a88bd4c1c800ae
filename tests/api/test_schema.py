"""The committed OpenAPI document (docs/openapi.yaml) must match the code."""

from pathlib import Path

from django.conf import settings
from django.core.management import call_command

SCHEMA = Path(settings.BASE_DIR) / "docs" / "openapi.yaml"
REGENERATE = (
    "DEBUG=1 .venv/bin/python manage.py spectacular --lang en --file docs/openapi.yaml "
    "--validate --fail-on-warn"
)


def test_committed_openapi_document_matches_the_code(tmp_path):
    generated = tmp_path / "openapi.yaml"
    # English, whatever LANGUAGE_CODE is: Dutch translations must not change the contract.
    call_command(
        "spectacular", "--lang", "en", "--file", str(generated), "--validate", "--fail-on-warn"
    )

    assert SCHEMA.exists(), f"docs/openapi.yaml is missing; generate it with: {REGENERATE}"
    assert generated.read_text() == SCHEMA.read_text(), (
        f"docs/openapi.yaml is out of date with the API; regenerate it with: {REGENERATE}"
    )
