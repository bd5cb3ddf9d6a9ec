"""E-mail as data: a message survives being stored as JSON and taken apart."""

from email.message import MIMEPart

from django.core.mail import EmailMultiAlternatives

from common.mail import Alternative, Attachment, Mail

ICS = b"BEGIN:VCALENDAR\r\nMETHOD:CANCEL\r\nEND:VCALENDAR\r\n"


def a_mail() -> Mail:
    return Mail(
        subject="Abgesagt: Beteiligtenkonferenz",
        body="Die Konferenz fällt aus.",
        to=("a@example.org",),
        cc=("b@example.org",),
        bcc=("c@example.org",),
        reply_to=("koordination@example.org",),
        from_email="KispFam <kispfam@example.org>",
        headers={"X-KispFam": "1"},
        attachments=(Attachment("absage.ics", ICS, "text/calendar; method=CANCEL"),),
        alternatives=(Alternative("<p>Die Konferenz fällt aus.</p>", "text/html"),),
    )


def test_it_survives_json():
    mail = a_mail()
    assert Mail.from_json(mail.as_json()) == mail


def test_it_becomes_the_same_django_message_again():
    mail = a_mail()
    message = mail.message()
    assert message.recipients() == ["a@example.org", "b@example.org", "c@example.org"]
    assert Mail.from_message(message) == mail
    assert "absage.ics" in message.message().as_string()


def test_it_takes_apart_attachments_given_as_mime_parts():
    message = EmailMultiAlternatives(subject="S", body="B", to=["a@example.org"])
    part = MIMEPart()
    part.set_content("Hallo", disposition="attachment", filename="hallo.txt")
    message.attach(part)
    [attachment] = Mail.from_message(message).attachments
    assert attachment == Attachment("hallo.txt", b"Hallo\n", "text/plain")
