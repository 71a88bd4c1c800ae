"""Production refuses to start with insecure defaults.

Checked where the portal serves users (the WSGI app, a Celery worker); management commands such
as migrate or makemigrations still run without a key.
"""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def refuse_insecure_defaults() -> None:
    if not settings.DEBUG and settings.SECRET_KEY == settings.INSECURE_SECRET_KEY:
        raise ImproperlyConfigured("Set SECRET_KEY (or DEBUG=1 for local development).")
