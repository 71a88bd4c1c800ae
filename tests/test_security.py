import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(code: str, **env):
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    clean.update(DJANGO_SETTINGS_MODULE="register.settings", **env)
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True
    )


def test_wsgi_app_refuses_to_start_on_the_public_demo_key():
    result = run("import register.wsgi")
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def test_wsgi_app_starts_with_a_secret_key():
    result = run("import register.wsgi", SECRET_KEY="a-real-secret")
    assert result.returncode == 0, result.stderr


def test_management_commands_run_without_a_key():
    result = run(
        "import django, sys; sys.argv=['manage.py', 'check']; "
        "from django.core.management import execute_from_command_line; "
        "execute_from_command_line(sys.argv)"
    )
    assert result.returncode == 0, result.stderr
