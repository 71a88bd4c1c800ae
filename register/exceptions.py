"""Domain errors. Views turn them into form errors, the API into 400/403/409 responses."""


class DomainError(Exception):
    """A rule of the domain refuses the change. ``field`` names the input at fault, if any."""

    status_code = 400

    def __init__(self, message, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class PermissionDenied(DomainError):
    status_code = 403


class InvalidTransition(DomainError):
    status_code = 409


class DatasetLocked(InvalidTransition):
    """A submitted dataset version cannot be edited: a change makes a new version."""


class PseudonymNotAllowed(DomainError):
    """Wkz: only LADIS and LNAZ may process the BSN, so only they may request type B."""


class DossierIncomplete(InvalidTransition):
    """Submission refused: the dossier check (register.checks) has blocking findings.

    ``findings`` are the blocking findings, ``stage`` the review stage checked and
    ``check_url`` the dossier check page that lists them with links to where each is fixed.
    """

    def __init__(self, message, *, findings, stage: str, check_url: str = ""):
        super().__init__(message)
        self.findings = list(findings)
        self.stage = stage
        self.check_url = check_url
