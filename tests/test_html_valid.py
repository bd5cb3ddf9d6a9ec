"""Every page a persona reaches passes the Nu HTML Checker (vnu) without a single error.

Two tests, each collecting its pages first and then starting vnu once over all of them (the
JVM takes seconds to start):

- the demo (``load_demo``) crawled as a caseworker of the lead Jugendamt, a Caritas
  caseworker and the coordination office, from "/" along the pages' own links, plus the
  anonymous login pages;
- every URL of the access matrix (tests/matrix.py) for each persona that gets it with 200.

vnu comes from npm (``vnu-jar`` in package.json, ``npm ci``) and needs a Java runtime
(Debian's ``default-jre-headless``). Without them the tests are skipped with a message;
under CI a missing checker is a failure, never a skip.
"""

import io
import json
import os
import shutil
import subprocess
from collections import Counter, deque
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import Resolver404, resolve, reverse

from cooperation.models import User
from tests.matrix import PERSONAS, ROWS
from tests.test_url_auth import world  # noqa: F401 (the matrix's world, as a fixture)

VNU_JAR = Path(settings.BASE_DIR) / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
JAVA = shutil.which("java")

DEMO_PERSONAS = ["erkelenz.fachkraft", "caritas.fachkraft", "koordination"]
PAGES_PER_PERSONA = 300
# Links that differ only in their query string (filters, pages): this many per path.
QUERIES_PER_PATH = 3

# Views that answer with a file (PDF, calendar, CSV, a scan), not a page: never fetched,
# so that the crawl does not render PDFs. A file view missing here is fetched and then
# dropped for its content type, which only costs time.
FILE_VIEWS = {
    "agreements:agreement_pdf",
    "agreements:guideline_pdf",
    "cases:consent_pdf",
    "cases:consent_scan",
    "concept:declaration_document",
    "concept:offers_pdf",
    "concept:pdf",
    "conferences:feed",
    "conferences:ics",
    "conferences:pdf",
    "reports:csv",
    "reports:pdf",
}
# Not ours to check (Django's admin, the OParl JSON API) or not a page to visit.
SKIPPED_NAMESPACES = {"admin", "oparl"}
SKIPPED_VIEWS = {"logout", "set_language"}
CHECKED_STATUSES = {200, 403, 404}


@pytest.fixture
def vnu() -> list[str]:
    """The command line that starts the Nu HTML Checker."""
    missing = [
        what
        for what, there in (
            ("a Java runtime (Debian: default-jre-headless)", JAVA),
            (f"{VNU_JAR} (npm ci)", VNU_JAR.is_file()),
        )
        if not there
    ]
    if missing:
        message = "The Nu HTML Checker cannot run: no " + " and no ".join(missing) + "."
        if os.environ.get("CI", "").lower() not in ("", "0", "false"):
            pytest.fail(f"CI is set: HTML validation must run in CI. {message}")
        pytest.skip(message)
    return [JAVA, "-jar", str(VNU_JAR)]


@dataclass
class Page:
    who: str
    url: str
    status: int
    html: str


class LinkParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.links.append(href)


def links_of(html: str) -> list[str]:
    parser = LinkParser()
    parser.feed(html)
    return parser.links


def worth_fetching(path: str) -> bool:
    try:
        match = resolve(path)
    except Resolver404:
        return True  # the 404 page is a page, too
    if SKIPPED_NAMESPACES & set(match.namespaces):
        return False
    return match.view_name not in SKIPPED_VIEWS | FILE_VIEWS


def is_html(response) -> bool:
    return response.get("Content-Type", "").startswith("text/html") and not response.streaming


def crawl(client: Client, who: str, start: list[str], limit: int) -> list[Page]:
    """The pages reached from ``start`` along same-site links, GET only, breadth first."""
    queue = deque(start)
    seen = set(start)
    queries_per_path = Counter()
    pages = []
    while queue and len(pages) < limit:
        url = queue.popleft()
        response = client.get(url)
        if response.status_code in (301, 302, 303, 307, 308):
            found = [response["Location"]]
        elif is_html(response) and response.status_code in CHECKED_STATUSES:
            html = response.content.decode()
            pages.append(Page(who, url, response.status_code, html))
            found = links_of(html)
        else:
            continue
        for href in found:
            target = urlsplit(urljoin(url, href))
            if target.scheme not in ("", "http") or target.netloc not in ("", "testserver"):
                continue
            if not worth_fetching(target.path):
                continue
            if target.query and queries_per_path[target.path] >= QUERIES_PER_PATH:
                continue
            link = target.path + (f"?{target.query}" if target.query else "")
            if link in seen:
                continue
            seen.add(link)
            queries_per_path[target.path] += bool(target.query)
            queue.append(link)
    return pages


# A page that vnu must fault: proof that it read the files, not merely that it said nothing.
CANARY = "<!DOCTYPE html><html lang=de><title>canary</title><p><div></div></p>"


def validate(vnu: list[str], pages: list[Page], tmp_path: Path) -> list[str]:
    """vnu's errors, one line each, naming the persona and the page."""
    files = {tmp_path / "canary.html": None}
    for number, page in enumerate(pages):
        files[tmp_path / f"page-{number:04d}.html"] = page
    for file, page in files.items():
        file.write_text(page.html if page else CANARY, encoding="utf-8")
    result = subprocess.run(
        [*vnu, "--errors-only", "--format", "json", "--stdout", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    try:
        messages = json.loads(result.stdout)["messages"]
    except (json.JSONDecodeError, KeyError):
        pytest.fail(f"vnu gave no JSON report (exit {result.returncode}): {result.stderr}")
    pages_by_url = {f"file:{file}": page for file, page in files.items()}
    errors = []
    for message in messages:
        url = message.get("url", "")
        if url not in pages_by_url:
            errors.append(f"vnu: {message.get('type')} {url}: {message.get('message')}")
            continue
        page = pages_by_url[url]
        if page is None:
            continue
        errors.append(
            f"{page.who} {page.url} ({page.status}) line {message.get('lastLine', '?')}: "
            f"{message.get('message')} [{message.get('extract', '').strip()}]"
        )
    assert any(pages_by_url.get(m.get("url"), 0) is None for m in messages), (
        f"vnu did not fault the canary page, so it checked nothing: {result.stderr}"
    )
    return errors


def assert_valid(vnu, pages: list[Page], tmp_path: Path) -> None:
    errors = validate(vnu, pages, tmp_path)
    checked = ", ".join(f"{who}: {n}" for who, n in Counter(p.who for p in pages).items())
    assert not errors, f"{len(errors)} HTML errors in {len(pages)} pages ({checked}):\n" + (
        "\n".join(errors)
    )


@pytest.mark.django_db
def test_every_page_of_the_demo_passes_the_nu_html_checker(vnu, tmp_path):
    call_command("load_demo", force=True, stdout=io.StringIO())
    pages = crawl(Client(), "anonymous", ["/", reverse("login")], limit=20)
    for username in DEMO_PERSONAS:
        client = Client()
        client.force_login(User.objects.get(username=username))
        # Also a page that none of them may open and one that does not exist: the 403 and
        # 404 pages are checked even if no link leads there.
        start = ["/", reverse("cases:access_log_lookup"), "/faelle/GIBT-ES-NICHT/"]
        pages += crawl(client, username, start, PAGES_PER_PERSONA)
    statuses = {(page.who, page.status) for page in pages}
    assert statuses >= {("anonymous", 200)} | {
        (who, status) for who in DEMO_PERSONAS for status in CHECKED_STATUSES
    }
    assert_valid(vnu, pages, tmp_path)


def test_every_page_of_the_access_matrix_passes_the_nu_html_checker(vnu, request, tmp_path):
    matrix_world = request.getfixturevalue("world")
    pages = []
    for persona in PERSONAS:
        client = Client()
        if persona != "anonymous":
            client.force_login(request.getfixturevalue(persona))
        for row in ROWS:
            if row.method != "get" or row.expect[persona] != 200:
                continue
            url = reverse(row.name, kwargs=row.kwargs(matrix_world))
            if not worth_fetching(url):
                continue
            response = client.get(url)
            # Whether the persona really gets a 200 is tests/test_url_auth.py's to say.
            if response.status_code == 200 and is_html(response):
                pages.append(Page(persona, url, 200, response.content.decode()))
    assert_valid(vnu, pages, tmp_path)
