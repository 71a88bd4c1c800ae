from django.db import models
from django.utils.translation import gettext_lazy as _


class CommitteeCode(models.TextChoices):
    IGC = "IGC", _("IGC (content-governance committee)")
    DGC = "DGC", _("DGC (data-governance committee)")


class Perspective(models.TextChoices):
    PATIENTS = "patients", _("patients")
    PROFESSIONALS = "professionals", _("care professionals")
    PROVIDERS = "providers", _("care providers")
    INSURERS = "insurers", _("health insurers")


class ReviewStatus(models.TextChoices):
    OPEN = "open", _("in review")
    ADVISED = "advised", _("advice given")


class AdviceOutcome(models.TextChoices):
    POSITIVE = "positive", _("positive")
    POSITIVE_WITH_CONDITIONS = "positive_conditions", _("positive with conditions")
    NEGATIVE = "negative", _("negative")


POSITIVE_OUTCOMES = {AdviceOutcome.POSITIVE, AdviceOutcome.POSITIVE_WITH_CONDITIONS}
