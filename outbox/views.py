"""The outbox page: what KispFam sent, is sending and could not send."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from common.access import require

from . import services
from .access import get_outbox_message_for_user_or_404, may_read_outbox, outbox_visible_to
from .models import OutboxMessage

# The page lists the newest entries; older ones are in the admin (superuser).
SHOWN = 200


@login_required
@require_GET
def message_list(request: HttpRequest) -> HttpResponse:
    require(may_read_outbox(request.user))
    visible = outbox_visible_to(request.user)
    counts = dict(visible.order_by().values_list("state").annotate(n=Count("pk")))
    state = request.GET.get("state", "")
    if state in OutboxMessage.State.values:
        visible = visible.filter(state=state)
    else:
        state = ""
    entries = visible.prefetch_related("institutions")[:SHOWN]
    states = [(value, label, counts.get(value, 0)) for value, label in OutboxMessage.State.choices]
    return render(
        request,
        "outbox/message_list.html",
        {"entries": entries, "states": states, "state": state, "shown": SHOWN},
    )


@login_required
@require_POST
def message_resend(request: HttpRequest, pk: int) -> HttpResponse:
    access = get_outbox_message_for_user_or_404(request.user, pk)
    require(access.may_resend)
    services.message_resend(message=access.message)
    messages.success(request, _("The e-mail is queued to be sent again."))
    return redirect("outbox:list")
