"""CPU per request of the case list and the dashboard, as shares of a bare view.

Run from the project root against a database with the demo (``load_demo``):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kispfam_x .venv/bin/python \\
        bench/profile_pages.py [--user erkelenz.fachkraft] [--runs 30] [--top 25]

Production-like settings in this process (``bench.settings``: the application's own
plus the bare view at ``/bench/bare/``): ``DEBUG`` off, so templates come from Django's
cached loader, local-memory cache, plain static URLs instead of the manifest (no
``collectstatic`` needed). The persona is signed in past the second factor as
``bench/run.py`` does it. For each page: the queries of one GET (``--sql`` prints
them), the median wall and CPU ms of ``--runs`` GETs after five warm-ups (and the least
CPU), then ``--runs`` GETs under cProfile: printed sorted by cumulative and by own time
and as the project's own functions only (``--dump DIR`` keeps the profiles for
``pstats``), and counted as Python calls per GET. The bare view is measured in the same
run, so the medians read as ratios.

On a machine shared with other work the times swing by half from run to run; the calls
per GET do not, and they follow the CPU time: compare those first. A full page of fifty
rows needs more than the demo's cases: ``bench.generate.generate("kreis")`` and
``generate_cases(5000)`` into the same database, then ``--user`` the caseworker that
``bench.run.bench_caseworker()`` names.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import cProfile  # noqa: E402
import io  # noqa: E402
import os  # noqa: E402
import pstats  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402

WARMUPS = 5


def configure() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", "profile-pages-not-secret-" + "x" * 40)
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    os.environ.setdefault("CACHE_URL", "locmem://")
    os.environ.setdefault("AXES_ENABLED", "false")
    # WhiteNoise warns about a missing static root; the pages' static URLs need none.
    static_root = Path(os.environ.setdefault("STATIC_ROOT", "/tmp/kispfam_profile_static"))
    static_root.mkdir(parents=True, exist_ok=True)
    import django

    django.setup()
    from django.conf import settings

    # Plain static URLs: the manifest exists only after collectstatic.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def measure(
    client, url: str, runs: int, profile_top: int, show: bool, dump: str | None = None
) -> dict:
    from django.db import connection

    def get():
        response = client.get(url, secure=True)
        if response.status_code != 200:
            raise RuntimeError(f"{url}: {response.status_code}")
        return response

    for _ in range(WARMUPS):
        get()
    # Counted with a wrapper around the cursor: the request's start resets the debug
    # query log that ``CaptureQueriesContext`` reads.
    captured: list[str] = []

    def record(execute, sql, params, many, context):
        captured.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        response = get()
    # Wall time and this process's CPU time: on a loaded machine the wall time swings
    # with the neighbours, the CPU time much less (the database's CPU is not in it).
    times, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        get()
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(runs):
        get()
    profiler.disable()
    if dump:
        profiler.dump_stats(dump)
    calls = sum(stat[1] for stat in pstats.Stats(profiler).stats.values()) // runs
    result = {
        "queries": len(captured),
        "median_ms": statistics.median(times),
        "cpu_ms": statistics.median(cpu),
        # The least CPU a GET took: the neighbours' interference only ever adds to it.
        "cpu_min_ms": min(cpu),
        # Python function calls per GET (cProfile): as steady as the code, whatever the load.
        "calls": calls,
        "bytes": len(response.content),
        "sql": captured,
    }
    if show:
        for order in ("cumulative", "tottime"):
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(profile_top)
            result[order] = out.getvalue()
        # The project's own functions (no library, no test client): where to look first.
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).sort_stats("cumulative")
        stats.print_stats(rf"^{ROOT}/(?!\.venv|bench)", profile_top)
        result["project"] = out.getvalue()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--user", default="erkelenz.fachkraft")
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--top", type=int, default=25, help="rows of each profile")
    parser.add_argument("--sql", action="store_true", help="print each page's queries")
    parser.add_argument("--page", action="append", help="only these pages (by name)")
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument(
        "--dump", metavar="DIR", help="write each page's profile to DIR/<page>.prof (pstats)"
    )
    args = parser.parse_args()
    configure()

    from django.test import Client
    from django.urls import reverse

    from bench.run import verified_client
    from cooperation.models import User

    user = User.objects.get(username=args.user)
    signed_in = verified_client(user)
    pages = {
        "bare view": (Client(), "/bench/bare/"),
        "case list": (signed_in, reverse("cases:list")),
        "dashboard": (signed_in, reverse("dashboard")),
    }
    wanted = args.page or list(pages)
    results = {}
    for name, (client, url) in pages.items():
        if name == "bare view" or name in wanted:
            show = name != "bare view" and not args.no_profile
            dump = f"{args.dump}/{name.replace(' ', '_')}.prof" if args.dump else None
            results[name] = measure(client, url, args.runs, args.top, show, dump)
    bare = results["bare view"]["median_ms"]
    for name, result in results.items():
        if name == "bare view":
            continue
        for order in ("cumulative", "tottime", "project"):
            if order in result:
                print(f"\n===== {name}: profile of {args.runs} GETs by {order} =====")
                print(result[order])
        if args.sql:
            print(f"\n===== {name}: queries =====")
            for sql in result["sql"]:
                print(sql, end="\n\n")
    bare_cpu = results["bare view"]["cpu_ms"]
    print(
        f"\n{'page':<12} {'queries':>7} {'median ms':>10} {'bare/page':>10} "
        f"{'CPU ms':>8} {'bare/page CPU':>14} {'min CPU ms':>10} {'calls':>7} {'bytes':>7}"
    )
    for name, result in results.items():
        print(
            f"{name:<12} {result['queries']:>7} {result['median_ms']:>10.2f} "
            f"{bare / result['median_ms']:>10.3f} {result['cpu_ms']:>8.2f} "
            f"{bare_cpu / result['cpu_ms']:>14.3f} {result['cpu_min_ms']:>10.2f} "
            f"{result['calls']:>7} {result['bytes']:>7}"
        )
    print(f"(user {args.user}, {args.runs} GETs after {WARMUPS} warm-ups, median)")


if __name__ == "__main__":
    main()
