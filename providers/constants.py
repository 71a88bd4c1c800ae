from django.db import models
from django.utils.translation import gettext_lazy as _


class AgreementStatus(models.TextChoices):
    NONE = "none", _("no agreement yet")
    NEGOTIATING = "negotiating", _("in preparation")
    SIGNED = "signed", _("signed")


class DeliveryMethod(models.TextChoices):
    UNKNOWN = "unknown", _("not decided yet")
    MANUAL = "manual", _("manual entry")
    AUTOMATIC = "automatic", _("automatic extraction")
    BATCH = "batch", _("batch")
    FHIR = "fhir", "FHIR"


class Coverage(models.TextChoices):
    NONE = "none", _("not yet delivering")
    PARTIAL = "partial", _("part of the dataset")
    FULL = "full", _("full dataset")
