"""Test settings: the same as production settings, with a test key and fast hashing."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key")
os.environ.setdefault(
    "MEDIA_ROOT", os.path.join(os.path.dirname(__file__), "..", "var", "test-media")
)

from .settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False

# Tests run tasks in-process; the worker test (tests/test_real_services.py) switches this off
# for itself to send tasks through Redis to the real worker that .ci/run starts.
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
