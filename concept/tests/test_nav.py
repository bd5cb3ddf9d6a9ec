"""The navigation entries the base layout takes from this app."""

from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

TEMPLATE = Template("{% load concept_nav %}<ul>{% concept_nav_items %}</ul>")


def render(user) -> str:
    request = RequestFactory().get("/")
    request.user = user
    return TEMPLATE.render(Context({"request": request}))


def test_the_coordination_office_gets_both_entries(coordination_office):
    html = render(coordination_office)
    assert reverse("concept:overview") in html and reverse("concept:offers") in html


def test_a_caseworker_gets_the_catalogue_only(caritas_caseworker):
    html = render(caritas_caseworker)
    assert reverse("concept:offers") in html
    assert f'href="{reverse("concept:overview")}"' not in html


def test_a_committee_member_gets_the_overview_too(committee_member):
    assert f'href="{reverse("concept:overview")}"' in render(committee_member)


def test_the_superuser_gets_neither(superuser):
    assert "<li>" not in render(superuser)
