"""Public, read-only serializers: they expose only what the register publishes.

Never used for writing. Unpublished decisions, confidential documents, decision letters,
contact details and users are not reachable from here.
"""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from register.constants import (
    CodeSystem,
    DataType,
    DecisionOutcome,
    EhrSource,
    PersonalDataClass,
    Purpose,
    RequirementSet,
)
from register.models import CareType, Decision, ProviderCategory, Registry, Variable

REQUIREMENT_SETS = serializers.DictField(
    child=serializers.ChoiceField(choices=RequirementSet.choices),
    help_text=_("Per provider category code: base or plus set. A missing category: not requested."),
)


# --- Reference data --------------------------------------------------------------------------


class ProviderCategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = ProviderCategory
        fields = ["code", "name"]
        read_only_fields = fields


class CareTypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = CareType
        fields = ["code", "name"]
        read_only_fields = fields


# --- Decisions ---------------------------------------------------------------------------------


class DecisionSummarySerializer(serializers.ModelSerializer):
    """A published decision as part of a registry."""

    dataset_version = serializers.IntegerField(
        source="dataset_version.number",
        read_only=True,
        help_text=_("Number of the dataset version (accountability table) decided on."),
    )

    class Meta:
        model = Decision
        fields = [
            "id",
            "outcome",
            "decided_at",
            "effective_from",
            "published_at",
            "dataset_version",
            "reasoning",
        ]
        read_only_fields = fields


class DecisionSerializer(DecisionSummarySerializer):
    registry = serializers.CharField(source="registry.acronym", read_only=True)
    registry_name = serializers.CharField(source="registry.name", read_only=True)

    class Meta(DecisionSummarySerializer.Meta):
        fields = ["id", "registry", "registry_name", *DecisionSummarySerializer.Meta.fields[1:]]
        read_only_fields = fields


# --- Registries --------------------------------------------------------------------------------


class RegistrySerializer(serializers.ModelSerializer):
    """Expects a registry from ``public_registries`` / ``registry_public_detail``."""

    url = serializers.HyperlinkedIdentityField(
        view_name="api-registry-detail", lookup_field="acronym", read_only=True
    )
    holder = serializers.CharField(source="holder.name", read_only=True)
    care_types = CareTypeSerializer(many=True, read_only=True)
    included = serializers.SerializerMethodField(
        help_text=_("Whether the current decision includes the registry in the register.")
    )
    current_decision = serializers.SerializerMethodField(
        help_text=_("The latest published decision.")
    )

    class Meta:
        model = Registry
        fields = [
            "url",
            "acronym",
            "name",
            "holder",
            "data_processor",
            "care_types",
            "website",
            "statutory",
            "bsn_allowed",
            "included",
            "current_decision",
        ]
        read_only_fields = fields

    def get_included(self, registry) -> bool:
        return registry.current_outcome == DecisionOutcome.INCLUDE

    @extend_schema_field(DecisionSummarySerializer)
    def get_current_decision(self, registry):
        decision = next(
            (d for d in registry.published_decisions if d.pk == registry.current_decision_id), None
        )
        return DecisionSummarySerializer(decision, context=self.context).data if decision else None


class CommitteeAdviceSerializer(serializers.Serializer):
    committee = serializers.CharField(source="review.committee.code", help_text=_("IGC or DGC."))
    outcome = serializers.CharField(help_text=_("positive, positive_conditions or negative."))
    definitive_at = serializers.DateTimeField()
    valid_until = serializers.DateField(
        allow_null=True, help_text=_("A positive advice holds for at most five years.")
    )
    unanimous = serializers.BooleanField(
        help_text=_("Every participating member agreed with the advice.")
    )


class PublicAdviceSerializer(serializers.Serializer):
    """reviews.selectors.PublicAdvice: the same rule as the public page."""

    consented = serializers.BooleanField(
        help_text=_("The registry consented to publishing the committees' advice.")
    )
    committees = CommitteeAdviceSerializer(
        many=True, help_text=_("The latest definitive advice per committee; only with consent.")
    )
    unanimously_positive = serializers.BooleanField(
        help_text=_("IGC and DGC both advised positively, each unanimously; only with consent.")
    )
    reassessment_due = serializers.DateField(
        allow_null=True, help_text=_("When the positive advice runs out and re-assessment is due.")
    )


class RegistryDetailSerializer(RegistrySerializer):
    advice = serializers.SerializerMethodField(
        help_text=_("The committees' advice, as far as the register publishes it.")
    )
    decisions = DecisionSummarySerializer(
        source="published_decisions",
        many=True,
        read_only=True,
        help_text=_("All published decisions on the registry, newest first."),
    )

    class Meta(RegistrySerializer.Meta):
        fields = [
            *RegistrySerializer.Meta.fields[:5],
            "population",
            *RegistrySerializer.Meta.fields[5:],
            "advice",
            "decisions",
        ]
        read_only_fields = fields

    @extend_schema_field(PublicAdviceSerializer)
    def get_advice(self, registry):
        from reviews.selectors import public_advice

        advice = public_advice(registry, included=self.get_included(registry))
        return PublicAdviceSerializer(advice, context=self.context).data


class RegistryFilterSerializer(serializers.Serializer):
    """Query parameters of the register list."""

    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=100,
        help_text=_("Search in acronym, name and holder."),
    )
    care_type = serializers.SlugRelatedField(
        slug_field="code",
        queryset=CareType.objects.all(),
        required=False,
        help_text=_("Care type code: only registries covering this care type."),
    )
    provider_category = serializers.SlugRelatedField(
        slug_field="code",
        queryset=ProviderCategory.objects.all(),
        required=False,
        help_text=_("Provider category code: only registries that ask something of this category."),
    )


# --- Variables -------------------------------------------------------------------------------


class VariableSerializer(serializers.ModelSerializer):
    """A variable of the included dataset; expects requirements prefetched with categories."""

    data_type = serializers.ChoiceField(choices=DataType.choices, read_only=True)
    code_system = serializers.ChoiceField(choices=CodeSystem.choices, read_only=True)
    personal_data = serializers.ChoiceField(choices=PersonalDataClass.choices, read_only=True)
    ehr_source = serializers.ChoiceField(choices=EhrSource.choices, read_only=True)
    purposes = serializers.ListField(
        child=serializers.ChoiceField(choices=Purpose.choices), read_only=True
    )
    requirements = serializers.SerializerMethodField()

    class Meta:
        model = Variable
        fields = [
            "code",
            "name",
            "description",
            "data_type",
            "unit",
            "code_system",
            "code_system_code",
            "purposes",
            "personal_data",
            "generalisation",
            "necessity",
            "proportionality",
            "subsidiarity",
            "ehr_source",
            "requirements",
        ]
        read_only_fields = fields

    @extend_schema_field(REQUIREMENT_SETS)
    def get_requirements(self, variable) -> dict[str, str]:
        return {r.provider_category.code: r.set for r in variable.requirements.all()}


# --- Obligations -------------------------------------------------------------------------------


class CodeListField(serializers.ListField):
    """A repeated query parameter of codes (``?care_type=a&care_type=b``)."""

    child = serializers.CharField(max_length=64)


class ObligationDateQuerySerializer(serializers.Serializer):
    """The ``on`` query parameter; without it, today."""

    on = serializers.DateField(
        required=False,
        input_formats=["iso-8601"],
        help_text=_("The obligations in force on this date, YYYY-MM-DD (default: today)."),
    )

    def to_internal_value(self, data):
        values = super().to_internal_value(data)
        values.setdefault("on", timezone.localdate())
        return values


class ObligationQuerySerializer(ObligationDateQuerySerializer):
    """Query parameters of the obligation checker. Errors are keyed by the parameter's name."""

    provider_category = serializers.SlugRelatedField(
        slug_field="code",
        queryset=ProviderCategory.objects.all(),
        help_text=_("Code of the provider's category (e.g. AZ)."),
        error_messages={"does_not_exist": _("Unknown provider category: {value}.")},
    )
    care_type = CodeListField(
        allow_empty=False,
        help_text=_("Code of a care type the provider delivers; repeat for more."),
    )

    def validate_care_type(self, codes):
        """All codes must exist; one query however many are given."""
        found = {c.code: c for c in CareType.objects.filter(code__in=codes)}
        unknown = sorted(set(codes) - set(found))
        if unknown:
            raise serializers.ValidationError(
                _("Unknown care type: %(codes)s.") % {"codes": ", ".join(unknown)}
            )
        return sorted(found.values(), key=lambda c: (c.name, c.code))


class ObligationRegistrySerializer(serializers.Serializer):
    acronym = serializers.CharField()
    name = serializers.CharField()
    holder = serializers.CharField(source="holder.name")


class ObligatedVariableSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    set = serializers.ChoiceField(
        choices=RequirementSet.choices,
        help_text=_("The strongest requirement over the provider's categories: base before plus."),
    )
    sets = serializers.DictField(
        child=serializers.ChoiceField(choices=RequirementSet.choices),
        help_text=_("Per provider category code of the provider: base or plus set."),
    )


class ObligationSerializer(serializers.Serializer):
    """One registry a provider must deliver to. Needs ``version_numbers`` in the context."""

    registry = ObligationRegistrySerializer()
    decision = serializers.IntegerField(source="decision_id", help_text=_("Id of the decision."))
    effective_from = serializers.DateField(help_text=_("The obligation starts on this date."))
    dataset_version = serializers.SerializerMethodField(
        help_text=_("Number of the dataset version to deliver.")
    )
    care_types = CareTypeSerializer(many=True, help_text=_("The matching care types."))
    base_count = serializers.IntegerField()
    plus_count = serializers.IntegerField()
    variables = ObligatedVariableSerializer(many=True)

    def get_dataset_version(self, obligation) -> int:
        return self.context["version_numbers"][obligation.dataset_version_id]


class ObligationReportSerializer(serializers.Serializer):
    """What a provider of these categories delivering these care types must deliver."""

    on = serializers.DateField()
    provider_categories = ProviderCategorySerializer(many=True)
    care_types = CareTypeSerializer(many=True)
    obligations = ObligationSerializer(
        many=True, help_text=_("Registries to deliver to on the date, with their variables.")
    )
    upcoming = ObligationSerializer(
        many=True, help_text=_("Published inclusions that take effect after the date.")
    )
