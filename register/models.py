from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from .constants import (
    CodeSystem,
    DatasetStatus,
    DataType,
    DecisionOutcome,
    DocumentKind,
    EhrSource,
    PersonalDataClass,
    PseudonymType,
    RequirementSet,
    SubmissionStage,
    SubmissionStatus,
)
from .workflow import can_apply

code_validator = RegexValidator(r"^[A-Za-z0-9_.-]+$", _("Use letters, digits, '.', '_' or '-'."))

# Pages under /register/ that a registry of that acronym would hide.
RESERVED_ACRONYMS = {"process"}


def acronym_validator(value: str) -> None:
    if value.lower() in RESERVED_ACRONYMS:
        raise ValidationError(
            _("'%(value)s' is a page of the portal and cannot be an acronym."),
            params={"value": value},
        )


class ProviderCategory(models.Model):
    """A kind of provider (UMC, STZ, ...): kept as data, since registries differ in them."""

    code = models.CharField(_("code"), max_length=16, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)
    ordering = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["ordering", "code"]
        verbose_name = _("provider category (categorie zorgaanbieder)")
        verbose_name_plural = _("provider categories")

    def __str__(self):
        return self.code


class CareType(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True, validators=[code_validator])
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["name"]
        verbose_name = _("care type (zorgsoort)")
        verbose_name_plural = _("care types")

    def __str__(self):
        return self.name


class RegistryHolder(models.Model):
    name = models.CharField(_("name"), max_length=200)
    kvk_number = models.CharField(
        _("KvK number"),
        max_length=8,
        unique=True,
        validators=[RegexValidator(r"^\d{8}$", _("A KvK number has 8 digits."))],
    )
    non_profit = models.BooleanField(_("without profit motive"), default=True)
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_email = models.EmailField(_("contact e-mail"))

    class Meta:
        ordering = ["name"]
        verbose_name = _("registry holder (registratiehouder)")
        verbose_name_plural = _("registry holders")

    def __str__(self):
        return self.name


class Registry(models.Model):
    acronym = models.SlugField(
        _("acronym"), max_length=32, unique=True, validators=[acronym_validator]
    )
    name = models.CharField(_("name"), max_length=300)
    holder = models.ForeignKey(
        RegistryHolder, models.PROTECT, related_name="registries", verbose_name=_("holder")
    )
    data_processor = models.CharField(_("data processor (dataverwerker)"), max_length=200)
    care_types = models.ManyToManyField(
        CareType, related_name="registries", verbose_name=_("care types")
    )
    population = models.TextField(_("population and inclusion criteria"), blank=True)
    bsn_allowed = models.BooleanField(
        _("may process the BSN"),
        default=False,
        help_text=_("Wkz: only LADIS and LNAZ may process the BSN (pseudonym type B)."),
    )
    statutory = models.BooleanField(
        _("statutory registry"),
        default=False,
        help_text=_("Included by law without review (article III Wkz: LTR, LADIS)."),
    )
    publish_advice_consent = models.BooleanField(
        _("consents to publication of advice"), default=False
    )
    website = models.URLField(_("website"), blank=True)

    class Meta:
        ordering = ["acronym"]
        verbose_name = _("registry (kwaliteitsregistratie)")
        verbose_name_plural = _("registries")
        permissions = [("manage_dossier", _("Can manage the registry's dossier"))]

    def __str__(self):
        return self.acronym.upper()

    @property
    def display_acronym(self):
        return self.acronym.upper()


def table_pdf_upload_to(instance, filename):
    return f"tables/{instance.registry.acronym}/{filename}"


class DatasetVersion(models.Model):
    """One version of a registry's accountability table (verantwoordingstabel).

    Locked once submitted: a change makes a new version based on this one.
    """

    registry = models.ForeignKey(
        Registry, models.CASCADE, related_name="dataset_versions", verbose_name=_("registry")
    )
    number = models.PositiveIntegerField(_("version"))
    status = models.CharField(
        _("status"), max_length=16, choices=DatasetStatus.choices, default=DatasetStatus.DRAFT
    )
    based_on = models.ForeignKey(
        "self", models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("based on")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    table_pdf = models.FileField(_("table PDF"), upload_to=table_pdf_upload_to, blank=True)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("dataset version (verantwoordingstabel)")
        verbose_name_plural = _("dataset versions")
        constraints = [
            models.UniqueConstraint(fields=["registry", "number"], name="unique_version_number")
        ]

    def __str__(self):
        return f"{self.registry} v{self.number}"

    @property
    def is_locked(self) -> bool:
        return self.status != DatasetStatus.DRAFT


class Variable(models.Model):
    dataset_version = models.ForeignKey(
        DatasetVersion, models.CASCADE, related_name="variables", verbose_name=_("dataset version")
    )
    code = models.CharField(_("code"), max_length=64, validators=[code_validator])
    name = models.CharField(_("name"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    data_type = models.CharField(
        _("data type"), max_length=16, choices=DataType.choices, default=DataType.TEXT
    )
    unit = models.CharField(_("unit"), max_length=50, blank=True)
    code_system = models.CharField(
        _("code system"), max_length=16, choices=CodeSystem.choices, default=CodeSystem.NONE
    )
    code_system_code = models.CharField(_("code in code system"), max_length=100, blank=True)
    purposes = models.JSONField(_("purposes"), default=list, blank=True)
    personal_data = models.CharField(
        _("personal data"),
        max_length=16,
        choices=PersonalDataClass.choices,
        default=PersonalDataClass.NONE,
    )
    generalisation = models.CharField(_("generalisation"), max_length=200, blank=True)
    necessity = models.TextField(_("necessity"), blank=True)
    proportionality = models.TextField(_("proportionality"), blank=True)
    subsidiarity = models.TextField(_("subsidiarity"), blank=True)
    ehr_source = models.CharField(
        _("source in EHR"), max_length=8, choices=EhrSource.choices, default=EhrSource.YES
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("variable (variabele)")
        verbose_name_plural = _("variables")
        constraints = [
            models.UniqueConstraint(
                fields=["dataset_version", "code"], name="unique_variable_code_per_version"
            )
        ]

    def __str__(self):
        return f"{self.code} {self.name}"

    def clean(self):
        from .constants import Purpose

        unknown = set(self.purposes or []) - set(Purpose.values)
        if unknown:
            raise ValidationError(
                {"purposes": _("Unknown purpose: %s") % ", ".join(sorted(unknown))}
            )


class Requirement(models.Model):
    """Base or plus set for one variable and provider category; no row = not requested."""

    variable = models.ForeignKey(
        Variable, models.CASCADE, related_name="requirements", verbose_name=_("variable")
    )
    provider_category = models.ForeignKey(
        ProviderCategory, models.PROTECT, related_name="+", verbose_name=_("provider category")
    )
    set = models.CharField(_("set"), max_length=8, choices=RequirementSet.choices)

    class Meta:
        verbose_name = _("requirement")
        verbose_name_plural = _("requirements")
        constraints = [
            models.UniqueConstraint(
                fields=["variable", "provider_category"], name="unique_requirement_cell"
            )
        ]

    def __str__(self):
        return f"{self.variable.code}/{self.provider_category.code}: {self.set}"


class Indicator(models.Model):
    dataset_version = models.ForeignKey(
        DatasetVersion, models.CASCADE, related_name="indicators", verbose_name=_("dataset version")
    )
    code = models.CharField(_("code"), max_length=64, validators=[code_validator])
    name = models.CharField(_("name"), max_length=300)
    kind = models.CharField(_("kind"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True)
    variables = models.ManyToManyField(
        Variable, related_name="indicators", blank=True, verbose_name=_("variables")
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.UniqueConstraint(
                fields=["dataset_version", "code"], name="unique_indicator_code_per_version"
            )
        ]

    def __str__(self):
        return f"{self.code} {self.name}"


class PseudonymRequest(models.Model):
    dataset_version = models.ForeignKey(
        DatasetVersion,
        models.CASCADE,
        related_name="pseudonym_requests",
        verbose_name=_("dataset version"),
    )
    type = models.CharField(_("pseudonym type"), max_length=8, choices=PseudonymType.choices)
    justification = models.TextField(_("justification"))

    class Meta:
        ordering = ["type"]
        verbose_name = _("pseudonym request")
        verbose_name_plural = _("pseudonym requests")
        constraints = [
            models.UniqueConstraint(
                fields=["dataset_version", "type"], name="unique_pseudonym_type_per_version"
            )
        ]

    def __str__(self):
        return self.type


def table_import_upload_to(instance, filename):
    return f"imports/{instance.registry.acronym}/{filename}"


class TableImportStatus(models.TextChoices):
    PENDING = "pending", _("waiting")
    RUNNING = "running", _("being imported")
    DONE = "done", _("imported")
    FAILED = "failed", _("not imported")


class TableImport(models.Model):
    """One upload of an accountability table through the portal, and how its import went.

    Small files are imported in the request, large ones by a task that updates ``progress``.
    On any error nothing of the table is written; ``errors`` lists every error as text and
    ``error_details`` the same errors as [sheet, row, column, message].
    """

    registry = models.ForeignKey(
        Registry, models.CASCADE, related_name="table_imports", verbose_name=_("registry")
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    file = models.FileField(_("file"), upload_to=table_import_upload_to, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    format = models.CharField(
        _("format"),
        max_length=8,
        choices=[("xlsx", "Excel (.xlsx)"), ("csv", "CSV (.csv)"), ("json", "JSON (.json)")],
    )
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=TableImportStatus.choices,
        default=TableImportStatus.PENDING,
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    error_details = models.JSONField(_("errors by place"), default=list, blank=True)
    created_version = models.ForeignKey(
        DatasetVersion,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created version"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("table import (import verantwoordingstabel)")
        verbose_name_plural = _("table imports")

    def __str__(self):
        return f"{self.registry}: {self.original_name}"

    @property
    def is_finished(self) -> bool:
        return self.status in (TableImportStatus.DONE, TableImportStatus.FAILED)


class Submission(models.Model):
    """A dataset version put forward for review (or, for statutory registries, inclusion)."""

    registry = models.ForeignKey(
        Registry, models.CASCADE, related_name="submissions", verbose_name=_("registry")
    )
    dataset_version = models.ForeignKey(
        DatasetVersion,
        models.PROTECT,
        related_name="submissions",
        verbose_name=_("dataset version"),
    )
    stage = models.CharField(_("stage"), max_length=16, choices=SubmissionStage.choices)
    status = models.CharField(_("status"), max_length=16, choices=SubmissionStatus.choices)
    submitted_at = models.DateTimeField(_("submitted at"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("submitted by")
    )
    applied_at = models.DateTimeField(_("application filed at"), null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at"]
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")

    def __str__(self):
        return f"{self.registry} v{self.dataset_version.number} ({self.get_stage_display()})"

    @property
    def can_apply(self) -> bool:
        """Whether the application to Zorginstituut may be filed now (register.workflow)."""
        return can_apply(self)


def document_upload_to(instance, filename):
    return f"documents/{instance.registry.acronym}/{filename}"


class Document(models.Model):
    registry = models.ForeignKey(
        Registry, models.CASCADE, related_name="documents", verbose_name=_("registry")
    )
    submission = models.ForeignKey(
        Submission,
        models.CASCADE,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("submission"),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=DocumentKind.choices)
    title = models.CharField(_("title"), max_length=200)
    file = models.FileField(_("file"), upload_to=document_upload_to)
    confidential = models.BooleanField(_("confidential"), default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    replaces = models.ForeignKey(
        "self",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="replaced_by",
        verbose_name=_("replaces"),
    )

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self):
        return self.title


def decision_upload_to(instance, filename):
    return f"decisions/{instance.registry.acronym}/{filename}"


class Decision(models.Model):
    """Zorginstituut's decision on inclusion (besluit). The register shows the latest published."""

    registry = models.ForeignKey(
        Registry, models.CASCADE, related_name="decisions", verbose_name=_("registry")
    )
    submission = models.OneToOneField(
        Submission,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="decision",
        verbose_name=_("submission"),
    )
    dataset_version = models.ForeignKey(
        DatasetVersion, models.PROTECT, related_name="decisions", verbose_name=_("dataset version")
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=DecisionOutcome.choices)
    reasoning = models.TextField(_("reasoning"))
    decided_at = models.DateTimeField(_("decided at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("decided by")
    )
    effective_from = models.DateField(_("effective from"))
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    letter = models.FileField(_("decision letter"), upload_to=decision_upload_to, blank=True)
    letter_sent_at = models.DateTimeField(_("letter sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-decided_at", "-id"]
        verbose_name = _("decision (besluit)")
        verbose_name_plural = _("decisions")

    def __str__(self):
        return f"{self.registry}: {self.get_outcome_display()} ({self.effective_from})"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("The audit trail is append-only.")

    def delete(self):
        raise PermissionError("The audit trail is append-only.")


class AuditEntry(models.Model):
    """Append-only record of who changed what, and when."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    action = models.CharField(_("action"), max_length=64)
    object_type = models.CharField(_("object type"), max_length=64)
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=300)
    registry = models.ForeignKey(
        Registry,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_entries",
        verbose_name=_("registry"),
    )
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    created_at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("The audit trail is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The audit trail is append-only.")
