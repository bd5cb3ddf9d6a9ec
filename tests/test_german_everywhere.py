"""German everywhere: no English phrase on any page of the demo in the German interface,
Django's own (admin included) as well as ours, and the English interface complete.

The pages are those of the HTML validity crawl (tests/test_html_valid.py), walked by the
same personas with Django's test client in German (the default language), plus the
administration as the superuser: every model's list, add form and first change form, and
a user's password form. Django 6.1's German catalogue leaves some of its own strings
untranslated ("- Select an option -" on every drop-down, "Search Benutzer*innen" in the
admin); our catalogue translates them, and this test keeps it so.
"""

import contextlib
import io
import re
from html import unescape

import pytest
from django.conf import settings
from django.contrib import admin
from django.core.management import call_command
from django.test import Client
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from cooperation.models import User
from tests.test_html_valid import DEMO_PERSONAS, Page, crawl, is_html

pytestmark = pytest.mark.django_db

PAGES_PER_PERSONA = 200

# English that must not appear in the German interface: Django's strings its German
# catalogue lacks (as they render), the untranslatable empty choice, and the commonest
# words of an untranslated English sentence or button.
ENGLISH = [
    r"Select an option",
    r"-{5,}",
    r"After you(’|')ve created a user",
    r"Raw passwords are not stored",
    r"\bSearch\b",
    r"\bFilter by\b",
    r"\bPagination\b",
    r"Password-based authentication",
    r"In case you(’|')ve forgotten",
    r"\bLogout\b",
    r"\bLog out\b",
    r"\bEnabled\b",
    r"\bDisabled\b",
    r"\bSet password\b",
    r"\bReset password\b",
    r"\bSave\b",
    r"\bCancel\b",
    r"\bDelete\b",
    r"\bPlease\b",
    r"\bThis field\b",
    r"\bMenu\b",
    r"\bThe\b",
    r"\bthe\b",
    r"\byour\b",
    r"\bYour\b",
]
ENGLISH_RE = re.compile("|".join(f"(?:{phrase})" for phrase in ENGLISH))

# Attributes a person hears or sees as text (screen readers, tooltips, buttons).
SPOKEN_ATTRIBUTES = re.compile(
    r'\s(?:aria-label|title|placeholder|alt|data-label)="([^"]*)"'
    r'|<input[^>]*\stype="(?:submit|button)"[^>]*\svalue="([^"]*)"'
)


def readable_text(html: str, other_language: str | None = "en") -> str:
    """The text of a page as a person meets it: its visible text and spoken attributes,
    without scripts, styles and parts marked as another language (the language switch's
    "English")."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S | re.I)
    if other_language:
        marked = rf'<(\w+)[^>]*\slang="{other_language}"[^>]*>.*?</\1>'
        html = re.sub(marked, " ", html, flags=re.S)
    spoken = [a or b for a, b in SPOKEN_ATTRIBUTES.findall(html)]
    text = re.sub(r"<[^>]+>", " ", html)
    return " ".join(unescape(" ".join([text, *spoken])).split())


def english_in(page: Page) -> list[str]:
    text = readable_text(page.html)
    found = []
    for match in ENGLISH_RE.finditer(text):
        context = text[max(match.start() - 40, 0) : match.end() + 40]
        found.append(f"{page.who} {page.url}: {match.group(0)!r} in …{context}…")
    return found


def admin_pages(client: Client) -> list[Page]:
    """The administration: index, and for every registered model its list, add form and
    first object's change form; a user's password form."""
    urls = [reverse("admin:index")]
    for model, model_admin in admin.site._registry.items():
        info = model._meta.app_label, model._meta.model_name
        urls.append(reverse("admin:{}_{}_changelist".format(*info)))
        if model_admin.has_add_permission(_request_of(client)):
            urls.append(reverse("admin:{}_{}_add".format(*info)))
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            urls.append(reverse("admin:{}_{}_change".format(*info), args=[first.pk]))
    user = User.objects.order_by("pk").first()
    with contextlib.suppress(NoReverseMatch):
        urls.append(reverse("admin:cooperation_user_password_change", args=[user.pk]))
    pages = []
    for url in urls:
        response = client.get(url)
        if response.status_code == 200 and is_html(response):
            pages.append(Page("admin", url, 200, response.content.decode()))
    return pages


def _request_of(client: Client):
    """A request of the client's user, for the admin's permission checks."""
    from django.test import RequestFactory

    request = RequestFactory().get("/")
    request.user = User.objects.get(pk=client.session["_auth_user_id"])
    return request


def test_no_english_phrase_on_any_page_of_the_german_interface():
    call_command("load_demo", force=True, stdout=io.StringIO())
    assert settings.LANGUAGE_CODE == "de"
    pages = crawl(Client(), "anonymous", ["/"], limit=20)
    for username in DEMO_PERSONAS:
        client = Client()
        client.force_login(User.objects.get(username=username))
        start = ["/", reverse("cases:access_log_lookup"), "/faelle/GIBT-ES-NICHT/"]
        pages += crawl(client, username, start, PAGES_PER_PERSONA)
    superuser = User.objects.filter(is_superuser=True).order_by("pk").first()
    client = Client()
    client.force_login(superuser)
    pages += admin_pages(client)
    assert len(pages) > 200 and any(p.who == "admin" for p in pages)
    # The check itself sees English: a page that has it is caught.
    sample = '<p>- Select an option -</p><input type="submit" value="Save">'
    assert len(english_in(Page("check", "/", 200, sample))) == 2

    found = [line for page in pages for line in english_in(page)]
    assert not found, f"{len(found)} English phrases in {len(pages)} German pages:\n" + (
        "\n".join(found[:200])
    )


def test_the_german_catalogue_translates_djangos_own_gaps():
    with translation.override("de"):
        for msgid, german in [
            ("- Select an option -", "– Bitte auswählen –"),
            ("Search %(name)s", "%(name)s durchsuchen"),
            (
                "After you’ve created a user, you’ll be able to edit more user options.",
                None,
            ),
            ("Raw passwords are not stored, so there is no way to see the user’s password.", None),
        ]:
            text = translation.gettext(msgid)
            assert text != msgid, f"Django's {msgid!r} is not translated"
            if german:
                assert text == german


def test_the_english_consent_form_is_english(signed_in, family_case, erkelenz_caseworker):
    client = signed_in(erkelenz_caseworker)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = client.get(reverse("cases:consent_add", args=[family_case.reference]))
    assert page.status_code == 200
    text = readable_text(page.content.decode(), other_language=None)
    assert "A consent releases your institution from confidentiality" in text
    assert "Eine Einwilligung entbindet" not in text
    # And in German, the same page in German.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "de"
    german = readable_text(
        client.get(reverse("cases:consent_add", args=[family_case.reference])).content.decode()
    )
    assert "A consent releases" not in german
