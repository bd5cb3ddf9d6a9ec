"""Time ``build_report`` for the current half-year at 1k, 10k and 100k cases in one cooperation.

Run from the project root, against a PostgreSQL database of its own:

    psql -h 127.0.0.1 -U postgres -c 'CREATE DATABASE kispfam_bench_report'
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kispfam_bench_report \\
        .venv/bin/python bench/report.py [--cases 1000,10000,100000]

The Kreis population (one cooperation, ``bench.generate``) gets its cases incrementally
(``generate_cases``); every second case then gets two Beteiligtenkonferenzen held, one in
the previous and one in the current half-year (``Meeting`` rows with the case's
``last_conference_held_on`` set as ``conferences.services.meeting_held`` sets it), so
that the statistics' due figure has to rebuild the due date of half of the cases. Each
row: median milliseconds and queries of ``build_report`` over RUNS runs after WARMUP,
and the ratio to the smallest size (target: ≤ 150 ms at 100,000, ≤ 1.5× from 1,000).
The bench meetings are deleted again at the end (and before ``generate`` deletes the
previous bench cases, which they would hold on to). ``--explain`` prints
``EXPLAIN (ANALYZE, BUFFERS)`` of each of ``build_report``'s queries at every size.
"""

import argparse
import datetime
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, this directory comes first on the path, and bench/http.py would stand
# in for the standard library's http package.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kispfam.settings")
os.environ.setdefault("DEBUG", "true")

TARGET_MS = 150
TARGET_RATIO = 1.5
BATCH = 5000
TEN = datetime.time(10)


def delete_bench_meetings() -> None:
    from bench.generate import CODE_REGEX
    from conferences.models import Meeting

    Meeting.objects.filter(cooperation__code__regex=CODE_REGEX).delete()


def add_held_conferences(cooperation, today: datetime.date) -> int:
    """Two held conferences for every second case (by id) that has none yet (bulk, no
    history)."""
    from django.db import transaction
    from django.utils import timezone

    from cases.models import Case
    from conferences.models import Meeting
    from reports.figures import HalfYear

    current = HalfYear.containing(today)
    days = (
        current.previous().start + datetime.timedelta(days=20),
        min(today, current.start + datetime.timedelta(days=30)),
    )
    cases = (
        Case.objects.filter(cooperation=cooperation, last_conference_held_on__isnull=True)
        .filter(conferences__isnull=True)
        .order_by("pk")
        .values_list("pk", "lead_institution_id", "opened_by_id")
    )
    # Every second case by id, so that each size step adds the same share.
    rows = [row for row in cases if row[0] % 2 == 0]
    with transaction.atomic():
        for start in range(0, len(rows), BATCH):
            chunk = rows[start : start + BATCH]
            Meeting.objects.bulk_create(
                Meeting(
                    kind=Meeting.Kind.CASE_CONFERENCE,
                    cooperation=cooperation,
                    case_id=pk,
                    source_institution_id=lead,
                    organiser_id=organiser,
                    starts_at=timezone.make_aware(datetime.datetime.combine(day, TEN)),
                    state=Meeting.State.HELD,
                )
                for pk, lead, organiser in chunk
                for day in days
            )
            Case.objects.filter(pk__in=[pk for pk, _lead, _organiser in chunk]).update(
                last_conference_held_on=days[1]
            )
    return len(rows)


def explain(action, size: int) -> None:
    """Run ``action`` once and print the plan of every query it made."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    # A full query log (after the bulk setup) would make the capture empty.
    reset_queries()
    with CaptureQueriesContext(connection) as captured:
        action()
    for number, query in enumerate(captured.captured_queries, start=1):
        print(f"\n-- query {number} of build_report at {size:,} cases\n{query['sql']}\n")
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + query["sql"].replace("%", "%%"))
            print("\n".join(row[0] for row in cursor.fetchall()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default="1000,10000,100000")
    parser.add_argument(
        "--explain", action="store_true", help="print EXPLAIN ANALYZE of the report's queries"
    )
    args = parser.parse_args(argv)
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://", "pgsql://")):
        print("bench/report.py needs PostgreSQL: set DATABASE_URL.", file=sys.stderr)
        return 2

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    call_command("migrate", interactive=False, verbosity=0)

    from bench.generate import code, generate, generate_cases, vacuum_bench_tables
    from bench.run import RUNS, WARMUP, print_table, timed
    from cooperation.models import Cooperation
    from reports.figures import HalfYear, build_report

    delete_bench_meetings()
    start = time.perf_counter()
    generate("kreis")
    cooperation = Cooperation.objects.get(code=code(1))
    today = timezone.localdate()
    period = HalfYear.containing(today)
    print(f"Kreis population in {time.perf_counter() - start:.1f} s; half-year {period}.")
    rows, first = [], None
    for size in sorted(int(s) for s in args.cases.split(",") if s.strip()):
        start = time.perf_counter()
        generate_cases(size)
        held = add_held_conferences(cooperation, today)
        vacuum_bench_tables()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) conferences_meeting")
        setup = time.perf_counter() - start
        ms, queries = timed(lambda: build_report(cooperation, period, today))
        if args.explain:
            explain(lambda: build_report(cooperation, period, today), size)
        first = first or ms
        rows.append(
            {
                "cases": f"{size:,}",
                "held (new)": f"{held:,}",
                "setup s": f"{setup:.1f}",
                "build_report ms": f"{ms:.1f}",
                "queries": queries,
                "× first": f"{ms / first:.2f}",
            }
        )
    print(f"\nbuild_report, current half-year (median of {RUNS} after {WARMUP} warm-up):")
    print_table(rows)
    last = float(rows[-1]["build_report ms"])
    ratio = float(rows[-1]["× first"])
    print(
        f"\ntarget ≤ {TARGET_MS} ms at the largest size: {'met' if last <= TARGET_MS else 'missed'}"
        f"; ≤ {TARGET_RATIO}× from the smallest: {'met' if ratio <= TARGET_RATIO else 'missed'}"
    )
    delete_bench_meetings()
    return 0


if __name__ == "__main__":
    sys.exit(main())
