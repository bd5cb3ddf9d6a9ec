"""The session's user comes with what every page asks of it, in the one query that loads
it: the institution, the committee seat and the devices that may have verified the second
factor (cooperation/backends.py). The second-factor check stays as strict as django-otp's."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice

from cooperation.models import Committee
from tests.two_factor import totp_device

pytestmark = pytest.mark.django_db


def dashboard_sql(browser) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = browser.get(reverse("dashboard"))
    assert response.status_code == 200
    return [query["sql"] for query in captured.captured_queries]


def test_the_user_comes_with_institution_committee_seat_and_devices_in_one_query(
    signed_in, erkelenz_caseworker
):
    browser = signed_in(erkelenz_caseworker)
    sql = dashboard_sql(browser)
    user_queries = [q for q in sql if q.startswith('SELECT "cooperation_user"."id"')]
    assert len(user_queries) == 1
    assert "cooperation_institution" in user_queries[0]
    assert "cooperation_committee" in user_queries[0]
    assert "otp_totp_totpdevice" in user_queries[0]
    assert not [q for q in sql if q.startswith('SELECT "otp_')]
    assert not [q for q in sql if q.startswith('SELECT 1 AS "a" FROM "cooperation_committee"')]


def test_the_header_names_the_institution_and_a_committee_member_reads_its_papers(
    signed_in, heinsberg, institutions, erkelenz_caseworker, caritas_caseworker
):
    Committee.objects.create(cooperation=heinsberg, name="Gremium")
    member = signed_in(erkelenz_caseworker).get(reverse("dashboard")).content.decode()
    assert institutions["erkelenz"].name in member
    assert reverse("reports:report") not in member

    Committee.objects.filter(cooperation=heinsberg).update(chair=erkelenz_caseworker)
    chair = signed_in(erkelenz_caseworker).get(reverse("dashboard")).content.decode()
    assert reverse("reports:report") in chair  # the statistics are the committee's papers
    other = signed_in(caritas_caseworker).get(reverse("dashboard")).content.decode()
    assert reverse("reports:report") not in other


def test_a_device_that_is_no_longer_confirmed_verifies_nothing(signed_in, erkelenz_caseworker):
    browser = signed_in(erkelenz_caseworker)
    assert browser.get(reverse("cases:list")).status_code == 200
    device = totp_device(erkelenz_caseworker)
    device.confirmed = False
    device.save()

    response = browser.get(reverse("cases:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("cooperation:second_factor_setup"))
    assert DEVICE_ID_SESSION_KEY not in browser.session


def test_another_persons_device_verifies_nothing(
    signed_in, erkelenz_caseworker, caritas_caseworker
):
    browser = signed_in(erkelenz_caseworker)
    session = browser.session
    session[DEVICE_ID_SESSION_KEY] = totp_device(caritas_caseworker).persistent_id
    session.save()

    response = browser.get(reverse("cases:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("cooperation:second_factor"))
    assert DEVICE_ID_SESSION_KEY not in browser.session


def test_a_backup_code_device_verifies_like_the_app(signed_in, erkelenz_caseworker):
    backup = StaticDevice.objects.create(user=erkelenz_caseworker, name="Backup", confirmed=True)
    browser = signed_in(erkelenz_caseworker)
    session = browser.session
    session[DEVICE_ID_SESSION_KEY] = backup.persistent_id
    session.save()

    assert browser.get(reverse("cases:list")).status_code == 200
    backup.delete()
    assert browser.get(reverse("cases:list")).status_code == 302
