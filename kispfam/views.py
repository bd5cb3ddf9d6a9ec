import datetime

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from cases.models import Consent, Notification
from cases.permissions import cases_visible_to
from conferences.dashboard import dashboard_context

EXPIRY_WARNING_DAYS = 30


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Meine Übersicht: the start page of every signed-in user."""
    today = timezone.localdate()
    expiring = (
        Consent.objects.active_on(today)
        .filter(
            case__in=cases_visible_to(request.user, today).values("pk"),
            valid_until__lte=today + datetime.timedelta(days=EXPIRY_WARNING_DAYS),
        )
        .select_related("case", "source_institution")
        .order_by("valid_until")[:50]
    )
    return render(
        request,
        "dashboard.html",
        {
            "institution": request.user.institution,
            "expiring": expiring,
            "unread": Notification.objects.filter(user=request.user, read_at__isnull=True).count(),
            **dashboard_context(request.user),
        },
    )
