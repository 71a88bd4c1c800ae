"""The committee's review page of a large table against the same table's public page.

    DEBUG=1 .venv/bin/python bench/review_page_bench.py [--variables 2000] [--repeat 5]

Sets Django up itself on a throw-away SQLite database (DATABASE_URL is always replaced, so no
real database is touched; see table_io_bench.py). Builds a registry whose accountability table
has N variables × every provider category (9 after migrate): a first review of version 1, a
supplementary review of version 2 (5% of the variables changed, 1% added, 1% removed) with
half of its variables judged, and a published inclusion decision on version 2, so that the
public page /register/<acronym>/ shows the very table under review.

Renders with Django's test client, signed in as an IGC member, best of R after one warm-up:
the review's variables page /reviews/<pk>/variables/ (first page, 50 rows, with the "changed
since the first review" section), the same page filtered (quasi-identifiers not yet judged),
one variable's page, and the public page (first page, 100 rows). Prints each time, its SQL
queries and its ratio to the public page, measured in one run. The first view of a
supplementary review computes the diff of the two versions (then cached, as both are
submitted): that cold render is printed too.
"""

import argparse
import os
import sys
import tempfile
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from table_io_bench import best_time, build_table, setup_django  # noqa: E402


def build(count: int):
    """The registry, its two reviews, judgements and inclusion; returns (review, registry, user)."""
    import dataclasses

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from register.constants import (
        DatasetStatus,
        DecisionOutcome,
        SubmissionStage,
        SubmissionStatus,
    )
    from register.models import (
        CareType,
        Decision,
        ProviderCategory,
        Registry,
        RegistryHolder,
        Submission,
    )
    from register.table_io import accountability_table_import
    from reviews.constants import Perspective
    from reviews.judgements import judgements_bulk
    from reviews.models import Committee, Membership
    from reviews.services import reviews_open

    categories = list(ProviderCategory.objects.values_list("code", flat=True))
    holder = RegistryHolder.objects.create(
        name="Bench", kvk_number="12345678", contact_email="bench@example.org"
    )
    registry = Registry.objects.create(
        acronym="bench", name="Bench Registratie", holder=holder, data_processor="Bench"
    )
    registry.care_types.add(CareType.objects.create(code="bench", name="Benchzorg"))
    user = get_user_model().objects.create_user(
        username="igc@bench.example", email="igc@bench.example", password="x"
    )
    igc = Committee.objects.get(code="IGC")
    user.groups.add(igc.group)
    Membership.objects.create(committee=igc, user=user, perspective=Perspective.PATIENTS)

    first_table = build_table(count, categories)
    second = [
        dataclasses.replace(v, name=f"{v.name} (herzien)") if n % 20 == 7 else v
        for n, v in enumerate(first_table.variables)
        if n % 100 != 3  # 1% removed
    ]
    second += [
        dataclasses.replace(first_table.variables[n], code=f"NEW_{n:05d}")
        for n in range(0, count, 100)  # 1% added
    ]
    second_table = dataclasses.replace(first_table, variables=second)

    def submitted(table, stage):
        version = accountability_table_import(
            registry=registry, actor=None, table=table, system=True
        )
        now = timezone.now()
        version.status, version.submitted_at = DatasetStatus.SUBMITTED, now
        version.save(update_fields=["status", "submitted_at"])
        submission = Submission.objects.create(
            registry=registry,
            dataset_version=version,
            stage=stage,
            status=SubmissionStatus.IN_REVIEW,
            submitted_at=now,
            submitted_by=user,
        )
        reviews_open(submission=submission)
        return submission

    submitted(first_table, SubmissionStage.FIRST)
    submission = submitted(second_table, SubmissionStage.SUPPLEMENTARY)
    review = submission.reviews.get(committee=igc)
    ids = list(submission.dataset_version.variables.values_list("pk", flat=True))
    judgements_bulk(review=review, actor=user, verdict="accept", variable_ids=ids[1::2])
    Decision.objects.create(
        registry=registry,
        submission=submission,
        dataset_version=submission.dataset_version,
        outcome=DecisionOutcome.INCLUDE,
        reasoning="Bench.",
        decided_at=timezone.now(),
        decided_by=user,
        effective_from=date(2026, 3, 1),
        published_at=timezone.now(),
    )
    return review, registry, user


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--variables", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    arguments = parser.parse_args()

    with tempfile.TemporaryDirectory() as directory:
        setup_django(directory)
        import table_io_bench
        from django.core.cache import cache
        from django.db import connection, reset_queries
        from django.test import Client
        from django.test.utils import CaptureQueriesContext, setup_test_environment

        from register.models import ProviderCategory, Variable

        table_io_bench.REPEAT = arguments.repeat
        setup_test_environment()  # the test client's template-rendered signal, no mail out
        review, registry, user = build(arguments.variables)
        client = Client()
        client.force_login(user)
        version = review.dataset_version
        pages = [
            ("public page /register/<acronym>/", f"/register/{registry.acronym}/"),
            ("review variables, first page", f"/reviews/{review.pk}/variables/"),
            (
                "review variables, filtered",
                f"/reviews/{review.pk}/variables/?quasi=on&judgement=none",
            ),
            ("review variables, page 20", f"/reviews/{review.pk}/variables/?page=20"),
            (
                "one variable's page",
                f"/reviews/{review.pk}/variables/{version.variables.order_by('code')[5].code}/",
            ),
        ]
        print(
            f"table: {Variable.objects.filter(dataset_version=version).count()} variables x "
            f"{ProviderCategory.objects.count()} categories under review "
            f"(supplementary; first review had {arguments.variables}); "
            f"SQLite ({connection.vendor}); best of {arguments.repeat}, after one warm-up"
        )

        def get(url):
            response = client.get(url, HTTP_ACCEPT_LANGUAGE="nl")
            assert response.status_code == 200, (url, response.status_code)
            return response

        results = []
        for label, url in pages:
            get(url)  # warm-up: template loading, content types, the cached diff
            reset_queries()  # DEBUG keeps at most 9,000 queries: a full log would count none
            with CaptureQueriesContext(connection) as captured:
                response = get(url)
            seconds = best_time(lambda url=url: get(url))
            results.append((label, seconds, len(captured), len(response.content)))

        cache.clear()
        cold_url = pages[1][1]
        cold = best_time(lambda: (cache.clear(), get(cold_url)))
        results.append(("review variables, diff not cached", cold, None, None))

        public = results[0][1]
        print(f"\n  {'page':38} {'time':>9} {'× public':>9} {'queries':>8} {'HTML':>9}")
        for label, seconds, queries, size in results:
            query_text = f"{queries:8d}" if queries is not None else f"{'':8}"
            size_text = f"{size / 1e3:7.0f} kB" if size is not None else ""
            print(
                f"  {label:38} {seconds * 1000:7.0f} ms {seconds / public:8.2f}x"
                f" {query_text} {size_text}"
            )
        connection.close()


if __name__ == "__main__":
    os.environ.setdefault("DEBUG", "1")
    main()
