"""load_demo: the demo landscape and accounts (DESIGN.md: demo accounts, make demo)."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from providers.models import Participation, Provider
from providers.permissions import can_act_for_provider
from register import permissions, selectors
from register.constants import DecisionOutcome, Role, SubmissionStatus
from register.models import AuditEntry, Decision, Registry, Variable
from register.roles import has_role
from reviews.constants import CommitteeCode, ReviewStatus
from reviews.models import Membership, Review
from reviews.permissions import can_review

pytestmark = pytest.mark.django_db


def load(*args):
    out = io.StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def counts():
    return (
        get_user_model().objects.count(),
        Registry.objects.count(),
        Provider.objects.count(),
        Variable.objects.count(),
        Participation.objects.count(),
    )


def test_load_demo_builds_the_landscape_and_accounts():
    output = load()
    User = get_user_model()
    for email in [
        "registry@example.org",
        "igc@example.org",
        "dgc@example.org",
        "secretariat@example.org",
        "zin@example.org",
        "provider@example.org",
        "admin@example.org",
    ]:
        assert email in output
        assert User.objects.get(username=email).check_password("demo")

    registries = {r.acronym: r for r in selectors.registries_with_current_decision()}
    ltr, ladis, lnaz = registries["ltr"], registries["ladis"], registries["lnaz"]
    assert ltr.statutory and ladis.statutory
    assert ltr.current_outcome == ladis.current_outcome == DecisionOutcome.INCLUDE
    assert lnaz.bsn_allowed and ladis.bsn_allowed and not ltr.bsn_allowed
    included = {r.acronym for r in selectors.included_registries()}
    assert {"ltr", "ladis", "dhfa", "dcra", "nbca"} <= included
    assert (
        "akwa-rom" not in included
        and registries["akwa-rom"].current_outcome == DecisionOutcome.REFUSE
    )
    today = timezone.localdate()
    assert registries["nbca"].current_effective_from > today  # one inclusion takes effect later
    assert registries["dcra"].current_effective_from <= today
    assert "nbca" not in {r.acronym for r in selectors.included_registries(on=today)}

    def status(acronym):
        return (
            Registry.objects.get(acronym=acronym)
            .submissions.order_by("-submitted_at")
            .first()
            .status
        )

    assert status("nhr") == SubmissionStatus.APPLIED
    assert status("dpard") == SubmissionStatus.ADVISED
    assert status("dlca-s") == SubmissionStatus.IN_REVIEW
    lnaz_reviews = {
        r.committee.code: r.status
        for r in Review.objects.filter(submission__registry__acronym="lnaz")
    }
    assert lnaz_reviews == {
        CommitteeCode.IGC: ReviewStatus.ADVISED,
        CommitteeCode.DGC: ReviewStatus.OPEN,
    }
    # Published through the service (the letters are rendered after commit, outside this test).
    assert Decision.objects.filter(published_at__isnull=False).count() == 6
    # Only LADIS and LNAZ request the BSN pseudonym.
    assert set(
        Registry.objects.filter(dataset_versions__pseudonym_requests__type="B").values_list(
            "acronym", flat=True
        )
    ) == {"ladis", "lnaz"}
    for registry in Registry.objects.all():
        for version in registry.dataset_versions.all():
            assert 20 <= version.variables.count() <= 200, (registry, version.number)

    # Roles and object permissions.
    dhfa = Registry.objects.get(acronym="dhfa")
    registry_user = User.objects.get(username="registry@example.org")
    assert permissions.can_manage_dossier(registry_user, dhfa)
    assert not permissions.can_manage_dossier(registry_user, Registry.objects.get(acronym="nhr"))
    assert dhfa.dataset_versions.order_by("-number").first().status == "draft"
    igc, dgc = (
        User.objects.get(username="igc@example.org"),
        User.objects.get(username="dgc@example.org"),
    )
    dgc_open = Review.objects.get(submission__registry__acronym="lnaz", committee__code="DGC")
    assert can_review(dgc, dgc_open) and not can_review(igc, dgc_open)
    for code in ("IGC", "DGC"):
        perspectives = list(
            Membership.objects.filter(committee__code=code).values_list("perspective", flat=True)
        )
        assert len(perspectives) == 8 and all(perspectives.count(p) == 2 for p in set(perspectives))
    assert has_role(User.objects.get(username="zin@example.org"), Role.ZIN)
    assert has_role(User.objects.get(username="secretariat@example.org"), Role.SECRETARIAT)
    assert User.objects.get(username="admin@example.org").is_superuser
    provider_user = User.objects.get(username="provider@example.org")
    rijnstate = Provider.objects.get(agb_code="06100105")
    assert can_act_for_provider(provider_user, rijnstate)
    assert not can_act_for_provider(provider_user, Provider.objects.get(agb_code="06100106"))
    assert selectors.obligations(
        category_codes=["STZ"],
        care_type_codes=list(rijnstate.care_types.values_list("code", flat=True)),
        on=today,
    )
    assert Provider.objects.count() >= 20
    assert all(len(p.agb_code) == 8 and p.agb_code.isdigit() for p in Provider.objects.all())
    assert Participation.objects.filter(provider=rijnstate).exists()
    assert AuditEntry.objects.filter(action="decision.publish").exists()

    # Running again neither crashes nor duplicates; --force reloads the same landscape.
    before = counts()
    assert "already loaded" in load()
    assert counts() == before
    load("--force")
    assert counts() == before


def test_scale_multiplies_registries_and_providers():
    load("--scale", "2")
    assert Registry.objects.filter(acronym="dhfa-2").exists()
    assert Registry.objects.count() == 2 * Registry.objects.exclude(acronym__regex=r"-\d+$").count()
    assert Provider.objects.count() == 2 * 23
    included = {r.acronym for r in selectors.included_registries()}
    assert {"ltr-2", "dhfa-2", "nbca-2"} <= included and "akwa-rom-2" not in included
    dgc = get_user_model().objects.get(username="dgc@example.org")
    assert can_review(
        dgc, Review.objects.get(submission__registry__acronym="lnaz-2", committee__code="DGC")
    )
    assert (
        Variable.objects.filter(dataset_version__registry__acronym="dhfa-2").count()
        > Variable.objects.filter(
            dataset_version__registry__acronym="dhfa", dataset_version__number__lte=2
        ).count()
        / 2
    )
