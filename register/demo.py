"""Demo data for ``manage.py load_demo`` (DESIGN.md: demo accounts, ``--scale N``).

The registries of scale 1 go through the real services (submit, advice, application,
decision, publication), so reviews, object permissions, the audit trail and the PDFs are
what the portal itself would produce; the tables are bulk-written through
``table_io.accountability_table_import``. Timestamps are then moved back to a plausible
history. The extra copies of ``--scale N`` (acronyms ``dhfa-2``, ``dhfa-3``, ...) are written
as bulk rows in the same states, without letters, PDFs or audit entries, so that scale 5 stays
fast.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone
from guardian.models import GroupObjectPermission, UserObjectPermission
from guardian.shortcuts import assign_perm

from providers.constants import AgreementStatus, Coverage, DeliveryMethod
from providers.models import Participation, Provider
from providers.services import participation_save, provider_staff_add
from reviews.advice import (
    advice_conclude,
    advice_draft,
    advice_valid_until,
    participants,
    position_record,
)
from reviews.constants import AdviceOutcome, CommitteeCode, Perspective, Position, ReviewStatus
from reviews.models import Advice, Committee, Membership, Review
from reviews.permissions import CHANGE_REVIEW

from . import demo_content as content
from . import permissions, services
from .constants import (
    DatasetStatus,
    DecisionOutcome,
    DocumentKind,
    Role,
    SubmissionStage,
    SubmissionStatus,
)
from .models import (
    AuditEntry,
    CareType,
    DatasetVersion,
    Decision,
    Document,
    ProviderCategory,
    PseudonymRequest,
    Registry,
    RegistryHolder,
    Submission,
)
from .table_io import accountability_table_import, table_write

PASSWORD = "demo"
DEMO_MARKER = "registry@example.org"  # if this user exists, the demo data is loaded
ACCOUNTS = [
    ("registry@example.org", "Registry staff of DHFA (open draft version 3)"),
    ("igc@example.org", "IGC member (patients perspective)"),
    ("dgc@example.org", "DGC member (patients perspective)"),
    ("secretariat@example.org", "Secretariat (SSC-DG)"),
    ("zin@example.org", "Zorginstituut Nederland"),
    ("provider@example.org", "Staff of Rijnstate (STZ)"),
    ("admin@example.org", "Superuser"),
]
PERSPECTIVES = [
    Perspective.PATIENTS,
    Perspective.PROFESSIONALS,
    Perspective.PROVIDERS,
    Perspective.INSURERS,
]


def demo_loaded() -> bool:
    return get_user_model().objects.filter(username=DEMO_MARKER).exists()


# --- Helpers --------------------------------------------------------------------------------


def tiny_pdf(title: str) -> bytes:
    """A valid one-page PDF with one line of text: a stand-in for an uploaded document."""
    text = title.encode("latin-1", "replace").replace(b"(", b"[").replace(b")", b"]")
    stream = b"BT /F1 14 Tf 72 770 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out


def pdf_file(name: str, title: str) -> ContentFile:
    return ContentFile(tiny_pdf(title), name=name)


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def first_of_month_after(day: datetime.date) -> datetime.date:
    return (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


@dataclass
class Timeline:
    """Dates of one registry's history; clamped so that nothing lies in the future."""

    submitted: datetime.date
    advised: datetime.date | None = None
    applied: datetime.date | None = None
    decided: datetime.date | None = None
    effective: datetime.date | None = None
    first_submitted: datetime.date | None = None
    first_advised: datetime.date | None = None


def timelines(today: datetime.date) -> dict[str, Timeline]:
    def d(y, m, day, back=1):
        return min(datetime.date(y, m, day), today - datetime.timedelta(days=back))

    future = first_of_month_after(today + datetime.timedelta(days=35))
    return {
        "statutory": Timeline(
            submitted=d(2025, 12, 1, 60), decided=d(2025, 12, 15, 50), effective=d(2026, 1, 1, 40)
        ),
        "included_dhfa": Timeline(
            first_submitted=d(2025, 6, 2, 300),
            first_advised=d(2025, 10, 15, 250),
            submitted=d(2025, 11, 3, 200),
            advised=d(2026, 3, 10, 120),
            applied=d(2026, 3, 24, 100),
            decided=d(2026, 4, 15, 80),
            effective=d(2026, 5, 1, 60),
        ),
        "included_past": Timeline(
            submitted=d(2025, 10, 6, 200),
            advised=d(2026, 2, 16, 120),
            applied=d(2026, 3, 2, 100),
            decided=d(2026, 3, 20, 80),
            effective=d(2026, 4, 1, 60),
        ),
        "included_future": Timeline(
            submitted=d(2026, 3, 2, 120),
            advised=d(2026, 8, 24, 60),
            applied=d(2026, 9, 1, 40),
            decided=d(2026, 10, 20, 20),
            effective=future,
        ),
        "applied": Timeline(
            submitted=d(2026, 4, 1, 90), advised=d(2026, 10, 1, 40), applied=d(2026, 10, 26, 20)
        ),
        "supplementary_igc": Timeline(submitted=d(2026, 6, 1, 90), advised=d(2026, 11, 2, 10)),
        "first_review": Timeline(submitted=d(2026, 9, 15, 30)),
        "advised": Timeline(submitted=d(2026, 5, 4, 90), advised=d(2026, 11, 9, 7)),
        "refused": Timeline(
            submitted=d(2026, 1, 12, 180),
            advised=d(2026, 6, 15, 120),
            applied=d(2026, 7, 1, 100),
            decided=d(2026, 9, 1, 60),
            effective=d(2026, 9, 1, 60),
        ),
        "draft": Timeline(submitted=today),
    }


ADVICE = {
    AdviceOutcome.POSITIVE: "De registratie voldoet aan de criteria. De variabelen zijn per stuk verantwoord en sluiten aan op het doel leren en verbeteren.",
    AdviceOutcome.POSITIVE_WITH_CONDITIONS: "De registratie voldoet op hoofdlijnen. Het draagvlak onder zorgaanbieders is aangetoond; de verantwoording van enkele variabelen moet worden aangescherpt.",
    AdviceOutcome.NEGATIVE: "De registratie voldoet niet aan de knock-outcriteria: de onafhankelijke beoordeling van de DPIA ontbreekt en er worden niet-gegeneraliseerde indirect identificerende gegevens gevraagd (volledige geboortedatum, postcode 6 posities) zonder afdoende noodzaak.",
}
CONDITIONS = "Binnen een jaar de variabelen uit de plusset evalueren en de registratielast per zorgaanbieder rapporteren bij de jaarlijkse actualisatie."


@dataclass
class Loader:
    scale: int = 1
    log: callable = print
    today: datetime.date = field(default_factory=timezone.localdate)
    password_hash: str = ""
    users: dict = field(default_factory=dict)
    care_types: dict = field(default_factory=dict)
    holders: dict = field(default_factory=dict)
    registries: dict = field(default_factory=dict)  # acronym -> (registry, spec, state)

    # -- users and roles ----------------------------------------------------------------------

    def user(self, email: str, *, first_name="", last_name="", superuser=False):
        User = get_user_model()
        user, created = User.objects.get_or_create(
            username=email,
            defaults={
                "email": email,
                "password": self.password_hash,
                "first_name": first_name,
                "last_name": last_name,
                "is_staff": superuser,
                "is_superuser": superuser,
            },
        )
        self.users[email] = user
        return user

    def accounts(self):
        self.password_hash = make_password(PASSWORD)  # hashed once: hashing is slow on purpose
        self.user("admin@example.org", first_name="Beheerder", superuser=True)
        for email, role, first, last in [
            ("secretariat@example.org", Role.SECRETARIAT, "Sanne", "Secretaris"),
            ("zin@example.org", Role.ZIN, "Zeger", "Zorginstituut"),
        ]:
            self.user(email, first_name=first, last_name=last).groups.add(
                Group.objects.get(name=role)
            )
        for committee in Committee.objects.select_related("group"):
            prefix = committee.code.lower()
            for perspective in PERSPECTIVES:
                for n in (1, 2):
                    if perspective == Perspective.PATIENTS and n == 1:
                        email = f"{prefix}@example.org"
                    else:
                        email = f"{prefix}-{perspective}-{n}@example.org"
                    member = self.user(
                        email,
                        first_name=committee.code,
                        last_name=f"{Perspective(perspective).label} {n}",
                    )
                    member.groups.add(committee.group)
                    Membership.objects.get_or_create(
                        committee=committee,
                        user=member,
                        defaults={
                            "perspective": perspective,
                            "is_chair": perspective == Perspective.PROFESSIONALS and n == 1,
                        },
                    )

    # -- reference data -----------------------------------------------------------------------

    def reference(self):
        for code, name in content.CARE_TYPES:
            self.care_types[code], _ = CareType.objects.get_or_create(
                code=code, defaults={"name": name}
            )
        for key, (name, kvk, contact, email) in content.HOLDERS.items():
            self.holders[key], _ = RegistryHolder.objects.get_or_create(
                kvk_number=kvk,
                defaults={"name": name, "contact_name": contact, "contact_email": email},
            )

    def new_registry(self, spec, *, suffix=""):
        registry = Registry.objects.create(
            acronym=spec["acronym"] + suffix,
            name=spec["name"] + (f" ({suffix.lstrip('-')})" if suffix else ""),
            holder=self.holders[spec["holder"]],
            data_processor=spec["processor"],
            population=spec["population"],
            bsn_allowed=spec.get("bsn_allowed", False),
            statutory=spec.get("statutory", False),
            publish_advice_consent=spec.get("consent", False),
            website=spec.get("website", ""),
        )
        registry.care_types.set([self.care_types[c] for c in spec["care_types"]])
        return registry

    # -- scale 1: through the services ----------------------------------------------------------

    def staff_for(self, spec):
        email = (
            "registry@example.org"
            if spec["acronym"] == "dhfa"
            else f"staf-{spec['acronym']}@example.org"
        )
        return self.user(email, first_name="Staf", last_name=spec["acronym"].upper())

    def documents(self, registry, staff, *, supplementary: bool) -> list[int]:
        """Upload the dossier documents before submitting: the supplementary review needs the
        four that the dossier check asks for (register.checks), or the submit is refused."""
        kinds = [(DocumentKind.DATA_DICTIONARY, "Datadictionary", False)]
        if supplementary:
            kinds += [
                (DocumentKind.DPIA, "DPIA", True),
                (DocumentKind.DPIA_ASSESSMENT, "Onafhankelijke beoordeling DPIA", True),
                (DocumentKind.PARTICIPATION_AGREEMENT, "Getekende deelnameovereenkomst", True),
                (DocumentKind.IMPLEMENTATION_PLAN, "Implementatieplan zorgaanbieders", False),
            ]
        return [
            services.document_add(
                registry=registry,
                actor=staff,
                kind=kind,
                title=f"{title} {registry.display_acronym}",
                file=pdf_file(f"{registry.acronym}-{kind}.pdf", f"{title} {registry.name}"),
                confidential=confidential,
            ).pk
            for kind, title, confidential in kinds
        ]

    def submit(self, version, staff, stage):
        """Upload the documents for the stage, submit, and file the documents with the
        submission (as the registry would hand them in with it)."""
        registry = version.registry
        documents = self.documents(
            registry, staff, supplementary=stage == SubmissionStage.SUPPLEMENTARY
        )
        submission = services.dataset_version_submit(
            dataset_version=version, actor=staff, stage=stage
        )
        Document.objects.filter(pk__in=documents).update(submission=submission)
        return submission

    def advise(self, submission, outcomes: dict[str, str]):
        """Through the advice flow (reviews.advice): for a positive advice the criteria met, the
        draft by a member, and the chair concluding once the reaction deadline has passed."""
        from reviews.criteria import criteria_assess_bulk
        from reviews.models import Criterion

        for review in submission.reviews.select_related("committee"):
            outcome = outcomes.get(review.committee.code)
            if outcome is None:
                continue
            member = self.users[f"{review.committee.code.lower()}@example.org"]
            if outcome != AdviceOutcome.NEGATIVE:
                criteria_assess_bulk(
                    review=review,
                    actor=member,
                    entries=[
                        {"criterion": c, "rating": "sufficient", "minimum_met": True}
                        for c in Criterion.objects.filter(catalogue_id=review.catalogue_id)
                    ],
                )
            advice = advice_draft(
                review=review,
                actor=member,
                outcome=outcome,
                motivation=ADVICE[outcome],
                conditions=CONDITIONS if outcome == AdviceOutcome.POSITIVE_WITH_CONDITIONS else "",
                reaction_deadline=self.today,
                today=self.today,
            )
            # Every member agrees, except one who did not record a position on a conditional
            # advice: the register then shows which registries are unanimously positive.
            members = participants(review)
            if outcome == AdviceOutcome.POSITIVE_WITH_CONDITIONS:
                members = members[:-1]
            for membership in members:
                position_record(advice=advice, actor=membership.user, position=Position.AGREE)
            chair = Membership.objects.get(committee=review.committee, is_chair=True).user
            advice_conclude(
                advice=advice, actor=chair, today=self.today + datetime.timedelta(days=1)
            )

    def apply(self, submission, staff):
        acronym = submission.registry.acronym
        services.submission_apply(
            submission=submission,
            actor=staff,
            application_form=pdf_file(
                f"{acronym}-aanvraagformulier.pdf", f"Aanvraag opname {acronym.upper()}"
            ),
            evidence=[pdf_file(f"{acronym}-bewijsstukken.pdf", "Bewijsstukken bij de aanvraag")],
        )

    def decide(self, submission, outcome, effective, *, publish=True):
        zin = self.users["zin@example.org"]
        reasoning = (
            "De registratie voldoet aan de wettelijke criteria van de Wkz en het positieve advies van IGC en DGC; "
            "de in de verantwoordingstabel opgenomen dataset wordt verplicht."
            if outcome == DecisionOutcome.INCLUDE
            else "Het Zorginstituut neemt de registratie niet op: het advies van de DGC is negatief en de verwerking "
            "van niet-gegeneraliseerde indirect identificerende gegevens is onvoldoende gerechtvaardigd."
        )
        if submission.registry.statutory:
            reasoning = (
                "Opname van rechtswege op grond van artikel III Wkz (wettelijke registratie)."
            )
        decision = services.decision_record(
            submission=submission,
            actor=zin,
            outcome=outcome,
            reasoning=reasoning,
            effective_from=effective,
        )
        if publish:
            services.decision_publish(decision=decision, actor=zin)
        return decision

    def backdate(self, submission, timeline: Timeline, *, advised=None):
        submitted = at(timeline.submitted)
        DatasetVersion.objects.filter(pk=submission.dataset_version_id).update(
            created_at=submitted - datetime.timedelta(days=14), submitted_at=submitted
        )
        Submission.objects.filter(pk=submission.pk).update(
            submitted_at=submitted,
            applied_at=at(timeline.applied)
            if timeline.applied
            else (submitted if submission.registry.statutory else None),
        )
        Review.objects.filter(submission=submission).update(
            created_at=submitted, due_date=timeline.submitted + datetime.timedelta(weeks=26)
        )
        advised = advised or timeline.advised
        if advised:
            for n, advice in enumerate(
                Advice.objects.filter(review__submission=submission).order_by("pk")
            ):
                given = advised - datetime.timedelta(days=7 * (1 - n))
                Advice.objects.filter(pk=advice.pk).update(
                    given_at=at(given, 14),
                    definitive_at=at(given, 14) if advice.definitive_at else None,
                    valid_until=advice_valid_until(given, advice.outcome)
                    if advice.definitive_at
                    else None,
                )
        if timeline.decided:
            Decision.objects.filter(submission=submission).update(
                decided_at=at(timeline.decided, 11),
                published_at=at(timeline.decided + datetime.timedelta(days=1), 9),
            )
        Document.objects.filter(submission=submission).update(uploaded_at=submitted)

    def load_registry(self, spec):
        acronym, state = spec["acronym"], spec["state"]
        registry = self.new_registry(spec)
        staff = self.staff_for(spec)
        services.registry_staff_add(registry=registry, user=staff)
        timeline = timelines(self.today)[state]
        table = content.build_table(acronym, spec["name"], spec["categories"], scale=self.scale)
        supplementary = SubmissionStage.SUPPLEMENTARY
        positive = {
            CommitteeCode.IGC: AdviceOutcome.POSITIVE,
            CommitteeCode.DGC: AdviceOutcome.POSITIVE,
        }

        if state == "included_dhfa":
            first_table = content.build_table(
                acronym, spec["name"], spec["categories"], scale=self.scale, variant="first"
            )
            version = accountability_table_import(
                registry=registry, actor=staff, table=first_table, source="demo"
            )
            first = self.submit(version, staff, SubmissionStage.FIRST)
            self.advise(
                first,
                {
                    CommitteeCode.IGC: AdviceOutcome.POSITIVE,
                    CommitteeCode.DGC: AdviceOutcome.POSITIVE_WITH_CONDITIONS,
                },
            )
            self.backdate(
                first, Timeline(submitted=timeline.first_submitted), advised=timeline.first_advised
            )

        version = accountability_table_import(
            registry=registry, actor=staff, table=table, source="demo"
        )
        if state == "draft":
            self.registries[acronym] = (registry, spec, state)
            return registry
        stage = SubmissionStage.FIRST if state == "first_review" else supplementary
        submission = self.submit(version, staff, stage)
        if state == "statutory":
            self.decide(submission, DecisionOutcome.INCLUDE, timeline.effective)
        elif state in ("included_dhfa", "included_past", "included_future"):
            self.advise(
                submission,
                {**positive, CommitteeCode.DGC: AdviceOutcome.POSITIVE_WITH_CONDITIONS}
                if state == "included_past"
                else positive,
            )
            self.apply(submission, staff)
            self.decide(submission, DecisionOutcome.INCLUDE, timeline.effective)
        elif state == "applied":
            self.advise(submission, positive)
            self.apply(submission, staff)
        elif state == "advised":
            self.advise(submission, positive)
        elif state == "supplementary_igc":
            self.advise(submission, {CommitteeCode.IGC: AdviceOutcome.POSITIVE_WITH_CONDITIONS})
        elif state == "refused":
            self.advise(
                submission,
                {
                    CommitteeCode.IGC: AdviceOutcome.POSITIVE_WITH_CONDITIONS,
                    CommitteeCode.DGC: AdviceOutcome.NEGATIVE,
                },
            )
            self.apply(submission, staff)
            self.decide(submission, DecisionOutcome.REFUSE, timeline.effective)
        self.backdate(submission, timeline)

        if state == "included_dhfa":
            # The annual update in preparation: an open draft copied from the included version.
            draft = services.dataset_version_create(registry=registry, actor=staff)
            services.variable_save(
                dataset_version=draft,
                actor=staff,
                data={
                    "code": "CFS",
                    "name": "Klinische Fragiliteitsschaal",
                    "description": "Clinical Frailty Scale (1–9) bij opname.",
                    "data_type": "number",
                    "purposes": ["case_mix", "shared_decision"],
                    "ehr_source": "partly",
                    "necessity": "Kwetsbaarheid voorspelt mortaliteit en functioneel herstel; nodig voor casemixcorrectie.",
                    "proportionality": "Wordt bij opname door de geriater al vastgelegd; geen extra last.",
                    "subsidiarity": "Niet af te leiden uit ASA-classificatie of Katz-ADL.",
                },
                requirements={"UMC": "base", "STZ": "base", "AZ": "base"},
            )
            variable = draft.variables.get(code="VALANAMN")
            services.variable_save(
                dataset_version=draft,
                actor=staff,
                variable=variable,
                data={"name": "Valanamnese afgenomen bij opname", "ehr_source": "partly"},
                requirements={"UMC": "base", "STZ": "base", "AZ": "base"},
            )
        self.registries[acronym] = (registry, spec, state)
        return registry

    # -- scale > 1: the same states as bulk rows ------------------------------------------------

    def copy_registry(self, spec, k):
        acronym, state = spec["acronym"], spec["state"]
        registry = self.new_registry(spec, suffix=f"-{k}")
        original, _spec, _state = self.registries[acronym]
        timeline = timelines(self.today)[state]
        staff = self.staff_for(spec)
        zin = self.users["zin@example.org"]
        committees = {c.code: c for c in Committee.objects.all()}
        table = content.build_table(acronym, spec["name"], spec["categories"], scale=self.scale)

        def version(number, tbl, submitted):
            dv = DatasetVersion.objects.create(
                registry=registry,
                number=number,
                status=DatasetStatus.SUBMITTED if submitted else DatasetStatus.DRAFT,
                submitted_at=at(submitted) if submitted else None,
            )
            table_write(dataset_version=dv, table=tbl)
            PseudonymRequest.objects.bulk_create(
                [
                    PseudonymRequest(dataset_version=dv, type=p.type, justification=p.justification)
                    for p in tbl.pseudonym_requests or []
                ]
            )
            return dv

        def submission(dv, stage, status, submitted, applied=None, outcomes=None, advised=None):
            sub = Submission.objects.create(
                registry=registry,
                dataset_version=dv,
                stage=stage,
                status=status,
                submitted_at=at(submitted),
                submitted_by=staff,
                applied_at=at(applied) if applied else None,
            )
            if not spec.get("statutory"):
                for code, committee in committees.items():
                    outcome = (outcomes or {}).get(code)
                    review = Review.objects.create(
                        submission=sub,
                        committee=committee,
                        status=ReviewStatus.ADVISED if outcome else ReviewStatus.OPEN,
                        due_date=submitted + datetime.timedelta(weeks=26),
                    )
                    self.new_reviews.append(review.pk)
                    if outcome:
                        Advice.objects.create(
                            review=review,
                            outcome=outcome,
                            motivation=ADVICE[outcome],
                            conditions=CONDITIONS
                            if outcome == AdviceOutcome.POSITIVE_WITH_CONDITIONS
                            else "",
                            given_by=self.users[f"{code.lower()}@example.org"],
                            given_at=at(advised),
                        )
            return sub

        def decision(sub, outcome):
            Decision.objects.create(
                registry=registry,
                submission=sub,
                dataset_version=sub.dataset_version,
                outcome=outcome,
                reasoning="Besluit (demo, bulk).",
                decided_at=at(timeline.decided, 11),
                decided_by=zin,
                effective_from=timeline.effective,
                published_at=at(timeline.decided + datetime.timedelta(days=1), 9),
            )

        positive = {"IGC": AdviceOutcome.POSITIVE, "DGC": AdviceOutcome.POSITIVE}
        number = 1
        if state == "included_dhfa":
            first = content.build_table(
                acronym, spec["name"], spec["categories"], scale=self.scale, variant="first"
            )
            dv = version(1, first, timeline.first_submitted)
            submission(
                dv,
                SubmissionStage.FIRST,
                SubmissionStatus.ADVISED,
                timeline.first_submitted,
                outcomes=positive,
                advised=timeline.first_advised,
            )
            number = 2
        if state == "draft":
            version(number, table, None)
        elif state == "statutory":
            dv = version(number, table, timeline.submitted)
            sub = submission(
                dv,
                SubmissionStage.SUPPLEMENTARY,
                SubmissionStatus.DECIDED,
                timeline.submitted,
                applied=timeline.submitted,
            )
            decision(sub, DecisionOutcome.INCLUDE)
        else:
            dv = version(number, table, timeline.submitted)
            stage = (
                SubmissionStage.FIRST if state == "first_review" else SubmissionStage.SUPPLEMENTARY
            )
            status, outcomes, applied = {
                "included_dhfa": (SubmissionStatus.DECIDED, positive, timeline.applied),
                "included_past": (SubmissionStatus.DECIDED, positive, timeline.applied),
                "included_future": (SubmissionStatus.DECIDED, positive, timeline.applied),
                "applied": (SubmissionStatus.APPLIED, positive, timeline.applied),
                "advised": (SubmissionStatus.ADVISED, positive, None),
                "supplementary_igc": (
                    SubmissionStatus.IN_REVIEW,
                    {"IGC": AdviceOutcome.POSITIVE_WITH_CONDITIONS},
                    None,
                ),
                "first_review": (SubmissionStatus.IN_REVIEW, {}, None),
                "refused": (
                    SubmissionStatus.DECIDED,
                    {"IGC": AdviceOutcome.POSITIVE_WITH_CONDITIONS, "DGC": AdviceOutcome.NEGATIVE},
                    timeline.applied,
                ),
            }[state]
            sub = submission(
                dv,
                stage,
                status,
                timeline.submitted,
                applied=applied,
                outcomes=outcomes,
                advised=timeline.advised,
            )
            if status == SubmissionStatus.DECIDED:
                decision(
                    sub, DecisionOutcome.REFUSE if state == "refused" else DecisionOutcome.INCLUDE
                )
        self.copies.append((registry.pk, staff))
        self.registries[registry.acronym] = (registry, spec, state)

    # -- providers ---------------------------------------------------------------------------------

    def providers(self):
        categories = {c.code: c for c in ProviderCategory.objects.all()}
        result = []
        for k in range(1, self.scale + 1):
            for name, agb, cats, care in content.PROVIDERS:
                code = agb if k == 1 else f"{int(agb) + 10000 * (k - 1):08d}"
                provider = Provider.objects.create(
                    name=name if k == 1 else f"{name} (locatie {k})", agb_code=code
                )
                provider.categories.set([categories[c] for c in cats])
                provider.care_types.set([self.care_types[c] for c in care])
                result.append(provider)
        return result

    def participations(self, providers):
        rng = random.Random(2026)
        demo_provider = next(p for p in providers if p.agb_code == content.DEMO_PROVIDER_AGB)
        staff = self.user("provider@example.org", first_name="Petra", last_name="Rijnstate")
        provider_staff_add(provider=demo_provider, user=staff)
        originals = {spec["acronym"] for spec in content.REGISTRIES}
        active = {
            "statutory",
            "included_dhfa",
            "included_past",
            "included_future",
            "applied",
            "supplementary_igc",
        }
        rows = []
        for provider in Provider.objects.filter(pk__in=[p.pk for p in providers]).prefetch_related(
            "care_types", "categories"
        ):
            if provider.pk == demo_provider.pk:
                provider = demo_provider
            care = {c.code for c in provider.care_types.all()}
            cats = {c.code for c in provider.categories.all()}
            for acronym, (registry, spec, state) in self.registries.items():
                if (
                    state not in active
                    or not (care & set(spec["care_types"]))
                    or not (cats & set(spec["categories"]))
                ):
                    continue
                if provider is demo_provider:
                    if acronym not in originals:
                        continue  # the demo provider records its own state for the originals only
                    signed = state in ("statutory", "included_dhfa", "included_past")
                    participation_save(
                        provider=provider,
                        registry=registry,
                        actor=staff,
                        data={
                            "agreement_status": AgreementStatus.SIGNED
                            if signed
                            else AgreementStatus.NEGOTIATING,
                            "agreement_signed_on": datetime.date(2026, 6, 15) if signed else None,
                            "pseudonymisation_connected_on": datetime.date(2026, 10, 1)
                            if signed
                            else None,
                            "delivery_method": DeliveryMethod.AUTOMATIC
                            if signed
                            else DeliveryMethod.UNKNOWN,
                            "coverage": Coverage.FULL
                            if state == "statutory"
                            else (Coverage.PARTIAL if signed else Coverage.NONE),
                            "notes": "Extractie uit het EPD (HiX) via de datamanager."
                            if signed
                            else "Overeenkomst ligt bij de juridische afdeling.",
                        },
                    )
                    continue
                if rng.random() < 0.25:
                    continue  # not every provider has recorded its readiness yet
                status = rng.choice(
                    [
                        AgreementStatus.SIGNED,
                        AgreementStatus.SIGNED,
                        AgreementStatus.NEGOTIATING,
                        AgreementStatus.NONE,
                    ]
                )
                signed = status == AgreementStatus.SIGNED
                rows.append(
                    Participation(
                        provider=provider,
                        registry=registry,
                        agreement_status=status,
                        agreement_signed_on=datetime.date(
                            2026, rng.randint(3, 9), rng.randint(1, 28)
                        )
                        if signed
                        else None,
                        pseudonymisation_connected_on=datetime.date(2026, rng.randint(5, 11), 1)
                        if signed and rng.random() < 0.6
                        else None,
                        delivery_method=rng.choice(
                            [
                                DeliveryMethod.MANUAL,
                                DeliveryMethod.AUTOMATIC,
                                DeliveryMethod.BATCH,
                                DeliveryMethod.FHIR,
                            ]
                        )
                        if signed
                        else DeliveryMethod.UNKNOWN,
                        coverage=rng.choice([Coverage.FULL, Coverage.PARTIAL])
                        if signed
                        else Coverage.NONE,
                    )
                )
        Participation.objects.bulk_create(rows, batch_size=500)

    # -- all ---------------------------------------------------------------------------------------

    def run(self):
        self.new_reviews, self.copies = [], []
        self.accounts()
        self.reference()
        for spec in content.REGISTRIES:
            self.log(f"  {spec['acronym'].upper():9} {spec['state']}")
            self.load_registry(spec)
        for k in range(2, self.scale + 1):
            with transaction.atomic():
                for spec in content.REGISTRIES:
                    self.copy_registry(spec, k)
            self.log(f"  copies -{k}: {len(content.REGISTRIES)} registries")
        if self.new_reviews:
            for committee in Committee.objects.select_related("group"):
                assign_perm(
                    CHANGE_REVIEW,
                    committee.group,
                    Review.objects.filter(pk__in=self.new_reviews, committee=committee),
                )
        for staff in {s for _pk, s in self.copies}:
            assign_perm(
                permissions.MANAGE_DOSSIER,
                staff,
                Registry.objects.filter(pk__in=[pk for pk, s in self.copies if s == staff]),
            )
        with transaction.atomic():
            self.participations(self.providers())


def load(*, scale: int = 1, log=print) -> Loader:
    loader = Loader(scale=scale, log=log)
    loader.run()
    from reviews import demo as reviews_demo  # the committees' work in progress

    reviews_demo.load(today=loader.today, log=log)
    return loader


def wipe() -> None:
    """Delete the register's data and the demo users (for ``load_demo --force``, demo databases only).

    The audit trail is append-only by design; wiping a demo database is the one place that
    removes it, with a raw delete that bypasses the model's guard.
    """
    from django.contrib.contenttypes.models import ContentType

    with transaction.atomic():
        AuditEntry.objects.all()._raw_delete(connection.alias)
        Advice.objects.all().delete()
        Review.objects.all().delete()
        Decision.objects.all().delete()
        Document.objects.all().delete()
        Submission.objects.all().delete()
        Participation.objects.all().delete()
        Registry.objects.all().delete()
        RegistryHolder.objects.all().delete()
        Provider.objects.all().delete()
        CareType.objects.all().delete()
        types = ContentType.objects.get_for_models(Registry, Review, Provider).values()
        GroupObjectPermission.objects.filter(content_type__in=types).delete()
        UserObjectPermission.objects.filter(content_type__in=types).delete()
        get_user_model().objects.filter(username__endswith="@example.org").delete()
