"""The allowed status transitions of a submission, in one table."""

from django.utils.translation import gettext as _

from .constants import SubmissionStatus as S
from .exceptions import InvalidTransition

SUBMISSION_TRANSITIONS: dict[str, set[str]] = {
    S.IN_REVIEW: {S.ADVISED, S.WITHDRAWN},
    S.ADVISED: {S.APPLIED, S.WITHDRAWN},
    S.APPLIED: {S.DECIDED, S.WITHDRAWN},
    S.DECIDED: set(),
    S.WITHDRAWN: set(),
}


def check_transition(current: str, target: str) -> None:
    if target not in SUBMISSION_TRANSITIONS.get(current, set()):
        raise InvalidTransition(
            _("A submission that is %(current)s cannot become %(target)s.")
            % {"current": S(current).label, "target": S(target).label}
        )
