"""The allowed status transitions of a submission, in one table, and when an application to
Zorginstituut may be filed."""

from django.utils.translation import gettext as _

from .constants import SubmissionStage
from .constants import SubmissionStatus as S
from .exceptions import InvalidTransition

SUBMISSION_TRANSITIONS: dict[str, set[str]] = {
    S.IN_REVIEW: {S.ADVISED, S.WITHDRAWN},
    S.ADVISED: {S.APPLIED, S.WITHDRAWN},
    S.APPLIED: {S.DECIDED, S.WITHDRAWN},
    S.DECIDED: set(),
    S.WITHDRAWN: set(),
}

# The review stages whose advice is final, so that an application to Zorginstituut may follow.
APPLICATION_STAGES = {SubmissionStage.SUPPLEMENTARY, SubmissionStage.ANNUAL_UPDATE}


def check_transition(current: str, target: str) -> None:
    if target not in SUBMISSION_TRANSITIONS.get(current, set()):
        raise InvalidTransition(
            _("A submission that is %(current)s cannot become %(target)s.")
            % {"current": S(current).label, "target": S(target).label}
        )


def application_refusal(submission) -> InvalidTransition | None:
    """Why no application to Zorginstituut may be filed for this submission now, or None.

    The application follows the final advice of the supplementary review (or the annual
    update); a first review gives only preliminary advice (DOMAIN.md, the process, 4 and 5).
    The one rule for the service and for the pages that offer the application.
    """
    if S.APPLIED not in SUBMISSION_TRANSITIONS.get(submission.status, set()):
        return InvalidTransition(
            _(
                "This submission is %(status)s: an application can only be filed once both "
                "committees have given their advice, and only once."
            )
            % {"status": S(submission.status).label}
        )
    if submission.stage not in APPLICATION_STAGES:
        return InvalidTransition(
            _("The application follows the advice of the supplementary review.")
        )
    return None


def can_apply(submission) -> bool:
    return application_refusal(submission) is None
