"""Who sees the outbox: one rule for the page and for sending a message again.

The coordination office sees the mail of its own cooperation (it is the first to hear
when an institution says "we never got the invitation"); the superuser, who runs the
mail server, sees all of it. Nobody else: the page lists which institutions were written
to, which is no one else's business. What it shows names no family and no address.
"""

from dataclasses import dataclass

from django.http import Http404
from django.utils.translation import gettext_lazy as _

from common.access import Decision, decide
from cooperation.models import User

from .models import OutboxMessage


def may_read_outbox(user: User) -> bool:
    return user.is_authenticated and (user.is_superuser or user.is_coordination_office)


def outbox_visible_to(user: User):
    """The outbox messages ``user`` may see (a queryset)."""
    messages = OutboxMessage.objects.all()
    if not user.is_authenticated:
        return messages.none()
    if user.is_superuser:
        return messages
    if user.is_coordination_office:
        return messages.filter(cooperation_id=user.institution.cooperation_id)
    return messages.none()


@dataclass(frozen=True)
class OutboxMessageAccess:
    message: OutboxMessage

    @property
    def may_resend(self) -> Decision:
        return decide(
            self.message.state == OutboxMessage.State.FAILED,
            _("Only an e-mail whose sending failed can be sent again."),
        )


def get_outbox_message_for_user_or_404(user: User, pk: int) -> OutboxMessageAccess:
    try:
        return OutboxMessageAccess(outbox_visible_to(user).get(pk=pk))
    except OutboxMessage.DoesNotExist:
        raise Http404 from None
