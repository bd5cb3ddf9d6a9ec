"""The responsible caseworker and the deputy of each involved institution.

Set by the institution's own staff through the gateway (``CaseAccess.may_assign_responsible``),
chosen only among that institution's caseworkers and leads, shown on the case page and
kept in the involvement's history. The clock stands at 25.11.2026.
"""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils.html import escape

from cases import services
from cases.models import AccessLog, Involvement
from cooperation.models import User
from tests import factories
from tests.german import label

TODAY = datetime.date(2026, 11, 25)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime.datetime(2026, 11, 25, 10, 0), tick=False):
        yield


@pytest.fixture
def erkelenz_involvement(family_case, institutions):
    return Involvement.objects.get(case=family_case, institution=institutions["erkelenz"])


@pytest.fixture
def caritas_involvement(family_case, institutions):
    return services.involvement_save(
        involvement=Involvement(
            case=family_case, institution=institutions["caritas"], since=datetime.date(2026, 3, 1)
        )
    )


def url(involvement) -> str:
    return reverse(
        "cases:involvement_responsible", args=[involvement.case.reference, involvement.pk]
    )


def form_data(browser, involvement, **changes) -> dict:
    html = browser.get(url(involvement)).content.decode()
    version = re.search(r'name="version" value="(\d*)"', html).group(1)
    return {"responsible": "", "deputy": "", "version": version, **changes}


def assert_refused_with(response, field: str, msgid: str) -> None:
    assert response.status_code == 400
    message = label(msgid)
    assert message in response.context["form"].errors.get(field, [])
    assert escape(message) in response.content.decode()


def test_a_caseworker_names_herself_responsible_and_her_lead_deputy(
    signed_in, erkelenz_involvement, erkelenz_caseworker, erkelenz_lead
):
    erkelenz = signed_in(erkelenz_caseworker)
    data = form_data(
        erkelenz,
        erkelenz_involvement,
        responsible=erkelenz_caseworker.pk,
        deputy=erkelenz_lead.pk,
    )

    response = erkelenz.post(url(erkelenz_involvement), data)

    assert response.status_code == 302
    erkelenz_involvement.refresh_from_db()
    assert erkelenz_involvement.responsible == erkelenz_caseworker
    assert erkelenz_involvement.deputy == erkelenz_lead
    assert erkelenz_involvement.history.first().responsible_id == erkelenz_caseworker.pk
    page = erkelenz.get(erkelenz_involvement.case.get_absolute_url()).content.decode()
    assert "Anna Schmitz" in page
    assert erkelenz_lead.get_full_name() in page


def test_the_choices_are_the_institutions_own_caseworkers_and_leads(
    signed_in,
    erkelenz_involvement,
    erkelenz_caseworker,
    erkelenz_lead,
    caritas_caseworker,
    institutions,
):
    factories.make_user(
        institutions["erkelenz"], username="erkelenz.unbestaetigt", confirmed_role=""
    )
    inactive = factories.make_user(institutions["erkelenz"], username="erkelenz.alt")
    inactive.is_active = False
    inactive.save()
    erkelenz = signed_in(erkelenz_caseworker)

    form = erkelenz.get(url(erkelenz_involvement)).context["form"]

    offered = set(form.fields["responsible"].queryset)
    assert offered == {erkelenz_caseworker, erkelenz_lead}
    assert set(form.fields["deputy"].queryset) == offered


def test_someone_of_another_institution_is_refused_and_nothing_changes(
    signed_in, erkelenz_involvement, erkelenz_caseworker, caritas_caseworker
):
    erkelenz = signed_in(erkelenz_caseworker)
    data = form_data(erkelenz, erkelenz_involvement, responsible=caritas_caseworker.pk)

    response = erkelenz.post(url(erkelenz_involvement), data)

    assert response.status_code == 400
    assert "responsible" in response.context["form"].errors
    erkelenz_involvement.refresh_from_db()
    assert erkelenz_involvement.responsible is None


def test_the_deputy_is_another_person_and_the_input_is_kept(
    signed_in, erkelenz_involvement, erkelenz_caseworker
):
    erkelenz = signed_in(erkelenz_caseworker)
    data = form_data(
        erkelenz,
        erkelenz_involvement,
        responsible=erkelenz_caseworker.pk,
        deputy=erkelenz_caseworker.pk,
    )

    response = erkelenz.post(url(erkelenz_involvement), data)

    assert_refused_with(
        response, "deputy", "The deputy must be another person than the responsible."
    )
    assert f'value="{erkelenz_caseworker.pk}" selected' in response.content.decode()
    erkelenz_involvement.refresh_from_db()
    assert erkelenz_involvement.deputy is None


def test_a_deputy_needs_a_responsible(signed_in, erkelenz_involvement, erkelenz_caseworker):
    erkelenz = signed_in(erkelenz_caseworker)
    data = form_data(erkelenz, erkelenz_involvement, deputy=erkelenz_caseworker.pk)

    response = erkelenz.post(url(erkelenz_involvement), data)

    assert_refused_with(response, "responsible", "Name the responsible caseworker before a deputy.")


def test_caritas_names_its_own_but_not_the_lead_institutions(
    signed_in, erkelenz_involvement, caritas_involvement, caritas_caseworker
):
    caritas = signed_in(caritas_caseworker)
    data = form_data(caritas, caritas_involvement, responsible=caritas_caseworker.pk)

    assert caritas.post(url(caritas_involvement), data).status_code == 302
    assert caritas.get(url(erkelenz_involvement)).status_code == 403
    caritas_involvement.refresh_from_db()
    assert caritas_involvement.responsible == caritas_caseworker


def test_the_lead_institution_does_not_name_caritas_people(
    signed_in, caritas_involvement, erkelenz_caseworker
):
    erkelenz = signed_in(erkelenz_caseworker)

    assert erkelenz.get(url(caritas_involvement)).status_code == 403
    assert erkelenz.post(url(caritas_involvement), {}).status_code == 403


def test_an_ended_involvement_gets_nobody_new_and_says_why(
    signed_in, caritas_involvement, caritas_caseworker
):
    caritas_involvement.until = datetime.date(2026, 10, 31)
    services.involvement_save(involvement=caritas_involvement)
    caritas = signed_in(caritas_caseworker)

    response = caritas.get(url(caritas_involvement))

    # Caritas no longer sees the case at all once its involvement ended (no consent).
    assert response.status_code == 404


def test_outsiders_the_office_and_anonymous_readers_do_not_get_in(
    client, signed_in, erkelenz_involvement, uninvolved_caseworker, coordination_office
):
    assert signed_in(uninvolved_caseworker).get(url(erkelenz_involvement)).status_code == 404
    assert signed_in(coordination_office).get(url(erkelenz_involvement)).status_code == 404
    response = client.get(url(erkelenz_involvement))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_it_rejects_other_methods(signed_in, erkelenz_involvement, erkelenz_caseworker):
    assert signed_in(erkelenz_caseworker).put(url(erkelenz_involvement)).status_code == 405


def test_reading_the_form_is_logged(signed_in, erkelenz_involvement, erkelenz_caseworker):
    signed_in(erkelenz_caseworker).get(url(erkelenz_involvement))

    assert AccessLog.objects.filter(
        user=erkelenz_caseworker, case=erkelenz_involvement.case
    ).exists()


def test_the_case_page_offers_the_link_only_to_the_own_institution(
    signed_in, family_case, erkelenz_involvement, caritas_involvement, caritas_caseworker
):
    page = signed_in(caritas_caseworker).get(family_case.get_absolute_url()).content.decode()

    assert url(caritas_involvement) in page
    assert url(erkelenz_involvement) not in page


def test_a_superuser_names_nobody(signed_in, erkelenz_involvement, superuser):
    assert signed_in(superuser).get(url(erkelenz_involvement)).status_code == 403


def test_unconfirmed_roles_are_not_offered(erkelenz_involvement, institutions):
    from cases.permissions import assignable_staff

    lead = factories.make_user(institutions["erkelenz"], User.Role.LEAD, username="e.l2")
    lead.role = User.Role.CASEWORKER  # changed after confirmation: lapses
    lead.save()

    assert lead not in assignable_staff(institutions["erkelenz"].pk)
