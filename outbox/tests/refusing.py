"""A mail backend that fails like an SMTP server that hangs up (for the tests)."""

import smtplib

from django.core.mail.backends.base import BaseEmailBackend


class Backend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
