"""Demo data of the committees' work in progress, for ``manage.py load_demo``.

Called at the end of ``register.demo.load``, once the registries, reviews and advice exist. It
goes through the services the portal itself uses, so permissions, the review clock and the
audit trail are what a real review would produce:

- each committee has two members per perspective, one of them the chair (``membership_save``
  keeps the committee's group in step; members that the register's demo made already stay);
- the secretariat assigns two members to every open review of the demo registries;
- the DGC review of LNAZ has a few criteria assessed, a few variables judged, and a member who
  declared a conflict of interest;
- the IGC review of DLCA-S waits for the registry's answers to a clarification round with a
  deadline in ten days; the DGC review of PERINED is past its due date.

Advice recorded before draft advice existed (the register's demo records it in one step) is
made definitive: a review that is ``advised`` has a definitive advice.
"""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from .constants import (
    ADVICE_TERM_YEARS,
    POSITIVE_OUTCOMES,
    AdviceStatus,
    CommitteeCode,
    Perspective,
    ReviewStatus,
    Verdict,
)
from .models import Advice, Committee, Membership, Review

PASSWORD = "demo"
SECRETARIAT = "secretariat@example.org"
PERSPECTIVES = list(Perspective.values)
# The demo registries whose reviews are in progress (register.demo_content).
IN_PROGRESS = ["lnaz", "dlca-s", "perined"]


def member_email(code: str, perspective: str, n: int) -> str:
    """igc@example.org and dgc@example.org are the first patients' member of their committee."""
    if perspective == Perspective.PATIENTS and n == 1:
        return f"{code.lower()}@example.org"
    return f"{code.lower()}-{perspective}-{n}@example.org"


def load(*, today: datetime.date | None = None, log=print) -> None:
    today = today or timezone.localdate()
    with transaction.atomic():
        members = committee_members()
        advice_made_definitive()
        reviews = {
            (r.submission.registry.acronym, r.committee.code): r
            for r in Review.objects.filter(
                submission__registry__acronym__in=IN_PROGRESS, status=ReviewStatus.OPEN
            ).select_related("committee", "submission__registry", "dataset_version")
        }
        if not reviews:
            return
        conflict_declared(reviews, members)
        assignments(reviews, members)
        dgc_work_in_progress(reviews, members)
        clarification_round(reviews, members, today=today)
        overdue_review(reviews, today=today)
    log(f"  reviews   {len(reviews)} open reviews with members, assessments and questions")


def committee_members() -> dict[str, dict[tuple[str, int], object]]:
    """Two members per perspective per committee, the first professional the chair."""
    from .services import membership_save

    User = get_user_model()
    password = None
    result = {}
    for committee in Committee.objects.select_related("group"):
        code = committee.code
        existing = {
            m.user.get_username(): m
            for m in Membership.objects.filter(committee=committee).select_related("user")
        }
        has_chair = any(m.is_chair for m in existing.values())
        members = {}
        for perspective in PERSPECTIVES:
            for n in (1, 2):
                email = member_email(code, perspective, n)
                membership = existing.get(email)
                if membership is None:
                    if password is None:
                        password = make_password(PASSWORD)  # hashing is slow on purpose: once
                    user, _created = User.objects.get_or_create(
                        username=email,
                        defaults={
                            "email": email,
                            "password": password,
                            "first_name": code,
                            "last_name": f"{Perspective(perspective).label} {n}",
                        },
                    )
                    chair = not has_chair and perspective == Perspective.PROFESSIONALS and n == 1
                    membership = membership_save(
                        membership=Membership(
                            committee=committee, user=user, perspective=perspective, is_chair=chair
                        ),
                        actor=None,
                    )
                members[(perspective, n)] = membership.user
        result[code] = members
    return result


def advice_made_definitive() -> None:
    """An advised review has a definitive advice (positive: valid for five years)."""
    advice = list(
        Advice.objects.filter(review__status=ReviewStatus.ADVISED, status=AdviceStatus.DRAFT)
    )
    for item in advice:
        item.status = AdviceStatus.DEFINITIVE
        item.definitive_at = item.given_at
        if item.outcome in POSITIVE_OUTCOMES and item.valid_until is None:
            given = timezone.localtime(item.given_at).date()
            item.valid_until = given.replace(year=given.year + ADVICE_TERM_YEARS)
    Advice.objects.bulk_update(advice, ["status", "definitive_at", "valid_until"], batch_size=500)


def conflict_declared(reviews, members) -> None:
    from .advice import conflict_declare

    review = reviews.get(("lnaz", CommitteeCode.DGC))
    if review is not None:
        conflict_declare(
            review=review,
            actor=members[CommitteeCode.DGC][(Perspective.INSURERS, 2)],
            reason="Adviseert de registratiehouder over de DPIA van een andere registratie.",
        )


def assignments(reviews, members) -> None:
    """Two rapporteurs per open review, different members for each review."""
    from .pipeline import members_assign

    secretariat = get_user_model().objects.get(username=SECRETARIAT)
    conflicted = {
        (r.pk, c.member_id)
        for r in reviews.values()
        for c in r.conflicts.all()  # a few reviews: a query each is fine
    }
    rotation = {code: 0 for code in CommitteeCode.values}
    for (_acronym, code), review in sorted(reviews.items()):
        pool = list(members[code].values())
        chosen = []
        while len(chosen) < 2:
            user = pool[rotation[code] % len(pool)]
            rotation[code] += 1
            if (review.pk, user.pk) not in conflicted and user not in chosen:
                chosen.append(user)
        members_assign(review=review, actor=secretariat, member_ids=[u.pk for u in chosen])


def dgc_work_in_progress(reviews, members) -> None:
    """The DGC review of LNAZ: three criteria assessed and six variables judged."""
    from .criteria import criterion_assess
    from .judgements import judgement_record

    review = reviews.get(("lnaz", CommitteeCode.DGC))
    if review is None or review.catalogue is None:
        return
    actor = members[CommitteeCode.DGC][(Perspective.PATIENTS, 1)]
    criteria = list(review.catalogue.criteria.order_by("position", "code")[:3])
    verdicts = [
        (True, "", "De verwerkersovereenkomst (AVG art. 28 lid 3) is getekend en bijgevoegd."),
        (True, "Jaarlijks een audit door een onafhankelijke partij.", "Voldoet aan het minimum."),
        (
            False,
            "Binnen een jaar een functionaris gegevensbescherming aanstellen.",
            "Er is nog geen functionaris gegevensbescherming aangesteld.",
        ),
    ]
    for criterion, (met, growth, motivation) in zip(criteria, verdicts, strict=False):
        criterion_assess(
            review=review,
            criterion=criterion,
            actor=actor,
            minimum_met=met,
            growth_path_note=growth,
            motivation=motivation,
        )
    version = review.dataset_version or review.submission.dataset_version
    variables = list(version.variables.order_by("code")[:6])
    judgements = [Verdict.ACCEPT] * 4 + [Verdict.QUESTION, Verdict.REJECT]
    for variable, verdict in zip(variables, judgements, strict=False):
        reasons = {}
        if verdict == Verdict.QUESTION:
            reasons = {"necessity": "Waarom is dit gegeven nodig naast de indicatoren?"}
        elif verdict == Verdict.REJECT:
            reasons = {
                "proportionality": "Niet gegeneraliseerd: vraag het geboortejaar, niet de datum.",
            }
        judgement_record(
            review=review, actor=actor, variable_id=variable.pk, verdict=verdict, **reasons
        )


def clarification_round(reviews, members, *, today: datetime.date) -> None:
    """The IGC review of DLCA-S waits for the registry's answers, due in ten days."""
    from .clarifications import clarification_send

    review = reviews.get(("dlca-s", CommitteeCode.IGC))
    if review is None:
        return
    version = review.dataset_version or review.submission.dataset_version
    code = version.variables.order_by("code").values_list("code", flat=True).first() or ""
    clarification_send(
        review=review,
        actor=members[CommitteeCode.IGC][(Perspective.PATIENTS, 1)],
        deadline=today + datetime.timedelta(days=10),
        questions=[
            {
                "text": "Hoe toont u het draagvlak onder de beroepsgroep aan? Voeg de "
                "instemming van de wetenschappelijke vereniging toe.",
                "variable_code": "",
            },
            {
                "text": "Voor welke indicator is deze variabele nodig?",
                "variable_code": code,
            },
        ],
        today=today,
    )


def overdue_review(reviews, *, today: datetime.date) -> None:
    """The DGC review of PERINED is past its due date (the secretariat's dashboard shows it)."""
    review = reviews.get(("perined", CommitteeCode.DGC))
    if review is not None:
        Review.objects.filter(pk=review.pk).update(due_date=today - datetime.timedelta(days=12))
