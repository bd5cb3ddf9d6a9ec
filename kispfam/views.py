from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Meine Übersicht: the start page of every signed-in user."""
    return render(request, "dashboard.html", {"institution": request.user.institution})
