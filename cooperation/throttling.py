"""Login throttling (django-axes) that works behind the reverse proxy the README
recommends.

- The client address comes from ``X-Forwarded-For`` only when ``TRUSTED_PROXY_COUNT``
  says how many proxies in front append to it; the address the nearest trusted proxy
  saw is taken, so a client cannot choose its own by sending the header. Without a
  trusted proxy the header is ignored.
- Two limits: one username from one address (``AXES_FAILURE_LIMIT``), so that nobody
  locks a named colleague out from elsewhere, and one address across all usernames
  (``AXES_ADDRESS_FAILURE_LIMIT``), so that nobody tries passwords on every account.
- The lockout page says when to try again.
"""

import ipaddress
import math

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_cool_off
from django.conf import settings
from django.db.models import Max, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str | None:
    """The client's address: ``REMOTE_ADDR``, or behind ``TRUSTED_PROXY_COUNT`` proxies
    the entry of ``X-Forwarded-For`` that the outermost trusted proxy appended."""
    remote = request.META.get("REMOTE_ADDR")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [a for a in forwarded if a]
    if len(forwarded) < proxies:
        # Not through the proxies (or they did not append): the direct peer it is.
        return remote
    return _valid(forwarded[-proxies]) or remote


class AttemptHandler(AxesDatabaseHandler):
    """django-axes' database handler with a limit of its own for each lockout parameter:
    ``AXES_LOCKOUT_PARAMETERS`` is ``[["username", "ip_address"], "ip_address"]``."""

    def _counts(self, request, credentials) -> list[int]:
        return [
            attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        ]

    def get_failures(self, request, credentials=None) -> int:
        """Failures measured against ``AXES_FAILURE_LIMIT``: the username/address pair's
        own count, or the limit itself once the address alone reached its limit."""
        counts = self._counts(request, credentials)
        per_user = counts[0] if counts else 0
        per_address = counts[1] if len(counts) > 1 else 0
        if per_address >= settings.AXES_ADDRESS_FAILURE_LIMIT:
            return max(per_user, settings.AXES_FAILURE_LIMIT)
        return per_user

    def locked_until(self, request, credentials=None):
        cool_off = get_cool_off(request)
        latest = [
            attempts.aggregate(at=Max("attempt_time"))["at"]
            for attempts in self.get_user_attempts(request, credentials)
        ]
        latest = [at for at in latest if at is not None]
        return (max(latest) if latest else timezone.now()) + cool_off


def locked_out(request: HttpRequest, response=None, credentials=None) -> HttpResponse:
    """The lockout page (429): too many failed logins, and the time to try again."""
    until = AttemptHandler().locked_until(request, credentials)
    minutes = max(1, math.ceil((until - timezone.now()).total_seconds() / 60))
    return render(
        request,
        "registration/locked_out.html",
        {"until": timezone.localtime(until), "minutes": minutes},
        status=429,
    )
