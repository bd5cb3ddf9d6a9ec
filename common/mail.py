"""E-mail as data: a message that can be stored, sent later and sent again.

Nothing here sends. The outbox app (``outbox``, the layer above ``cooperation``) stores a
``Mail`` as JSON, and its task turns it back into a Django message and delivers it, with
retries. ``Mail.from_message`` takes any ``EmailMessage`` apart, so that mail sent
through Django's default mailer (password resets, and every app below the outbox) lands
in the same outbox.
"""

import base64
from dataclasses import dataclass, field

from django.core.mail import EmailMessage, EmailMultiAlternatives


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str


@dataclass(frozen=True)
class Alternative:
    """Another rendering of the body, e.g. HTML."""

    content: str
    mimetype: str


@dataclass(frozen=True)
class Mail:
    subject: str
    body: str
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    bcc: tuple[str, ...] = ()
    reply_to: tuple[str, ...] = ()
    # None: DEFAULT_FROM_EMAIL when the message is built.
    from_email: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    attachments: tuple[Attachment, ...] = ()
    alternatives: tuple[Alternative, ...] = ()

    def recipients(self) -> list[str]:
        return [*self.to, *self.cc, *self.bcc]

    def message(self) -> EmailMultiAlternatives:
        """The Django message, ready for ``send(using=...)``."""
        message = EmailMultiAlternatives(
            subject=self.subject,
            body=self.body,
            from_email=self.from_email,
            to=list(self.to),
            cc=list(self.cc),
            bcc=list(self.bcc),
            reply_to=list(self.reply_to),
            headers=dict(self.headers),
        )
        for attachment in self.attachments:
            message.attach(attachment.filename, attachment.content, attachment.mimetype)
        for alternative in self.alternatives:
            message.attach_alternative(alternative.content, alternative.mimetype)
        return message

    @classmethod
    def from_message(cls, message: EmailMessage) -> "Mail":
        """Take a Django message apart (attachments given as MIME parts included)."""
        attachments = []
        for item in message.attachments:
            if isinstance(item, tuple):
                filename, content, mimetype = item
            else:  # a MIME part
                filename = item.get_filename() or ""
                content = item.get_payload(decode=True) or b""
                mimetype = item.get_content_type()
            if isinstance(content, str):
                content = content.encode()
            attachments.append(Attachment(filename, content, mimetype or ""))
        alternatives = tuple(
            Alternative(str(content), mimetype)
            for content, mimetype in getattr(message, "alternatives", ())
        )
        return cls(
            subject=str(message.subject),
            body=str(message.body),
            to=tuple(message.to),
            cc=tuple(message.cc),
            bcc=tuple(message.bcc),
            reply_to=tuple(message.reply_to),
            from_email=message.from_email,
            headers={str(k): str(v) for k, v in message.extra_headers.items()},
            attachments=tuple(attachments),
            alternatives=alternatives,
        )

    def as_json(self) -> dict:
        return {
            "subject": self.subject,
            "body": self.body,
            "to": list(self.to),
            "cc": list(self.cc),
            "bcc": list(self.bcc),
            "reply_to": list(self.reply_to),
            "from_email": self.from_email,
            "headers": self.headers,
            "attachments": [
                {
                    "filename": a.filename,
                    "content": base64.b64encode(a.content).decode("ascii"),
                    "mimetype": a.mimetype,
                }
                for a in self.attachments
            ],
            "alternatives": [
                {"content": a.content, "mimetype": a.mimetype} for a in self.alternatives
            ],
        }

    @classmethod
    def from_json(cls, data: dict) -> "Mail":
        return cls(
            subject=data["subject"],
            body=data["body"],
            to=tuple(data.get("to", ())),
            cc=tuple(data.get("cc", ())),
            bcc=tuple(data.get("bcc", ())),
            reply_to=tuple(data.get("reply_to", ())),
            from_email=data.get("from_email"),
            headers=dict(data.get("headers", {})),
            attachments=tuple(
                Attachment(a["filename"], base64.b64decode(a["content"]), a["mimetype"])
                for a in data.get("attachments", ())
            ),
            alternatives=tuple(
                Alternative(a["content"], a["mimetype"]) for a in data.get("alternatives", ())
            ),
        )
