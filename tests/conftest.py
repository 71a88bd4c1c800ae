"""Fixtures: one user per role, and the gate for tests that need real services.

Tests marked ``postgres``, ``worker`` or ``browser`` run only where that service is present.
Elsewhere they are skipped with the reason in the summary; with REQUIRE_REAL_SERVICES=1
(as in .ci/run) a missing service fails the run instead.
"""

import os
import shutil

import pytest
from django.contrib.auth.models import Group
from django.utils import translation

from providers.services import provider_staff_add
from register.constants import Role
from register.services import registry_staff_add
from reviews.constants import Perspective
from reviews.models import Committee, Membership

from .factories import CareTypeFactory, ProviderFactory, RegistryFactory, UserFactory


def _service_missing(marker: str) -> str | None:
    if marker == "postgres":
        if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
            return "needs PostgreSQL: set DATABASE_URL=postgresql://..."
    if marker == "worker":
        if not (os.environ.get("REDIS_URL") and os.environ.get("WORKER_MAIL_DIR")):
            return (
                "needs Redis and a Celery worker: set REDIS_URL and WORKER_MAIL_DIR and start "
                "the worker as .ci/run does"
            )
    if marker == "browser":
        if not shutil.which(os.environ.get("CHROMIUM", "/usr/bin/chromium")):
            return "needs Chromium at /usr/bin/chromium (apt-get install chromium)"
        try:
            import playwright  # noqa: F401
        except ImportError:
            return "needs the playwright package"
    return None


@pytest.fixture
def english(settings):
    """Run the test in English, for tests whose assertions name the English texts.

    The portal speaks Dutch by default (LANGUAGE_CODE = "nl"); a module opts in with
    ``pytest.mark.usefixtures("english")``. Requests without Accept-Language fall back to
    LANGUAGE_CODE; code outside a request (services, table import) uses the active language.
    """
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def pytest_collection_modifyitems(config, items):
    if os.environ.get("REQUIRE_REAL_SERVICES") == "1":
        return  # pytest_runtest_setup fails these instead of skipping them
    for item in items:
        for marker in ("postgres", "worker", "browser"):
            reason = item.get_closest_marker(marker) and _service_missing(marker)
            if reason:
                item.add_marker(pytest.mark.skip(reason=f"real-service test skipped: {reason}"))


def pytest_runtest_setup(item):
    if os.environ.get("REQUIRE_REAL_SERVICES") != "1":
        return
    for marker in ("postgres", "worker", "browser"):
        reason = item.get_closest_marker(marker) and _service_missing(marker)
        if reason:
            pytest.fail(f"REQUIRE_REAL_SERVICES=1: {reason}", pytrace=False)


# --- Parties and users per role ------------------------------------------------------------


@pytest.fixture
def care_type(db):
    return CareTypeFactory(code="hip-fracture", name="Heupfractuurzorg")


@pytest.fixture
def registry(db, care_type):
    return RegistryFactory(acronym="dhfa", name="Dutch Hip Fracture Audit", care_types=[care_type])


@pytest.fixture
def other_registry(db, care_type):
    return RegistryFactory(acronym="other", name="Andere registratie", care_types=[care_type])


@pytest.fixture
def registry_user(registry):
    user = UserFactory(email="registry@example.org")
    registry_staff_add(registry=registry, user=user)
    return user


@pytest.fixture
def other_registry_user(other_registry):
    user = UserFactory(email="registry2@example.org")
    registry_staff_add(registry=other_registry, user=user)
    return user


def _committee_member(code: str, email: str):
    user = UserFactory(email=email)
    committee = Committee.objects.get(code=code)
    user.groups.add(committee.group)
    Membership.objects.create(committee=committee, user=user, perspective=Perspective.PATIENTS)
    return user


@pytest.fixture
def igc_user(db):
    return _committee_member("IGC", "igc@example.org")


@pytest.fixture
def dgc_user(db):
    return _committee_member("DGC", "dgc@example.org")


def _role_user(role: str, email: str):
    user = UserFactory(email=email)
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def secretariat_user(db):
    return _role_user(Role.SECRETARIAT, "secretariat@example.org")


@pytest.fixture
def zin_user(db):
    return _role_user(Role.ZIN, "zin@example.org")


@pytest.fixture
def superuser(db):
    """A superuser without any grant: superuser status gives no object permission."""
    return UserFactory(email="admin@example.org", is_staff=True, is_superuser=True)


@pytest.fixture
def provider(db, care_type):
    return ProviderFactory(
        name="Ziekenhuis Rivierenland",
        agb_code="06010101",
        categories=["AZ"],
        care_types=[care_type],
    )


@pytest.fixture
def other_provider(db, care_type):
    return ProviderFactory(
        name="Ander Ziekenhuis", agb_code="06020202", categories=["STZ"], care_types=[care_type]
    )


@pytest.fixture
def provider_user(provider):
    user = UserFactory(email="provider@example.org")
    provider_staff_add(provider=provider, user=user)
    return user


@pytest.fixture
def other_provider_user(other_provider):
    user = UserFactory(email="provider2@example.org")
    provider_staff_add(provider=other_provider, user=user)
    return user
