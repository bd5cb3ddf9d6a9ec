"""Django's default mailer in KispFam: whatever is sent with ``EmailMessage.send()``
(a password reset, a mail of an app below the outbox) is queued in the outbox, not sent.

The recipient institutions are those of the staff and institutions with the addresses
the message goes to; the cooperation is theirs when they share one (otherwise only the
superuser sees the message on the outbox page).
"""

from django.core.mail.backends.base import BaseEmailBackend
from django.db.models import Q

from common.mail import Mail
from cooperation.models import Institution

from .services import Outgoing, mail_queue


class OutboxBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        outgoing = [
            _outgoing(Mail.from_message(message))
            for message in email_messages
            if message.recipients()
        ]
        mail_queue(outgoing)
        return len(outgoing)


def _outgoing(mail: Mail) -> Outgoing:
    addresses = set(mail.recipients())
    institutions = tuple(
        Institution.objects.filter(
            Q(email__in=addresses) | Q(staff__email__in=addresses, staff__is_active=True)
        )
        .select_related("cooperation")
        .distinct()
    )
    cooperations = {institution.cooperation_id for institution in institutions}
    return Outgoing(
        mail=mail,
        cooperation=institutions[0].cooperation if len(cooperations) == 1 else None,
        institutions=institutions,
    )
