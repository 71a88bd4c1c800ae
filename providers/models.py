from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from register.models import CareType, ProviderCategory, Registry

from .constants import AgreementStatus, Coverage, DeliveryMethod

agb_validator = RegexValidator(r"^\d{8}$", _("An AGB code has 8 digits."))


class Provider(models.Model):
    name = models.CharField(_("name"), max_length=200)
    agb_code = models.CharField(
        _("AGB code"), max_length=8, unique=True, validators=[agb_validator]
    )
    categories = models.ManyToManyField(
        ProviderCategory, related_name="providers", verbose_name=_("provider categories")
    )
    care_types = models.ManyToManyField(
        CareType, related_name="providers", verbose_name=_("care types delivered")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("provider (zorgaanbieder)")
        verbose_name_plural = _("providers")
        permissions = [("act_for_provider", _("Can act for the provider"))]

    def __str__(self):
        return self.name


class Participation(models.Model):
    """A provider's readiness to deliver to one registry (replaces the inventory spreadsheet)."""

    provider = models.ForeignKey(
        Provider, models.CASCADE, related_name="participations", verbose_name=_("provider")
    )
    registry = models.ForeignKey(
        Registry, models.CASCADE, related_name="participations", verbose_name=_("registry")
    )
    agreement_status = models.CharField(
        _("participation agreement"),
        max_length=16,
        choices=AgreementStatus.choices,
        default=AgreementStatus.NONE,
    )
    agreement_signed_on = models.DateField(_("agreement signed on"), null=True, blank=True)
    pseudonymisation_connected_on = models.DateField(
        _("connected to pseudonymisation service on"), null=True, blank=True
    )
    delivery_method = models.CharField(
        _("delivery method"),
        max_length=16,
        choices=DeliveryMethod.choices,
        default=DeliveryMethod.UNKNOWN,
    )
    coverage = models.CharField(
        _("coverage"), max_length=16, choices=Coverage.choices, default=Coverage.NONE
    )
    notes = models.TextField(_("notes"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        constraints = [
            models.UniqueConstraint(fields=["provider", "registry"], name="unique_participation")
        ]

    def __str__(self):
        return f"{self.provider} → {self.registry}"
