"""HTTP benchmark: gunicorn with the repository's configuration, PostgreSQL, Redis, a
bounded load client on loopback, every page as a share of a bare view in the same run.

Run from the project root (PostgreSQL and Redis as in production, on this machine):

    .venv/bin/python bench/http.py            # Land-sized, about 10 minutes after setup
    .venv/bin/python bench/http.py --quick    # small data, a few seconds of load

What it does:

1. Creates its own database (``kispfam_bench_http``; ``--database-url`` for another,
   ``--fresh`` drops it first), migrates it, loads the demo (``load_demo --force``) and
   the bench population of ``bench/generate.py`` (Land: 50 cooperations, 5,000 staff,
   ``--cases`` bench cases, 100,000 by default), collects the static files. Each step is
   skipped when the database already holds its result, so a second run starts at once.
2. Starts gunicorn with ``gunicorn.conf.py`` (``DJANGO_SETTINGS_MODULE=bench.settings``:
   the application's settings plus a bare view at ``/bench/bare/``) and one task worker
   (``manage.py db_worker``), production-like: ``DEBUG=false``, a ``SECRET_KEY``, Redis
   as the cache (its own database number, flushed first), the task queue in PostgreSQL.
3. Signs the personas in with sessions created directly (``Client.force_login`` plus the
   session key with which django-otp records the verified authenticator), so that no
   TOTP code is needed; the requests send the session cookie and ``X-Forwarded-Proto:
   https`` (as the reverse proxy does).
4. Counts the database queries of each page once, through Django's test client in this
   process with ``CaptureQueriesContext`` (no ``DEBUG`` needed).
5. Runs the pages in rounds, interleaved (each round in another order): each page at
   concurrency 1 and 8 for ``--seconds``; reports requests/s as a share of the bare view
   in the same round (median over rounds), p50/p95/p99 over all rounds, and errors (any
   answer but 200 with the page's content type).
6. Restarts gunicorn, sends ``--rss-requests`` (1,000) mixed requests at concurrency 16
   and reads the workers' ``/proc/<pid>/status`` (VmRSS, VmHWM) and ``smaps_rollup``
   (Pss); then a mixed run of ``--mixed-seconds`` (60) at concurrency 16 over all pages,
   counting 5xx, and the workers' memory again.

Prints a Markdown table and writes the whole result as JSON to ``bench/results/``.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Run as a script, this file's directory comes first on sys.path, and this file has the
# name of the standard library's ``http`` package, which Django and the client import:
# the project root instead (bench/run.py and bench/pdf.py do the same).
sys.path[:] = [entry for entry in sys.path if Path(entry or ".").resolve() != ROOT / "bench"]
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import contextlib  # noqa: E402
import datetime  # noqa: E402
import http.client  # noqa: E402
import itertools  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import runpy  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402

DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/kispfam_bench_http"
WORK_DIR = Path("/tmp/kispfam_bench_http")
HOST = "127.0.0.1"
PORT = 8931
# Redis database of the bench's cache: flushed at the start, so it must be one nobody
# else uses on this machine (production and development use 0).
REDIS_DB = 13
RESULTS = ROOT / "bench" / "results"

# Targets of issue 11, as shares of the bare view's requests/s at concurrency 8.
TARGETS = {
    "case list": 0.20,
    "case page": 0.12,
    "dashboard": 0.15,
    "statistics page": 0.10,
    "statistics PDF": 0.30,
    "Leitfaden PDF": 0.30,
}
TARGET_RSS_MIB = 200


def media_root(database_url: str) -> Path:
    """Stored documents (PDFs rendered once) belong to their database: one directory
    per database, emptied with it (``--fresh``)."""
    return WORK_DIR / "media" / database_url.rsplit("/", 1)[1]


def bench_environment(database_url: str) -> dict[str, str]:
    """The environment of gunicorn, the task worker and this process: production's
    defaults (DEBUG off, secure cookies, Redis, tasks in PostgreSQL) on loopback."""
    return {
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DEBUG": "false",
        "SECRET_KEY": "bench-http-not-secret-" + "x" * 40,
        "ALLOWED_HOSTS": f"{HOST},localhost,testserver",
        "DATABASE_URL": database_url,
        "CACHE_URL": f"redis://127.0.0.1:6379/{REDIS_DB}",
        "TASKS_BACKEND": "database",
        "STATIC_ROOT": str(WORK_DIR / "static"),
        "MEDIA_ROOT": str(media_root(database_url)),
        # Nothing leaves the machine: the outbox's deliveries go nowhere.
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "GUNICORN_BIND": f"{HOST}:{PORT}",
        "LOG_LEVEL": "INFO",
        "SITE_URL": f"https://{HOST}",
    }


# --- setup -----------------------------------------------------------------------------


def ensure_database(url: str, fresh: bool) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        if fresh:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


def step(message: str) -> None:
    print(f"[{datetime.datetime.now(datetime.UTC):%H:%M:%S}] {message}", file=sys.stderr)


def prepare_data(scale: str, cases: int) -> dict:
    """Migrate, load the demo and the bench population unless they are there already."""
    from django.core.management import call_command

    from bench.generate import CODE_REGEX, SCALES, generate, generate_cases
    from cases.models import Case
    from cooperation.models import Cooperation, User

    step("migrate")
    call_command("migrate", interactive=False, verbosity=0)
    if not Cooperation.objects.filter(code="HS").exists():
        step("load_demo --force")
        with open(os.devnull, "w") as devnull, contextlib.redirect_stdout(devnull):
            call_command("load_demo", force=True)
    size = SCALES[scale]
    bench_cooperations = Cooperation.objects.filter(code__regex=CODE_REGEX)
    staff = User.objects.filter(institution__cooperation__in=bench_cooperations).count()
    if bench_cooperations.count() != size.cooperations or staff != size.staff:
        step(f"generate {scale}")
        generate(scale)
    bench_cases = Case.objects.filter(cooperation__in=bench_cooperations).count()
    if bench_cases != cases:
        if bench_cases > cases:
            generate(scale)
        step(f"generate_cases {cases:,}")
        generate_cases(cases)
    step("collectstatic")
    call_command("collectstatic", interactive=False, verbosity=0)
    return {
        "scale": scale,
        "cooperations": Cooperation.objects.count(),
        "bench cooperations": bench_cooperations.count(),
        "staff": User.objects.count(),
        "cases": Case.objects.count(),
        "bench cases": Case.objects.filter(cooperation__in=bench_cooperations).count(),
    }


@dataclass
class Page:
    name: str
    path: str
    persona: str | None  # username; None: anonymous, no cookie
    content_type: str = "text/html"
    cookie: str = ""
    queries: int | None = None
    bytes: int | None = None
    note: str = ""


def session_cookie(user) -> str:
    """A verified session of ``user`` (password and second factor), as the login leaves
    it: Django's auth keys plus django-otp's device key, stored through the session
    engine (cached_db: the database and Redis)."""
    from django.conf import settings

    from bench.run import verified_client

    client = verified_client(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def choose_pages() -> list[Page]:
    """The pages and who requests them.

    Land-sized: case list, a case page and the dashboard of a bench caseworker (a
    Kreisjugendamt's second account in the first bench cooperation, as bench/run.py),
    and the statistics page of that cooperation (its coordination office).
    The bench cases carry no family members, notes or conferences, so the demo's real
    case page and dashboard (the organiser of its first approved case conference) are
    measured too, with the conference page. Statistics and the Leitfaden: the demo's
    coordination office, which reads the committee's figures.
    """
    from django.urls import reverse
    from django.utils import timezone

    from agreements.models import GuidelineVersion
    from bench.run import bench_caseworker
    from cases.permissions import cases_visible_to
    from conferences.models import Meeting
    from cooperation.models import User
    from reports.figures import HalfYear

    caseworker = bench_caseworker()
    # The coordination office of the same bench cooperation reads its statistics.
    land_coordination = (
        User.objects.filter(
            institution__cooperation_id=caseworker.institution.cooperation_id,
            role=User.Role.COORDINATION,
        )
        .order_by("username")
        .first()
    )
    land_case = cases_visible_to(caseworker).order_by("-listed_at", "-pk").first()
    conference = (
        Meeting.objects.filter(kind=Meeting.Kind.CASE_CONFERENCE, state="approved")
        .select_related("organiser", "case")
        .order_by("pk")
        .first()
    )
    organiser = conference.organiser
    coordination = User.objects.get(username="koordination")
    version = (
        GuidelineVersion.objects.filter(guideline__cooperation=coordination.cooperation)
        .order_by("-number")
        .first()
    )
    finished = HalfYear.containing(timezone.localdate()).previous()
    pages = [
        Page("bare view", "/bench/bare/", None, note="bench.urls, no database"),
        Page("login page", reverse("login"), None),
        Page("case list", reverse("cases:list"), caseworker.username, note="Land"),
        Page("case page", land_case.get_absolute_url(), caseworker.username, note="Land"),
        Page("dashboard", reverse("dashboard"), caseworker.username, note="Land"),
        Page(
            "case page (demo)",
            conference.case.get_absolute_url(),
            organiser.username,
            note=f"demo {conference.case.reference}",
        ),
        Page("dashboard (demo)", reverse("dashboard"), organiser.username, note="demo"),
        Page(
            "conference page",
            conference.get_absolute_url(),
            organiser.username,
            note="demo, approved",
        ),
        Page(
            "statistics page",
            reverse("reports:report"),
            land_coordination.username,
            note="Land: one bench cooperation's cases",
        ),
        Page(
            "statistics page (demo)", reverse("reports:report"), coordination.username, note="demo"
        ),
        Page(
            "statistics PDF",
            f"{reverse('reports:pdf')}?halbjahr={finished}",
            coordination.username,
            "application/pdf",
            note=f"finished half-year {finished}",
        ),
        Page(
            "Leitfaden PDF",
            reverse("agreements:guideline_pdf", args=[version.guideline_id, version.number]),
            coordination.username,
            "application/pdf",
            note=f"published version {version.number}",
        ),
    ]
    cookies: dict[str, str] = {}
    for page in pages:
        if page.persona:
            if page.persona not in cookies:
                cookies[page.persona] = session_cookie(User.objects.get(username=page.persona))
            page.cookie = cookies[page.persona]
    return pages


def count_queries(pages: list[Page]) -> None:
    """Queries of one request per page through the test client (warmed up once)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    for page in pages:
        client = Client()
        if page.cookie:
            name, value = page.cookie.split("=", 1)
            client.cookies[name] = value
        client.get(page.path, secure=True)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(page.path, secure=True)
        if response.status_code != 200:
            raise RuntimeError(f"{page.name} {page.path}: {response.status_code}")
        page.queries = len(captured)


# --- the servers -----------------------------------------------------------------------


class Servers:
    """gunicorn (repository configuration) and one task worker, as subprocesses."""

    def __init__(self, environment: dict[str, str]):
        self.environment = {**os.environ, **environment}
        self.gunicorn: subprocess.Popen | None = None
        self.worker: subprocess.Popen | None = None
        self.log = WORK_DIR / "gunicorn.log"

    def start(self) -> None:
        self.log_offset = self.log.stat().st_size if self.log.exists() else 0
        log = self.log.open("a")
        self.gunicorn = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(ROOT / "gunicorn.conf.py")]
            + ["kispfam.wsgi:application"],
            cwd=ROOT,
            env=self.environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        if self.worker is None:
            self.worker = subprocess.Popen(
                [sys.executable, "manage.py", "db_worker", "--queue-name", "*"]
                + ["--no-startup-delay", "--interval", "1"],
                cwd=ROOT,
                env=self.environment,
                stdout=(WORK_DIR / "db_worker.log").open("a"),
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.gunicorn.poll() is not None:
                raise RuntimeError(f"gunicorn exited; see {self.log}")
            with contextlib.suppress(OSError, http.client.HTTPException):
                status, _, _ = fetch(Page("bare", "/bench/bare/", None))
                if status == 200 and len(self.workers()) == self.config()["workers"]:
                    return
            time.sleep(0.5)
        raise RuntimeError(f"gunicorn did not answer within 120 s; see {self.log}")

    def stop_gunicorn(self) -> None:
        if self.gunicorn and self.gunicorn.poll() is None:
            self.gunicorn.send_signal(signal.SIGTERM)
            try:
                self.gunicorn.wait(60)
            except subprocess.TimeoutExpired:
                self.gunicorn.kill()
                self.gunicorn.wait()
        self.gunicorn = None

    def stop(self) -> None:
        self.stop_gunicorn()
        if self.worker and self.worker.poll() is None:
            self.worker.send_signal(signal.SIGTERM)
            try:
                self.worker.wait(30)
            except subprocess.TimeoutExpired:
                self.worker.kill()
                self.worker.wait()
        self.worker = None

    def workers(self) -> list[int]:
        pid = self.gunicorn.pid
        try:
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        except OSError:
            return []
        return [int(child) for child in children]

    def config(self) -> dict:
        """The values gunicorn.conf.py gives in this environment."""
        saved = dict(os.environ)
        os.environ.update(self.environment)
        try:
            values = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
        finally:
            os.environ.clear()
            os.environ.update(saved)
        keys = ("worker_class", "workers", "threads", "timeout", "keepalive", "preload_app")
        return {key: values[key] for key in keys} | {"max_requests": values["max_requests"]}

    def log_events(self) -> dict[str, int]:
        """Worker timeouts, restarts and errors in gunicorn's log since the last start."""
        with self.log.open() as log:
            log.seek(self.log_offset)
            text = log.read()
        return {
            "worker timeouts": text.count("WORKER TIMEOUT"),
            "autorestarts": text.count("Autorestarting worker"),
            "worker boots": text.count("Booting worker"),
            "tracebacks": text.count("Traceback"),
        }


def memory(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM (``/proc/<pid>/status``) and Pss (``smaps_rollup``), in MiB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) / 1024
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                values["Pss"] = int(line.split()[1]) / 1024
    return values


# --- the load client -------------------------------------------------------------------


def headers(page: Page) -> dict[str, str]:
    values = {
        "Host": HOST,
        "X-Forwarded-Proto": "https",  # as the reverse proxy sets it
        "Accept-Language": "de",
        "User-Agent": "kispfam-bench-http",
    }
    if page.cookie:
        values["Cookie"] = page.cookie
    return values


def fetch(page: Page, connection: http.client.HTTPConnection | None = None):
    """One GET; returns (status, content type, body length)."""
    own = connection is None
    connection = connection or http.client.HTTPConnection(HOST, PORT, timeout=180)
    try:
        connection.request("GET", page.path, headers=headers(page))
        response = connection.getresponse()
        body = response.read()
        return response.status, response.getheader("Content-Type", ""), len(body)
    finally:
        if own:
            connection.close()


@dataclass
class Sample:
    page: str
    status: int  # 0: no answer (connection error, timeout)
    ok: bool
    seconds: float


@dataclass
class Cell:
    samples: list[Sample] = field(default_factory=list)
    elapsed: float = 0.0

    @property
    def rate(self) -> float:
        return len(self.samples) / self.elapsed if self.elapsed else 0.0


def load(pages: list[Page], concurrency: int, seconds: float, max_requests: int) -> Cell:
    """``concurrency`` threads with keep-alive connections GET the pages in turn (each
    thread starting at another page) until ``seconds`` have passed or ``max_requests``
    were sent; every thread completes at least one request. Bounded both ways."""
    cell = Cell()
    sent = itertools.count()
    start_together = threading.Barrier(concurrency + 1)
    finished: list[float] = []

    def run(offset: int) -> None:
        cycle = itertools.islice(itertools.cycle(pages), offset % len(pages), None)
        connection = http.client.HTTPConnection(HOST, PORT, timeout=180)
        start_together.wait()
        first = True
        for page in cycle:
            if not first and (time.perf_counter() >= deadline or next(sent) >= max_requests):
                break
            first = False
            began = time.perf_counter()
            try:
                connection.request("GET", page.path, headers=headers(page))
                response = connection.getresponse()
                response.read()
                status = response.status
                kind = response.getheader("Content-Type", "")
                if response.will_close:
                    connection.close()
            except (OSError, http.client.HTTPException):
                status, kind = 0, ""
                connection.close()
                connection = http.client.HTTPConnection(HOST, PORT, timeout=180)
            took = time.perf_counter() - began
            ok = status == 200 and kind.startswith(page.content_type)
            cell.samples.append(Sample(page.name, status, ok, took))
        connection.close()
        finished.append(time.perf_counter())

    threads = [threading.Thread(target=run, args=(n,)) for n in range(concurrency)]
    for thread in threads:
        thread.start()
    deadline = time.perf_counter() + seconds
    began = time.perf_counter()
    start_together.wait()
    for thread in threads:
        thread.join()
    cell.elapsed = max(finished) - began
    return cell


def percentile(values: list[float], q: int) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def latency(samples: list[Sample]) -> dict[str, float]:
    times = [sample.seconds * 1000 for sample in samples]
    return {f"p{q}": percentile(times, q) for q in (50, 95, 99)} if times else {}


def run_rounds(pages: list[Page], rounds: int, seconds: float, max_requests: int) -> dict:
    """Each round: every page at concurrency 1 and 8, in a rotated order."""
    cells: dict[tuple[str, int], list[Cell]] = {}
    for round_number in range(rounds):
        order = pages[round_number % len(pages) :] + pages[: round_number % len(pages)]
        levels = (1, 8) if round_number % 2 == 0 else (8, 1)
        step(f"round {round_number + 1}/{rounds}")
        for page in order:
            for concurrency in levels:
                cell = load([page], concurrency, seconds, max_requests)
                cells.setdefault((page.name, concurrency), []).append(cell)
    result = {}
    for page in pages:
        row: dict = {
            "path": page.path,
            "persona": page.persona,
            "queries": page.queries,
            "bytes": page.bytes,
            "note": page.note,
        }
        for concurrency in (1, 8):
            own = cells[(page.name, concurrency)]
            bare = cells[(pages[0].name, concurrency)]
            samples = [sample for cell in own for sample in cell.samples]
            row[f"c{concurrency}"] = {
                "requests/s": statistics.median(cell.rate for cell in own),
                "requests/s per round": [round(cell.rate, 2) for cell in own],
                # Against the bare view of the same round.
                "share": statistics.median(
                    mine.rate / theirs.rate for mine, theirs in zip(own, bare, strict=True)
                ),
                "requests": len(samples),
                "errors": sum(not sample.ok for sample in samples),
                "5xx": sum(sample.status >= 500 or sample.status == 0 for sample in samples),
                **latency(samples),
            }
        result[page.name] = row
    return result


def mixed(pages: list[Page], concurrency: int, seconds: float, max_requests: int) -> dict:
    cell = load(pages, concurrency, seconds, max_requests)
    by_page = {}
    for page in pages:
        samples = [sample for sample in cell.samples if sample.page == page.name]
        by_page[page.name] = {
            "requests": len(samples),
            "errors": sum(not sample.ok for sample in samples),
            "5xx": sum(sample.status >= 500 or sample.status == 0 for sample in samples),
            "statuses": dict(
                sorted(
                    (str(status), sum(s.status == status for s in samples))
                    for status in {s.status for s in samples}
                )
            ),
            **latency(samples),
        }
    return {
        "concurrency": concurrency,
        "seconds": cell.elapsed,
        "requests": len(cell.samples),
        "requests/s": cell.rate,
        "errors": sum(not sample.ok for sample in cell.samples),
        "5xx": sum(sample.status >= 500 or sample.status == 0 for sample in cell.samples),
        "pages": by_page,
    }


def wait_until_served(pages: list[Page], seconds: float = 300) -> dict[str, float]:
    """GET each page until it answers 200 with its content type (stored PDFs may first be
    rendered by the task worker); how long each took."""
    waited = {}
    for page in pages:
        start = time.monotonic()
        while True:
            status, kind, size = fetch(page)
            if status == 200 and kind.startswith(page.content_type):
                page.bytes = size
                break
            if time.monotonic() - start > seconds:
                raise RuntimeError(f"{page.name} {page.path}: {status} {kind} after {seconds} s")
            time.sleep(1)
        waited[page.name] = time.monotonic() - start
    return waited


# --- the machine -----------------------------------------------------------------------


def machine() -> dict:
    def first(path: str, prefix: str) -> str:
        with contextlib.suppress(OSError):
            for line in Path(path).read_text().splitlines():
                if line.startswith(prefix):
                    return line.split(":", 1)[1].strip()
        return ""

    import django
    import gunicorn
    import psycopg
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    git = {}
    with contextlib.suppress(OSError, subprocess.CalledProcessError):
        git["head"] = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        status = subprocess.run(
            ["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True
        ).stdout
        git["changed files"] = len(status.splitlines())
    return {
        "host": platform.node(),
        "cpus": os.cpu_count(),
        "cpu model": first("/proc/cpuinfo", "model name"),
        "memory": first("/proc/meminfo", "MemTotal"),
        "os": platform.platform(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "gunicorn": gunicorn.__version__,
        "psycopg": psycopg.__version__,
        "postgresql": postgres,
        "git": git,
    }


def load_snapshot() -> dict:
    """Load average and the busiest other processes: the machine is shared."""
    busiest = subprocess.run(
        ["ps", "-eo", "pcpu,comm", "--sort=-pcpu", "--no-headers"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.splitlines()[:6]
    return {"loadavg": os.getloadavg(), "busiest": [line.strip() for line in busiest]}


# --- output ----------------------------------------------------------------------------


def fmt(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def markdown(result: dict) -> str:
    pages = result["pages"]
    lines = [
        "| page | queries | req/s c1 | share c1 | req/s c8 | share c8 | p50 c1 ms "
        "| p50 / p95 / p99 c8 ms | errors | target (c8) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for name, row in pages.items():
        c1, c8 = row["c1"], row["c8"]
        target = TARGETS.get(name)
        verdict = ""
        if target is not None:
            met = c8["share"] >= target
            verdict = f"≥ {target:.0%}: " + ("met" if met else f"not met ({c8['share']:.1%})")
        lines.append(
            f"| {name} | {fmt(row['queries'], 0) if row['queries'] is not None else '–'} "
            f"| {fmt(c1['requests/s'])} | {c1['share']:.1%} "
            f"| {fmt(c8['requests/s'])} | {c8['share']:.1%} | {fmt(c1.get('p50'))} "
            f"| {fmt(c8.get('p50'))} / {fmt(c8.get('p95'))} / {fmt(c8.get('p99'))} "
            f"| {c1['errors'] + c8['errors']} | {verdict} |"
        )
    run = result["mixed"]
    lines += [
        "",
        f"Mixed run: {run['requests']:,} requests in {run['seconds']:.0f} s at concurrency "
        f"{run['concurrency']} ({run['requests/s']:.1f}/s), {run['errors']} errors, "
        f"{run['5xx']} 5xx or no answer (target 0: {'met' if run['5xx'] == 0 else 'not met'}).",
        "",
        "| page (mixed run) | requests | errors | 5xx | statuses | p50 / p95 / p99 ms |",
        "|---|---:|---:|---:|---|---:|",
    ]
    for name, row in run["pages"].items():
        statuses = ", ".join(f"{k}: {v}" for k, v in row["statuses"].items())
        lines.append(
            f"| {name} | {row['requests']} | {row['errors']} | {row['5xx']} | {statuses} "
            f"| {fmt(row.get('p50'))} / {fmt(row.get('p95'))} / {fmt(row.get('p99'))} |"
        )
    rss = result["rss"]
    worst = max(worker["VmRSS"] for worker in rss["workers"])
    lines += [
        "",
        f"Worker memory after {rss['requests']:,} mixed requests (fresh gunicorn, "
        f"concurrency 16): VmRSS "
        + ", ".join(f"{w['VmRSS']:.0f}" for w in rss["workers"])
        + " MiB, Pss "
        + ", ".join(f"{w.get('Pss', 0):.0f}" for w in rss["workers"])
        + f" MiB; largest {worst:.0f} MiB (target ≤ {TARGET_RSS_MIB} MiB: "
        + ("met" if worst <= TARGET_RSS_MIB else "not met")
        + "). After the mixed run: VmRSS "
        + ", ".join(f"{w['VmRSS']:.0f}" for w in result["rss after mixed"]["workers"])
        + " MiB.",
    ]
    return "\n".join(lines)


# --- main ------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small data, a few seconds")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_HTTP_DATABASE_URL"))
    parser.add_argument("--fresh", action="store_true", help="drop and recreate the database")
    parser.add_argument("--scale", choices=["kreis", "land"])
    parser.add_argument("--cases", type=int, help="bench cases (default 100,000; quick 1,000)")
    parser.add_argument("--rounds", type=int, help="rounds of all pages (default 3)")
    parser.add_argument("--seconds", type=float, help="seconds per page and concurrency")
    parser.add_argument("--mixed-seconds", type=float, help="the mixed run (default 60)")
    parser.add_argument("--rss-requests", type=int, help="mixed requests before RSS (1,000)")
    parser.add_argument("--output", type=Path, help="the JSON file (default bench/results/)")
    parser.add_argument("--only", help="comma-separated page names (the bare view stays)")
    parser.add_argument("--setup-only", action="store_true", help="prepare the data, no load")
    args = parser.parse_args(argv)
    quick = args.quick
    scale = args.scale or ("kreis" if quick else "land")
    cases = args.cases if args.cases is not None else (1_000 if quick else 100_000)
    rounds = args.rounds or (1 if quick else 3)
    seconds = args.seconds or (1.0 if quick else 4.0)
    mixed_seconds = args.mixed_seconds or (5.0 if quick else 60.0)
    rss_requests = args.rss_requests or (100 if quick else 1_000)
    database_url = args.database_url or DEFAULT_DATABASE
    if quick and not args.database_url:
        database_url += "_quick"
    if not database_url.startswith(("postgres://", "postgresql://")):
        print("bench/http.py needs PostgreSQL (--database-url postgres://…).", file=sys.stderr)
        return 2
    if not shutil.which("redis-cli"):
        print("bench/http.py needs Redis on 127.0.0.1:6379 (redis-cli).", file=sys.stderr)
        return 2

    WORK_DIR.mkdir(parents=True, exist_ok=True)
    environment = bench_environment(database_url)
    if args.fresh:
        shutil.rmtree(media_root(database_url), ignore_errors=True)
    os.environ.update(environment)
    subprocess.run(["redis-cli", "-n", str(REDIS_DB), "FLUSHDB"], check=True, capture_output=True)
    ensure_database(database_url, args.fresh)

    import django

    django.setup()
    started = datetime.datetime.now(datetime.UTC)
    data = prepare_data(scale, cases)
    pages = choose_pages()
    if args.setup_only:
        step(f"data ready: {data}")
        return 0
    if args.only:
        wanted = {name.strip() for name in args.only.split(",")}
        pages = [page for page in pages if page.name in wanted or page.name == "bare view"]

    servers = Servers(environment)
    result: dict = {
        "date": started.isoformat(timespec="seconds"),
        "quick": quick,
        "machine": machine(),
        "load before": load_snapshot(),
        "data": data,
        "settings": {
            "rounds": rounds,
            "seconds per cell": seconds,
            "max requests per cell": 2_000,
            "mixed seconds": mixed_seconds,
            "rss requests": rss_requests,
        },
        "gunicorn": servers.config(),
    }
    try:
        step("start gunicorn and the task worker")
        servers.start()
        result["waited for first answer s"] = wait_until_served(pages)
        step("count queries")
        count_queries(pages)
        if not quick:  # each worker and thread: imports, templates, connections
            step("warm up")
            for page in pages:
                load([page], 8, 2.0, 200)
        result["load at start of timing"] = load_snapshot()
        # The load client shares the machine with the server: how much CPU it took.
        wall, cpu = time.perf_counter(), time.process_time()
        result["pages"] = run_rounds(pages, rounds, seconds, 2_000)
        result["client CPU s per wall s, rounds"] = (time.process_time() - cpu) / (
            time.perf_counter() - wall
        )
        result["load after rounds"] = load_snapshot()
        result["gunicorn log, rounds"] = servers.log_events()

        step("restart gunicorn; mixed requests for the memory reading")
        servers.stop_gunicorn()
        servers.start()
        # Bounded in time too: on a busy machine 1,000 requests may take long.
        rss_run = mixed(pages, 16, 30 if quick else 300, rss_requests)
        result["rss"] = {
            "requests": rss_run["requests"],
            "5xx": rss_run["5xx"],
            "workers": [memory(pid) for pid in servers.workers()],
            "master": memory(servers.gunicorn.pid),
        }
        step(f"mixed run, {mixed_seconds:.0f} s at concurrency 16")
        result["mixed"] = mixed(pages, 16, mixed_seconds, 10**9)
        result["rss after mixed"] = {"workers": [memory(pid) for pid in servers.workers()]}
        result["gunicorn log, memory and mixed"] = servers.log_events()
        result["load after"] = load_snapshot()
    finally:
        servers.stop()
    result["finished"] = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")

    table = markdown(result)
    print(table)
    output = args.output
    if output is None:
        RESULTS.mkdir(exist_ok=True)
        name = "http-quick.json" if quick else f"http-{started:%Y-%m-%dT%H%M}.json"
        output = RESULTS / name
    output.write_text(json.dumps(result | {"table": table}, indent=2, ensure_ascii=False) + "\n")
    step(f"results in {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
