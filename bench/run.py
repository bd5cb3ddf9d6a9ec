"""Generate Kreis- and Land-sized data in PostgreSQL and print the measurements.

Run from the project root:

    DATABASE_URL=postgres://... .venv/bin/python bench/run.py [--scale kreis|land|all]
    DATABASE_URL=postgres://... .venv/bin/python bench/run.py --scale land \
        --cases 1000,10000,100000 [--explain]

Each measurement is a function in MEASUREMENTS that takes the scale's name and returns
its columns of the result table; they run in order, so the first one generates the data
the others measure.
"""

import argparse
import os
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Not this directory but the project root: bench/http.py (the HTTP benchmark) would
# shadow the standard library's http package, which Django imports.
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kispfam.settings")
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")

Row = dict[str, object]
Measurement = Callable[[str], Row]


def measure_generate(scale: str) -> Row:
    from bench.generate import CODE_REGEX, generate
    from cooperation.models import Cooperation, Institution, User

    start = time.perf_counter()
    generate(scale)
    seconds = time.perf_counter() - start
    institutions = Institution.objects.filter(cooperation__code__regex=CODE_REGEX)
    return {
        "cooperations": Cooperation.objects.filter(code__regex=CODE_REGEX).count(),
        "institutions": institutions.count(),
        "staff": User.objects.filter(institution__in=institutions).count(),
        "generate s": f"{seconds:.2f}",
    }


MEASUREMENTS: list[Measurement] = [measure_generate]

WARMUP = 3
RUNS = 20


def timed(action: Callable[[], object]) -> tuple[float, int]:
    """Median milliseconds and query count of ``action`` over RUNS runs after WARMUP."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    for _ in range(WARMUP):
        action()
    times, queries = [], []
    for _ in range(RUNS):
        # The log holds at most 9,000 queries; once full, a capture would count none.
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            action()
            times.append((time.perf_counter() - start) * 1000)
        queries.append(len(captured))
    return statistics.median(times), int(statistics.median(queries))


def bench_caseworker():
    """A caseworker of the Kreisjugendamt of the first bench cooperation."""
    from bench.generate import code
    from cooperation.models import Institution, User

    return User.objects.get(
        institution__cooperation__code=code(1),
        institution__kind=Institution.Kind.JUGENDAMT_KREIS,
        role=User.Role.CASEWORKER,
        username__endswith="2",  # the second account of the institution
    )


def verified_client(user):
    """A test client signed in as ``user`` past the second factor, which every login of
    staff and superusers needs (cooperation/twofactor.py): ``force_login`` plus the
    session key in which django-otp records the verified device. Bench accounts get a
    confirmed authenticator for it."""
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Bench", confirmed=True)
    client = Client()
    client.force_login(user, backend="cooperation.backends.PasswordBackend")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def first_pages(user):
    """The three raw first-page queries of 50 cases, unevaluated, by name.

    scoped: the gateway, ordered as the case list orders it (``("-listed_at", "-pk")``,
    read from ``CaseVisibility``'s ``visibility_list_order`` index); unscoped:
    ``Case.objects`` by ``-updated_at`` (what a superuser sees); guardian: django-guardian's
    stock ``get_objects_for_user(user, "cases.view_case", klass=Case)`` by ``-updated_at``.
    """
    from guardian.shortcuts import get_objects_for_user

    from cases.models import Case
    from cases.permissions import cases_visible_to

    return {
        "unscoped": lambda: Case.objects.order_by("-updated_at")[:50],
        "scoped": lambda: cases_visible_to(user).order_by("-listed_at", "-pk")[:50],
        "guardian": lambda: get_objects_for_user(user, "cases.view_case", klass=Case).order_by(
            "-updated_at"
        )[:50],
    }


# Matches no reference and no name: no bench reference has a letter after "B", and no
# trigram of it occurs in any of them.
NO_HIT = "Xyzzyquux"


def search_queryset(user, query: str):
    """The case list's search for ``query`` as ``cases.views.browse.case_list`` builds it
    (gateway, lead institution, visible family name, reference or released name, list
    order), without the view: request, template and AccessLog insert."""
    from django.db.models import Q

    from cases.permissions import cases_visible_to, family_name_visible_to, name_matches

    return (
        cases_visible_to(user)
        .select_related("lead_institution")
        .annotate(family_name=family_name_visible_to(user))
        .filter(Q(reference__icontains=query) | name_matches(user, query))
        .order_by("-listed_at", "-pk")
    )


def search_page_and_count(user, query: str) -> None:
    """The search's first page (one row more than the list shows) and its count capped
    at ``COUNT_CAP + 1`` rows. Both always run: the view skips the count when the first
    page is not full, so this is the upper bound of what a search reads."""
    from cases.views.browse import COUNT_CAP, PAGE_SIZE

    cases = search_queryset(user, query)
    list(cases[: PAGE_SIZE + 1])
    cases[: COUNT_CAP + 1].count()


def measure_cases(total: int, explain: bool = False) -> Row:
    """Add cases up to ``total`` and time the case list, a case page and the raw queries.

    list / case page: django.test.Client GETs by one caseworker (whole request: session,
    gateway, paginator count, template, AccessLog insert); superuser list: the same list
    page for a superuser, i.e. unscoped. search: the caseworker's list with ``?q=`` a
    string that matches nothing (``NO_HIT``): page and capped count through the view;
    search raw: the same search's queries alone (``search_page_and_count``). unscoped /
    scoped / guardian: the raw first pages of ``first_pages``, evaluated.
    """
    from django.test import Client
    from django.urls import reverse

    from bench.generate import bench_superuser, check_cases, generate_cases
    from cases.models import Case
    from cases.permissions import cases_visible_to

    start = time.perf_counter()
    added = generate_cases(total)
    seconds = time.perf_counter() - start
    newest = list(Case.objects.order_by("-pk").values_list("reference", flat=True)[:2])
    oldest = list(Case.objects.order_by("pk").values_list("reference", flat=True)[:1])
    check_cases(newest + oldest)

    user = bench_caseworker()
    visible = cases_visible_to(user).count()
    case = cases_visible_to(user).order_by("-listed_at", "-pk").first()
    client = verified_client(user)
    superuser_client = verified_client(bench_superuser())
    list_url, case_url = reverse("cases:list"), case.get_absolute_url()

    def get(client: Client, url: str) -> None:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)

    def evaluate(queryset) -> None:
        assert len(list(queryset)) <= 50

    search_url = f"{list_url}?q={NO_HIT}"
    assert not search_queryset(user, NO_HIT).exists(), "the no-hit search finds cases"
    queries = first_pages(user)
    results = {
        "list": timed(lambda: get(client, list_url)),
        "search": timed(lambda: get(client, search_url)),
        "search raw": timed(lambda: search_page_and_count(user, NO_HIT)),
        "case page": timed(lambda: get(client, case_url)),
        "superuser list": timed(lambda: get(superuser_client, list_url)),
        **{name: timed(lambda q=q: evaluate(q())) for name, q in queries.items()},
    }
    row: Row = {
        "cases": f"{Case.objects.count():,}",
        "visible": f"{visible:,}",
        "added s": f"{seconds:.1f}" if added else "-",
    }
    for name, (ms, count) in results.items():
        row[f"{name} ms"] = f"{ms:.1f}"
        row[f"{name} q"] = count
    # The target compares the gateway's first page with guardian's stock query.
    row["scoped/guardian"] = f"{results['scoped'][0] / results['guardian'][0]:.2f}"
    row["peak RSS MiB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    if explain:
        for name in ("scoped", "guardian"):
            print(f"\n-- {name} at {total:,} cases\n{queries[name]().query}\n")
            print(queries[name]().explain(analyze=True, buffers=True))
        search = search_queryset(user, NO_HIT)
        print(f"\n-- search page at {total:,} cases\n{search[:51].query}\n")
        print(search[:51].explain(analyze=True, buffers=True))
    return row


def print_table(rows: list[Row]) -> None:
    columns = list(dict.fromkeys(column for row in rows for column in row))
    cells = [[str(row.get(column, "")) for column in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row in cells:
        print("  ".join(c.rjust(w) for c, w in zip(row, widths, strict=True)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=["kreis", "land", "all"], default="all")
    parser.add_argument(
        "--cases",
        default="",
        help="comma-separated case counts (e.g. 1000,10000,100000) to add incrementally "
        "to the last scale's population and measure the case pages at",
    )
    parser.add_argument(
        "--explain",
        action="store_true",
        help="print EXPLAIN ANALYZE of the scoped and guardian first pages and of the "
        "no-hit search's first page at each case count",
    )
    args = parser.parse_args(argv)

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://", "pgsql://")):
        print(
            "bench/run.py needs PostgreSQL: set DATABASE_URL, e.g.\n"
            "  DATABASE_URL=postgres://postgres@127.0.0.1:5432/kispfam_bench "
            ".venv/bin/python bench/run.py",
            file=sys.stderr,
        )
        return 2

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        print(f"bench/run.py needs PostgreSQL, not {connection.vendor}.", file=sys.stderr)
        return 2
    call_command("migrate", interactive=False, verbosity=0)

    from bench.generate import SCALES

    scales = list(SCALES) if args.scale == "all" else [args.scale]
    rows = []
    for scale in scales:
        row: Row = {"scale": scale}
        for measurement in MEASUREMENTS:
            row.update(measurement(scale))
        rows.append(row)
    print_table(rows)

    sizes = [int(size) for size in args.cases.split(",") if size.strip()]
    if sizes:
        print(f"\nCases at {scales[-1]} scale (median of {RUNS} runs after {WARMUP} warm-up):")
        print_table([measure_cases(size, args.explain) for size in sorted(sizes)])
    return 0


if __name__ == "__main__":
    sys.exit(main())
