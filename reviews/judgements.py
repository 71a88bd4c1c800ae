"""Variable-by-variable judgements of a review (accept / reject / question, with NPS motivation)."""

from register.diff import version_diff
from register.models import DatasetVersion

from .models import Review, VariableJudgement


def judgements_carry_over(*, review: Review, from_version: DatasetVersion, to_version) -> int:
    """Copy the review's judgements to the revised version where the variable did not change.

    A variable "did not change" when it has the same code and no field or requirement cell
    differs (register.diff). Judgements of changed, added or removed variables are not carried:
    the committee judges those again. Returns the number carried over. Constant queries.
    """
    diff = version_diff(old=from_version, new=to_version)
    changed = {change.code for change in diff.changed}
    new_ids = dict(to_version.variables.values_list("code", "pk"))
    carried = [
        VariableJudgement(
            review=review,
            variable_id=new_ids[judgement.variable.code],
            verdict=judgement.verdict,
            necessity=judgement.necessity,
            proportionality=judgement.proportionality,
            subsidiarity=judgement.subsidiarity,
            judged_by_id=judgement.judged_by_id,
            judged_at=judgement.judged_at,
            carried_over=True,
        )
        for judgement in VariableJudgement.objects.filter(
            review=review, variable__dataset_version=from_version
        ).select_related("variable")
        if judgement.variable.code in new_ids and judgement.variable.code not in changed
    ]
    VariableJudgement.objects.bulk_create(carried, batch_size=500)
    return len(carried)
