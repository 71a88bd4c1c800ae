"""factory_boy factories, with a trait per state where a state matters."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from providers.models import Provider
from register.constants import DatasetStatus, DecisionOutcome, SubmissionStage, SubmissionStatus
from register.models import (
    CareType,
    DatasetVersion,
    Decision,
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
