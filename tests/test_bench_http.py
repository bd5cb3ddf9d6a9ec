"""The HTTP benchmark's pieces that can be checked in a second: the bare view exists only
in the benchmark's URLconf, and the load client is bounded and counts what it gets.

The benchmark itself (``bench/http.py --quick``) needs PostgreSQL, Redis, gunicorn and
minutes of setup; it is run by hand (bench/README.md).
"""

import http.server
import threading

import pytest
from django.urls import Resolver404, resolve

from bench import http as bench_http


def test_the_bare_view_is_only_in_the_benchmark_urls():
    with pytest.raises(Resolver404):
        resolve("/bench/bare/")  # the application's own URLconf
    assert resolve("/bench/bare/", urlconf="bench.urls").url_name == "bench_bare"


@pytest.mark.django_db
def test_the_bare_view_renders_its_small_template(client, settings):
    settings.ROOT_URLCONF = "bench.urls"
    response = client.get("/bench/bare/")
    assert response.status_code == 200
    assert b"<h1>Bench</h1>" in response.content


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as gunicorn answers

    def do_GET(self):
        status, kind = {"/ok": (200, "text/html"), "/pdf": (200, "text/html")}.get(
            self.path, (500, "text/plain")
        )
        body = b"<p>x</p>"
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server(monkeypatch):
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    monkeypatch.setattr(bench_http, "PORT", httpd.server_address[1])
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def test_the_load_client_stops_at_the_request_bound_and_counts_errors(server):
    pages = [
        bench_http.Page("ok", "/ok", None),
        bench_http.Page("wrong type", "/pdf", None, content_type="application/pdf"),
        bench_http.Page("broken", "/broken", None),
    ]
    cell = bench_http.load(pages, concurrency=3, seconds=60, max_requests=30)
    # Bounded by requests long before the 60 seconds: each thread stops at the bound.
    assert 30 <= len(cell.samples) <= 33
    assert cell.elapsed < 30
    by_page = {page.name: [s for s in cell.samples if s.page == page.name] for page in pages}
    assert all(sample.ok for sample in by_page["ok"])
    # 200 with the wrong content type is an error, but no 5xx; a 500 is both.
    assert not any(sample.ok for sample in by_page["wrong type"])
    assert {sample.status for sample in by_page["wrong type"]} == {200}
    assert {sample.status for sample in by_page["broken"]} == {500}

    result = bench_http.mixed(pages, concurrency=2, seconds=0.2, max_requests=10**6)
    assert result["pages"]["broken"]["5xx"] == result["pages"]["broken"]["requests"] > 0
    assert result["pages"]["ok"]["errors"] == 0
