import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "register.settings")
application = get_wsgi_application()

from register.security import refuse_insecure_defaults  # noqa: E402  (needs settings loaded)

refuse_insecure_defaults()
