"""The benchmark's URLconf: a bare view, then every URL of the application unchanged.

The bare view is the yardstick of ``bench/http.py``: the whole middleware stack and one
small template, no database, no session (it is requested without a cookie). Each page's
requests per second are reported as a share of it, measured in the same run, so that
the numbers compare across machines and load.
"""

from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import path

from kispfam.urls import urlpatterns as application_urlpatterns

BARE = engines["django"].from_string(
    '<!DOCTYPE html>\n<html lang="de">\n<head><meta charset="utf-8"><title>{{ title }}</title>'
    "</head>\n<body><main><h1>{{ title }}</h1><p>{{ text }}</p></main></body>\n</html>\n"
)


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse(
        BARE.render({"title": "Bench", "text": "Ein leerer Vergleichswert."}, request)
    )


urlpatterns = [path("bench/bare/", bare, name="bench_bare"), *application_urlpatterns]
