"""The permission matrix: every URL pattern from the resolver × every role × GET and POST.

A row per URL name says which roles may get a 2xx answer. The test fails on any 2xx for a
role that is not allowed, on any change written by a refused request, on an allowed GET that
does not answer 200, and on any URL pattern without a row.
"""

import datetime
import re
from dataclasses import dataclass, field

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from providers.models import Participation
from register import services
from register.constants import DecisionOutcome, SubmissionStage
from register.models import (
    AuditEntry,
    DatasetVersion,
    Decision,
    Document,
    Indicator,
    PseudonymRequest,
    Submission,
    Variable,
)
from reviews.advice import advice_document_render
from reviews.constants import AdviceOutcome
from reviews.models import Advice
from tests.factories import advise, clean_dossier

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

ANON, REG, REG2, IGC, DGC, SEC, ZIN, PROV, PROV2 = (
    "anonymous",
    "registry",
    "registry2",
    "igc",
    "dgc",
    "secretariat",
    "zin",
    "provider",
    "provider2",
)
ROLES = [ANON, REG, REG2, IGC, DGC, SEC, ZIN, PROV, PROV2]
ALL = frozenset(ROLES)
SIGNED_IN = ALL - {ANON}
NOBODY = frozenset()


@dataclass
class Row:
    kwargs: callable = lambda w: {}
    get: frozenset = NOBODY
    post: frozenset = NOBODY
    query: str = ""
    get_status: int = 200  # what an allowed GET must answer
    extra: dict = field(default_factory=dict)


@dataclass
class World:
    registry: object
    draft: DatasetVersion
    decided_submission: Submission
    advised_submission: Submission
    decision: Decision
    document: Document
    igc_review: object
    provider: object
    care_type: object


def _pdf(name):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def world(registry, registry_user, igc_user, dgc_user, zin_user, provider, care_type):
    def submit_and_advise(version):
        clean_dossier(version, SubmissionStage.SUPPLEMENTARY, user=registry_user)
        submission = services.dataset_version_submit(
            dataset_version=version, actor=registry_user, stage=SubmissionStage.SUPPLEMENTARY
        )
        for review, user in zip(
            submission.reviews.order_by("committee__code"), [dgc_user, igc_user], strict=True
        ):
            advice = advise(review, AdviceOutcome.POSITIVE, actor=user, motivation="Goed.")
            advice_document_render(advice_id=advice.pk)
        return submission

    v1 = services.dataset_version_create(registry=registry, actor=registry_user)
    services.variable_save(
        dataset_version=v1,
        actor=registry_user,
        data={"code": "VAR1", "name": "Leeftijd", "purposes": ["learn_improve"], "necessity": "n"},
        requirements={"AZ": "base"},
    )
    decided = submit_and_advise(v1)
    services.submission_apply(
        submission=decided, actor=registry_user, application_form=_pdf("a.pdf")
    )
    decision = services.decision_record(
        submission=decided,
        actor=zin_user,
        outcome=DecisionOutcome.INCLUDE,
        reasoning="Voldoet.",
        effective_from=datetime.date(2026, 3, 1),
    )
    services.decision_publish(decision=decision, actor=zin_user)
    services.decision_letter_send(decision_id=decision.pk)
    v2 = services.dataset_version_create(registry=registry, actor=registry_user)
    advised = submit_and_advise(v2)
    draft = services.dataset_version_create(registry=registry, actor=registry_user)
    document = services.document_add(
        registry=registry, actor=registry_user, kind="dpia", title="DPIA", file=_pdf("dpia.pdf")
    )
    return World(
        registry=registry,
        draft=draft,
        decided_submission=decided,
        advised_submission=advised,
        decision=decision,
        document=document,
        igc_review=advised.reviews.get(committee__code="IGC"),
        provider=provider,
        care_type=care_type,
    )


def acronym(w):
    return {"acronym": w.registry.acronym}


def version(w):
    return {"acronym": w.registry.acronym, "number": w.draft.number}


def variable(w):
    return {**version(w), "code": "VAR1"}


def agb(w):
    return {"agb": w.provider.agb_code}


def table_import(w):
    """A failed import of the matrix's registry (its status page and error list)."""
    from register.models import TableImport, TableImportStatus

    job = TableImport.objects.filter(registry=w.registry).first()
    if job is None:
        job = TableImport.objects.create(
            registry=w.registry,
            uploaded_by=w.document.uploaded_by,
            original_name="tabel.csv",
            format="csv",
            status=TableImportStatus.FAILED,
            errors=["row 2, column AZ: unknown value 'x'"],
            error_details=[["", "2", "AZ", "unknown value 'x'"]],
        )
    return {**acronym(w), "pk": job.pk}


COMMITTEES = frozenset({IGC, DGC})
REGISTRY_ONLY = frozenset({REG})

ROWS: dict[str, Row] = {
    # Public pages and sign-in.
    "home": Row(get=ALL),
    "public:registry_list": Row(get=ALL),
    "public:registry_detail": Row(acronym, get=ALL),
    "public:obligations": Row(get=ALL),
    "login": Row(get=ALL, post=ALL),
    "logout": Row(post=ALL),
    "set_language": Row(get=ALL, post=ALL, get_status=302),
    # Registry staff: only their own registry.
    "dossiers:registry_list": Row(get={REG, REG2}),
    "dossiers:registry_detail": Row(acronym, get=REGISTRY_ONLY),
    "dossiers:version_create": Row(acronym, post=REGISTRY_ONLY),
    "dossiers:version_diff": Row(acronym, get=REGISTRY_ONLY),
    "dossiers:document_add": Row(acronym, get=REGISTRY_ONLY, post=REGISTRY_ONLY),
    "dossiers:document_replace": Row(
        lambda w: {**acronym(w), "pk": w.document.pk}, get=REGISTRY_ONLY, post=REGISTRY_ONLY
    ),
    "dossiers:document_confidential": Row(
        lambda w: {**acronym(w), "pk": w.document.pk}, post=REGISTRY_ONLY
    ),
    "dossiers:submission_apply": Row(
        lambda w: {**acronym(w), "pk": w.advised_submission.pk},
        get=REGISTRY_ONLY,
        post=REGISTRY_ONLY,
    ),
    "dossiers:version_detail": Row(version, get=REGISTRY_ONLY),
    "dossiers:variable_create": Row(version, get=REGISTRY_ONLY, post=REGISTRY_ONLY),
    "dossiers:variable_edit": Row(variable, get=REGISTRY_ONLY, post=REGISTRY_ONLY),
    "dossiers:variable_delete": Row(variable, get=REGISTRY_ONLY, post=REGISTRY_ONLY),
    "dossiers:indicator_create": Row(version, post=REGISTRY_ONLY),
    "dossiers:pseudonym_add": Row(version, post=REGISTRY_ONLY),
    "dossiers:version_submit": Row(version, post=REGISTRY_ONLY),
    "dossiers:version_check": Row(version, get=REGISTRY_ONLY),
    # The matrix's version is a draft: GET explains that only a submitted version has a PDF.
    "dossiers:version_pdf": Row(version, get=REGISTRY_ONLY),
    "dossiers:version_pdf_request": Row(version, post=REGISTRY_ONLY),
    # Importing the accountability table from a file in the browser (register.table_imports).
    "dossiers:table_import": Row(acronym, get=REGISTRY_ONLY, post=REGISTRY_ONLY),
    "dossiers:table_import_status": Row(table_import, get=REGISTRY_ONLY),
    "dossiers:table_import_errors": Row(table_import, get=REGISTRY_ONLY),
    "dossiers:version_export": Row(lambda w: {**version(w), "format": "xlsx"}, get=REGISTRY_ONLY),
    # Editing the accountability table at real size (bulk base / plus / not requested).
    "dossiers:version_table_edit": Row(version, get=REGISTRY_ONLY, post=REGISTRY_ONLY),
    # Committees see a registry's documents while they review it; so do ZIN and SSC-DG. The
    # matrix's document is not confidential: a confidential one is refused to SSC-DG (404),
    # see tests/register/test_documents_history.py.
    "dossiers:document_download": Row(
        lambda w: {"pk": w.document.pk}, get={REG, IGC, DGC, SEC, ZIN}
    ),
    # Zorginstituut.
    "decisions:application_list": Row(get={ZIN}),
    "decisions:submission_detail": Row(
        lambda w: {"pk": w.decided_submission.pk}, get={ZIN}, post={ZIN}
    ),
    # A decision on an application shows on the application's page.
    "decisions:decision_detail": Row(lambda w: {"pk": w.decision.pk}, get={ZIN}, get_status=302),
    "decisions:decision_publish": Row(lambda w: {"pk": w.decision.pk}, post={ZIN}),
    "decisions:decision_letter": Row(lambda w: {"pk": w.decision.pk}, get={ZIN, REG}),
    # Committees: only reviews of their own committee.
    "reviews:review_list": Row(get=COMMITTEES),
    # The overview reads only; the advice has its own page.
    "reviews:review_detail": Row(lambda w: {"pk": w.igc_review.pk}, get={IGC}),
    "reviews:advice_document": Row(lambda w: {"pk": w.igc_review.pk}, get={IGC, REG, SEC, ZIN}),
    # Internal notes on the overview (reviews.notes): POST only, the reviewing committee only.
    "reviews:review_note_add": Row(lambda w: {"pk": w.igc_review.pk}, post={IGC}),
    # E: variable by variable (reviews.judgements): the reviewing committee only; the matrix's
    # review is advised, so both pages are read-only (a POST answers 409, tested in
    # tests/reviews/test_variables_views.py).
    "reviews:review_variables": Row(lambda w: {"pk": w.igc_review.pk}, get={IGC}, post={IGC}),
    "reviews:variable_judgement": Row(
        lambda w: {"pk": w.igc_review.pk, "code": "VAR1"}, get={IGC}, post={IGC}
    ),
    # F: the advice of a review (conflicts, draft, positions, conclusion, PDF): the reviewing
    # committee only. The registry reacts to a draft of its own registry only; the matrix's
    # advice is definitive, so the registry's page shows it without a form.
    "reviews:review_advice": Row(lambda w: {"pk": w.igc_review.pk}, get={IGC}, post={IGC}),
    "dossiers:advice_react": Row(
        lambda w: {**acronym(w), "pk": w.igc_review.advice.pk},
        get=REGISTRY_ONLY,
        post=REGISTRY_ONLY,
    ),
    # Criteria, each committee its own way: the reviewing committee only (the matrix's review
    # is advised, so the page is read-only); the secretariat keeps the catalogues.
    "reviews:review_criteria": Row(lambda w: {"pk": w.igc_review.pk}, get={IGC}, post={IGC}),
    "reviews:catalogue_list": Row(get={SEC}),
    "reviews:catalogue_detail": Row(lambda w: {"pk": w.igc_review.catalogue_id}, get={SEC}),
    "reviews:catalogue_new_version": Row(
        lambda w: {"pk": w.igc_review.catalogue_id}, get={SEC}, post={SEC}
    ),
    # The secretariat's dashboard, assignment and XLSX overview (reviews.pipeline): SSC-DG only;
    # the public overview of the process; the registry's consent to publish its advice.
    "reviews:secretariat_dashboard": Row(get={SEC}),
    "reviews:review_assign": Row(lambda w: {"pk": w.igc_review.pk}, get={SEC}, post={SEC}),
    "reviews:pipeline_export": Row(get={SEC}),
    # Clarification rounds (reviews.clarifications): the reviewing committee sends questions;
    # only the registry of the submission sees its review's simple status and answers.
    "reviews:review_clarifications": Row(lambda w: {"pk": w.igc_review.pk}, get={IGC}, post={IGC}),
    "dossiers:review_status": Row(
        lambda w: {**acronym(w), "pk": w.igc_review.pk}, get=REGISTRY_ONLY, post=REGISTRY_ONLY
    ),
    "public:process": Row(get=ALL),
    "dossiers:advice_consent": Row(acronym, post=REGISTRY_ONLY),
    # Providers: only their own provider.
    "provider:dashboard": Row(get={PROV, PROV2}),
    "provider:provider_detail": Row(agb, get={PROV}),
    "provider:obligation_detail": Row(lambda w: {**agb(w), **acronym(w)}, get={PROV}),
    "provider:participation_edit": Row(lambda w: {**agb(w), **acronym(w)}, get={PROV}, post={PROV}),
    # The API: public reads, nothing writable; provider data for its own staff only.
    "api-schema": Row(get=ALL),
    "api-docs": Row(get=ALL),
    "api-root": Row(get=ALL),
    "api-obligations": Row(
        get=ALL, query="provider_category=AZ&care_type=hip-fracture&on=2026-11-01"
    ),
    "api-registry-list": Row(get=ALL),
    "api-registry-detail": Row(acronym, get=ALL),
    "api-variable-list": Row(acronym, get=ALL),
    "api-decision-list": Row(get=ALL),
    "api-decision-detail": Row(lambda w: {"pk": w.decision.pk}, get=ALL),
    "api-provider-category-list": Row(get=ALL),
    "api-provider-category-detail": Row(lambda w: {"code": "AZ"}, get=ALL),
    "api-care-type-list": Row(get=ALL),
    "api-care-type-detail": Row(lambda w: {"code": w.care_type.code}, get=ALL),
    # Lists answer every signed-in user, filtered to their own providers (tested below).
    "api-provider-list": Row(get=SIGNED_IN),
    "api-provider-detail": Row(lambda w: {"agb_code": w.provider.agb_code}, get={PROV}),
    "api-provider-obligations": Row(lambda w: {"agb_code": w.provider.agb_code}, get={PROV}),
}

# Django's admin is for superusers only: none of the portal's roles may use any of it, except
# its sign-in page, which answers everyone.
ADMIN_ROW = Row(lambda w: {}, get=NOBODY, post=NOBODY)
ADMIN_LOGIN_ROW = Row(lambda w: {}, get=ALL, post=ALL)

PLACEHOLDER_VALUES = {
    "object_id": "1",
    "object_pk": "1",
    "content_type_id": "1",
    "user_id": "1",
    "group_id": "1",
    "id": "1",
    "app_label": "register",
    "url": "unknown/",
    "format": "json",
}


def url_patterns():
    """(route, name) for every pattern the resolver knows, with namespaced names."""

    def walk(patterns, prefix, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = ":".join(filter(None, [namespace, pattern.namespace])) or None
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
            elif isinstance(pattern, URLPattern):
                name = pattern.name and (
                    f"{namespace}:{pattern.name}" if namespace else pattern.name
                )
                yield prefix + str(pattern.pattern), name

    return list(walk(get_resolver().url_patterns, "", None))


PARAM = re.compile(r"<(?:([^>:]+):)?([^>]+)>|\(\?P<([^>]+)>[^)]*\)")


def materialise(route: str, values: dict) -> str:
    def value(match):
        if match.group(1) == "drf_format_suffix":
            return ".json"  # this converter matches the dot too
        name = match.group(2) or match.group(3)
        return str(values.get(name, PLACEHOLDER_VALUES.get(name, "1")))

    path = PARAM.sub(value, route.replace("^", "").replace("$", "")).replace("/?", "/")
    return "/" + path.replace("\\.", ".")


def fingerprint():
    return tuple(
        model.objects.count()
        for model in (
            AuditEntry,
            DatasetVersion,
            Variable,
            Indicator,
            PseudonymRequest,
            Document,
            Submission,
            Decision,
            Advice,
            Participation,
        )
    ) + (Decision.objects.filter(published_at__isnull=False).count(),)


@pytest.fixture
def clients(
    registry_user,
    other_registry_user,
    igc_user,
    dgc_user,
    secretariat_user,
    zin_user,
    provider_user,
    other_provider_user,
):
    users = {
        REG: registry_user,
        REG2: other_registry_user,
        IGC: igc_user,
        DGC: dgc_user,
        SEC: secretariat_user,
        ZIN: zin_user,
        PROV: provider_user,
        PROV2: other_provider_user,
    }
    result = {ANON: Client(raise_request_exception=False)}
    for role, user in users.items():
        client = Client(raise_request_exception=False)
        client.force_login(user)
        result[role] = client
    return result


@pytest.mark.django_db
def test_every_url_answers_only_the_roles_its_row_allows(world, clients):
    failures = []
    patterns = url_patterns()
    assert len(patterns) > 40, "the resolver walk found too few URL patterns"
    for route, name in patterns:
        if name == "admin:login":
            row = ADMIN_LOGIN_ROW
        elif route.startswith("admin/"):
            row = ADMIN_ROW
        elif name not in ROWS:
            failures.append(f"no row for URL pattern {route!r} (name {name!r})")
            continue
        else:
            row = ROWS[name]
        url = materialise(route, row.kwargs(world)) + (f"?{row.query}" if row.query else "")
        for method, allowed in (("GET", row.get), ("POST", row.post)):
            for role in ROLES:
                if method == "POST" and role in allowed:
                    continue  # allowed writes are tested with real data in the app tests
                before = fingerprint()
                client = clients[role]
                response = client.get(url) if method == "GET" else client.post(url, {})
                status = response.status_code
                if status >= 500:
                    failures.append(f"{method} {url} as {role}: server error {status}")
                elif role in allowed and method == "GET" and status != row.get_status:
                    failures.append(
                        f"{method} {url} as {role}: {status}, expected {row.get_status}"
                    )
                elif role not in allowed and 200 <= status < 300:
                    failures.append(f"{method} {url} as {role}: unauthorised {status}")
                if role not in allowed and fingerprint() != before:
                    failures.append(f"{method} {url} as {role}: a refused request wrote data")
    assert not failures, "\n".join(failures)


def test_every_row_names_a_url_that_exists():
    names = {name for _route, name in url_patterns()}
    assert set(ROWS) - names == set()


@pytest.mark.django_db
def test_lists_return_only_the_users_own_objects(world, clients, other_provider):
    registry_list = clients[REG2].get("/dossiers/")
    assert registry_list.status_code == 200
    assert world.registry.name not in registry_list.content.decode()
    providers = clients[PROV2].get("/api/v1/providers/").json()
    assert [p["agb_code"] for p in providers["results"]] == [other_provider.agb_code]
    assert clients[REG].get("/api/v1/providers/").json()["results"] == []
    dgc_reviews = clients[DGC].get("/reviews/").content.decode()
    assert f"/reviews/{world.igc_review.pk}/" not in dgc_reviews
    assert clients[PROV2].get("/provider/").content.decode().count(world.provider.agb_code) == 0


@pytest.mark.django_db
def test_creating_under_another_partys_parent_is_refused_and_writes_nothing(world, clients):
    before = fingerprint()
    url = f"/dossiers/{world.registry.acronym}/versions/{world.draft.number}/variables/new/"
    response = clients[REG2].post(url, {"code": "SNEAKY", "name": "x", "necessity": "x"})
    assert response.status_code == 404
    response = clients[PROV2].post(
        f"/provider/{world.provider.agb_code}/registries/{world.registry.acronym}/participation/",
        {"agreement_status": "signed", "delivery_method": "batch", "coverage": "full"},
    )
    assert response.status_code == 404
    assert fingerprint() == before


def test_api_is_closed_by_default(settings):
    assert settings.REST_FRAMEWORK["DEFAULT_PERMISSION_CLASSES"] != [
        "rest_framework.permissions.AllowAny"
    ]
