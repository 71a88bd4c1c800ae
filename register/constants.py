from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """Roles are auth groups (DESIGN.md); the group name is the value."""

    REGISTRY = "registry", _("Registry staff")
    IGC = "igc", _("IGC member")
    DGC = "dgc", _("DGC member")
    SECRETARIAT = "secretariat", _("Secretariat (SSC-DG)")
    ZIN = "zin", _("Zorginstituut")
    PROVIDER = "provider", _("Provider staff")


class RequirementSet(models.TextChoices):
    BASE = "base", _("base set")
    PLUS = "plus", _("plus set")


class DataType(models.TextChoices):
    TEXT = "text", _("text")
    NUMBER = "number", _("number")
    DATE = "date", _("date")
    BOOLEAN = "boolean", _("yes/no")
    CODE = "code", _("code")


class CodeSystem(models.TextChoices):
    NONE = "none", _("none")
    SNOMED_CT = "snomed", "SNOMED CT"
    LOINC = "loinc", "LOINC"
    ICD10 = "icd10", "ICD-10"
    ZIB = "zib", "ZIB"
    DHD = "dhd", "DHD"
    G_STANDAARD = "gstandaard", "G-Standaard"


class Purpose(models.TextChoices):
    LEARN_IMPROVE = "learn_improve", _("learning and improving")
    SHARED_DECISION = "shared_decision", _("shared decision-making")
    INDICATOR = "indicator", _("indicator")
    CASE_MIX = "case_mix", _("case-mix correction")
    INSTRUMENT = "instrument", _("further development of the measurement instrument")


class PersonalDataClass(models.TextChoices):
    NONE = "none", _("none")
    DIRECT = "direct", _("directly identifying")
    QUASI = "quasi", _("indirectly identifying (quasi-identifier)")


class EhrSource(models.TextChoices):
    YES = "yes", _("yes")
    PARTLY = "partly", _("partly")
    NO = "no", _("no")


class PseudonymType(models.TextChoices):
    B = "B", _("B (BSN)")
    NGGV = "NGGV", "NGGV"
    SNGGV = "sNGGV", "sNGGV"
    NGG = "NGG", "NGG"
    SNGG = "sNGG", "sNGG"
    C = "C", "C"
    RGG = "RGG", "RGG"
    GG = "GG", "GG"
    A = "A", "A"
    MRN = "MRN", _("MRN (local patient number)")


class DatasetStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    SUBMITTED = "submitted", _("submitted")


class DocumentKind(models.TextChoices):
    DPIA = "dpia", _("DPIA")
    DPIA_ASSESSMENT = "dpia_assessment", _("independent DPIA assessment")
    PARTICIPATION_AGREEMENT = "participation_agreement", _("signed participation agreement")
    IMPLEMENTATION_PLAN = "implementation_plan", _("implementation plan")
    DATA_DICTIONARY = "data_dictionary", _("data dictionary")
    STATUTES = "statutes", _("statutes")
    APPLICATION_FORM = "application_form", _("application form")
    EVIDENCE = "evidence", _("supporting evidence")
    OTHER = "other", _("other")


class SubmissionStage(models.TextChoices):
    FIRST = "first", _("first review")
    SUPPLEMENTARY = "supplementary", _("supplementary review")
    ANNUAL_UPDATE = "annual_update", _("annual update")


class SubmissionStatus(models.TextChoices):
    IN_REVIEW = "in_review", _("in review")
    ADVISED = "advised", _("advised")
    APPLIED = "applied", _("application filed")
    DECIDED = "decided", _("decided")
    WITHDRAWN = "withdrawn", _("withdrawn")


class DecisionOutcome(models.TextChoices):
    INCLUDE = "include", _("include")
    REFUSE = "refuse", _("refuse")
    WITHDRAW = "withdraw", _("withdraw")
