"""Settings of the HTTP benchmark (``bench/http.py``): the application's own settings,
read from the same environment, with one addition: the bench URLconf, which puts a bare
view in front of the application's URLs.

The bare view exists only here. ``kispfam.urls`` never contains it, so a production
server (``DJANGO_SETTINGS_MODULE=kispfam.settings``) cannot serve it.
"""

from kispfam.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
