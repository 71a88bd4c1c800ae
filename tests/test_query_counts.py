"""Pages use the same number of SQL queries at any data size.

Measured on the demo landscape (`load_demo --scale 1` and `--scale 5`).
"""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

PAGES = [
    ("anonymous", "/register/"),
    ("anonymous", "/register/?care_type=heupfractuur"),
    ("anonymous", "/register/dhfa/"),
    ("anonymous", "/register/ltr/?page=2"),
    ("anonymous", "/obligations/?provider_category=STZ&care_type=heupfractuur&care_type=trauma"),
    ("provider@example.org", "/provider/"),
    ("provider@example.org", "/provider/06100105/registries/dhfa/"),
    ("anonymous", "/api/v1/registries/"),
    ("anonymous", "/api/v1/registries/dhfa/variables/"),
    ("anonymous", "/api/v1/obligations/?provider_category=STZ&care_type=heupfractuur"),
    ("provider@example.org", "/api/v1/providers/06100105/obligations/"),
    ("anonymous", "/register/process/"),
    ("registry@example.org", "/dossiers/"),
    ("registry@example.org", "/dossiers/dhfa/"),
    ("igc@example.org", "/reviews/"),
    ("secretariat@example.org", "/reviews/secretariat/"),
    ("secretariat@example.org", "/reviews/secretariat/?overdue=on"),
    ("secretariat@example.org", "/reviews/catalogues/"),
]
MAX_QUERIES = 15


def measure() -> dict[str, int]:
    counts = {}
    for account, url in PAGES:
        client = Client()
        if account != "anonymous":
            client.force_login(get_user_model().objects.get(username=account))
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, f"{url}: {response.status_code}"
        counts[url] = len(queries)
    return counts


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_pages_use_constant_queries_at_scale_1_and_5():
    call_command("load_demo", scale=1, verbosity=0)
    at_scale_1 = measure()
    call_command("load_demo", scale=5, force=True, verbosity=0)
    at_scale_5 = measure()
    assert at_scale_5 == at_scale_1
    assert max(at_scale_1.values()) <= MAX_QUERIES, at_scale_1
