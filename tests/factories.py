"""factory_boy factories, with a trait per state where a state matters."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from providers.models import Provider
from register.checks import SUPPLEMENTARY_DOCUMENTS, dossier_check
from register.constants import (
    DatasetStatus,
    DecisionOutcome,
    DocumentKind,
    Purpose,
    RequirementSet,
    SubmissionStage,
    SubmissionStatus,
)
from register.models import (
    CareType,
    DatasetVersion,
    Decision,
    Document,
    ProviderCategory,
    Registry,
    RegistryHolder,
    Requirement,
    Submission,
    Variable,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True
        django_get_or_create = ("username",)

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    username = factory.SelfAttribute("email")
    password = factory.django.Password("demo")


class CareTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CareType
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"care-{n}")
    name = factory.Sequence(lambda n: f"Zorgsoort {n}")


def category(code: str) -> ProviderCategory:
    """Provider categories are reference data from a migration."""
    return ProviderCategory.objects.get(code=code)


class RegistryHolderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RegistryHolder

    name = factory.Sequence(lambda n: f"Stichting Registratie {n}")
    kvk_number = factory.Sequence(lambda n: f"{40000000 + n}")
    contact_name = "A. de Vries"
    contact_email = factory.Sequence(lambda n: f"holder{n}@example.org")


class RegistryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registry
        skip_postgeneration_save = True

    acronym = factory.Sequence(lambda n: f"reg{n}")
    name = factory.Sequence(lambda n: f"Kwaliteitsregistratie {n}")
    holder = factory.SubFactory(RegistryHolderFactory)
    data_processor = "Dataverwerker B.V."
    population = "Patiënten die de zorg ontvangen."

    @factory.post_generation
    def care_types(self, create, extracted, **kwargs):
        if create and extracted:
            self.care_types.set(extracted)


class DatasetVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DatasetVersion

    registry = factory.SubFactory(RegistryFactory)
    number = factory.Sequence(lambda n: n + 1)

    class Params:
        submitted = factory.Trait(
            status=DatasetStatus.SUBMITTED, submitted_at=factory.LazyFunction(timezone.now)
        )


class VariableFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Variable
        skip_postgeneration_save = True

    dataset_version = factory.SubFactory(DatasetVersionFactory)
    code = factory.Sequence(lambda n: f"VAR{n:04d}")
    name = factory.Sequence(lambda n: f"Variabele {n}")
    purposes = factory.LazyFunction(lambda: ["learn_improve"])
    necessity = "Nodig voor de uitkomstindicator."

    @factory.post_generation
    def requirements(self, create, extracted, **kwargs):
        """``requirements={"UMC": "base", "AZ": "plus"}``."""
        if create and extracted:
            for code, value in extracted.items():
                Requirement.objects.create(
                    variable=self, provider_category=category(code), set=value
                )


class SubmissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Submission

    dataset_version = factory.SubFactory(DatasetVersionFactory, submitted=True)
    registry = factory.SelfAttribute("dataset_version.registry")
    stage = SubmissionStage.SUPPLEMENTARY
    status = SubmissionStatus.IN_REVIEW
    submitted_at = factory.LazyFunction(timezone.now)
    submitted_by = factory.SubFactory(UserFactory)

    class Params:
        applied = factory.Trait(
            status=SubmissionStatus.APPLIED, applied_at=factory.LazyFunction(timezone.now)
        )


class DecisionFactory(factory.django.DjangoModelFactory):
    """A decision; ``published=True`` puts it in the register."""

    class Meta:
        model = Decision

    dataset_version = factory.SubFactory(DatasetVersionFactory, submitted=True)
    registry = factory.SelfAttribute("dataset_version.registry")
    outcome = DecisionOutcome.INCLUDE
    reasoning = "Voldoet aan de wettelijke criteria."
    decided_at = factory.LazyFunction(timezone.now)
    decided_by = factory.SubFactory(UserFactory)
    effective_from = datetime.date(2026, 3, 1)

    class Params:
        published = factory.Trait(published_at=factory.LazyFunction(timezone.now))


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Provider
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Ziekenhuis {n}")
    agb_code = factory.Sequence(lambda n: f"{6000000 + n:08d}")

    @factory.post_generation
    def categories(self, create, extracted, **kwargs):
        if create and extracted:
            self.categories.set([category(code) for code in extracted])

    @factory.post_generation
    def care_types(self, create, extracted, **kwargs):
        if create and extracted:
            self.care_types.set(extracted)


class DocumentFactory(factory.django.DjangoModelFactory):
    """A dossier document; the file is only a name (tests that read the file upload one)."""

    class Meta:
        model = Document

    registry = factory.SubFactory(RegistryFactory)
    kind = DocumentKind.OTHER
    title = factory.LazyAttribute(lambda o: f"{DocumentKind(o.kind).label} {o.registry.acronym}")
    file = factory.LazyAttribute(lambda o: f"documents/{o.registry.acronym}/{o.kind}.pdf")
    uploaded_by = factory.SubFactory(UserFactory)


def clean_dossier(version: DatasetVersion, stage: str = SubmissionStage.FIRST, *, user=None):
    """Give a draft what the dossier check (register.checks) asks before it can be submitted.

    Fills in what a test's quick table leaves out: a purpose (learn and improve) and a
    necessity text where a variable has none, and the instrument purpose for a plus-set
    variable. For the supplementary review it adds the four documents (DPIA, independent DPIA
    assessment, signed participation agreement, implementation plan) the registry lacks.
    What a test chose on purpose stays (a direct identifier, pseudonym type B): if anything
    still blocks, this fails the test and names it. Writes no audit entries.
    """
    plus_ids = set(
        Requirement.objects.filter(
            variable__dataset_version=version, set=RequirementSet.PLUS
        ).values_list("variable_id", flat=True)
    )
    for variable in version.variables.all():
        purposes = list(variable.purposes or []) or [Purpose.LEARN_IMPROVE.value]
        if variable.pk in plus_ids and Purpose.INSTRUMENT not in purposes:
            purposes.append(Purpose.INSTRUMENT.value)
        necessity = variable.necessity if variable.necessity.strip() else "Nodig voor de indicator."
        if purposes != variable.purposes or necessity != variable.necessity:
            Variable.objects.filter(pk=variable.pk).update(purposes=purposes, necessity=necessity)
    documents = []
    if stage == SubmissionStage.SUPPLEMENTARY:
        present = set(
            Document.objects.filter(
                registry=version.registry, kind__in=SUPPLEMENTARY_DOCUMENTS
            ).values_list("kind", flat=True)
        )
        extra = {"uploaded_by": user} if user is not None else {}
        documents = [
            DocumentFactory(registry=version.registry, kind=kind, **extra)
            for kind in SUPPLEMENTARY_DOCUMENTS
            if kind not in present
        ]
    blocking = dossier_check(dataset_version=version, stage=stage).blocking
    assert not blocking, f"the test's dossier still blocks: {[f.message for f in blocking]}"
    return documents


# --- F: advice through the real flow (reviews.advice) --------------------------------------------


def committee_chair(committee):
    """The committee's chair: a member with ``is_chair`` (made once per committee)."""
    from reviews.constants import Perspective
    from reviews.models import Membership

    membership = (
        Membership.objects.filter(committee=committee, is_chair=True).select_related("user").first()
    )
    if membership is not None:
        return membership.user
    user = UserFactory(email=f"chair-{committee.code.lower()}@example.org")
    user.groups.add(committee.group)
    Membership.objects.create(
        committee=committee, user=user, perspective=Perspective.PROFESSIONALS, is_chair=True
    )
    return user


def criteria_all_met(review, actor=None):
    """Assess every criterion of the review's catalogue as met (IGC: sufficient; DGC: minimum
    met), through reviews.criteria, so that a positive advice is possible."""
    from reviews.criteria import criteria_assess_bulk
    from reviews.models import Criterion

    entries = [
        {"criterion": criterion, "rating": "sufficient", "minimum_met": True, "motivation": "Ok."}
        for criterion in Criterion.objects.filter(catalogue_id=review.catalogue_id)
    ]
    if entries:
        criteria_assess_bulk(
            review=review, actor=actor or committee_chair(review.committee), entries=entries
        )


def advise(review, outcome=None, *, actor=None, motivation="Goed onderbouwd.", conditions=""):
    """Give a review its definitive advice through the real flow: (for a positive advice) the
    criteria assessed as met, the draft sent by ``actor`` (default: the chair), the reaction
    deadline passing without a reaction, and the chair concluding. Returns the advice."""
    import datetime as _datetime

    from reviews.advice import advice_conclude, advice_draft
    from reviews.constants import POSITIVE_OUTCOMES, AdviceOutcome

    outcome = outcome or AdviceOutcome.POSITIVE
    chair = committee_chair(review.committee)
    if outcome in POSITIVE_OUTCOMES:
        criteria_all_met(review, actor or chair)
    if outcome == AdviceOutcome.POSITIVE_WITH_CONDITIONS and not conditions:
        conditions = "Binnen een jaar de plusset evalueren."
    today = timezone.localdate()
    advice = advice_draft(
        review=review,
        actor=actor or chair,
        outcome=outcome,
        motivation=motivation,
        conditions=conditions,
        reaction_deadline=today,
    )
    return advice_conclude(advice=advice, actor=chair, today=today + _datetime.timedelta(days=1))
