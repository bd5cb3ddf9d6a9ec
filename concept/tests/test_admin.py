"""The coordination office keeps the concept's records in the admin, for its own
cooperation only."""

from django.urls import reverse

from concept.models import Indicator, Network, Offer, SteeringGroup


def offer(institution, name) -> Offer:
    return Offer.objects.create(institution=institution, name=name, target_group="Kinder")


def test_the_coordination_office_lists_only_its_own_offers(
    client, coordination_office, institutions
):
    offer(institutions["caritas"], "Kindergruppe Leuchtturm")
    offer(institutions["lindenbrueck"], "Lindenbrücker Kindergruppe")
    client.force_login(coordination_office)
    response = client.get(reverse("admin:concept_offer_changelist"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Kindergruppe Leuchtturm" in html
    assert "Lindenbrücker" not in html


def test_another_cooperations_offer_cannot_be_opened(
    client, lindenbrueck_coordination, institutions
):
    record = offer(institutions["caritas"], "Kindergruppe Leuchtturm")
    client.force_login(lindenbrueck_coordination)
    for name in ("change", "history"):
        response = client.get(reverse(f"admin:concept_offer_{name}", args=[record.pk]))
        assert response.status_code in (302, 404)
        assert "Leuchtturm" not in response.content.decode()


def test_an_offer_is_added_for_an_own_institution_only(client, coordination_office, institutions):
    client.force_login(coordination_office)
    url = reverse("admin:concept_offer_add")
    data = {
        "name": "Elterngruppe",
        "target_group": "Suchtkranke Eltern",
        "field_of_action": "A",
        "status": "running",
    }
    refused = client.post(url, {**data, "institution": institutions["lindenbrueck"].pk})
    assert refused.status_code == 200
    assert not Offer.objects.exists()
    client.post(url, {**data, "institution": institutions["diakonie"].pk})
    created = Offer.objects.get()
    assert created.institution == institutions["diakonie"]
    assert created.history.first().history_user == coordination_office


def test_an_indicator_starts_in_the_own_cooperation_with_its_values(
    client, coordination_office, hs, lb
):
    client.force_login(coordination_office)
    url = reverse("admin:concept_indicator_add")
    form = client.get(url).context["adminform"].form
    assert form.initial["cooperation"] == hs.pk
    assert list(form.fields["cooperation"].queryset) == [hs]
    response = client.post(
        url,
        {
            "cooperation": hs.pk,
            "name": "Inobhutnahmen je 100.000 U18",
            "counts_for_eligibility": "on",
            "order": "3",
            "values-TOTAL_FORMS": "1",
            "values-INITIAL_FORMS": "0",
            "values-0-year": "2024",
            "values-0-value": "120,5",
            "values-0-state_average": "110,0",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    indicator = Indicator.objects.get(name="Inobhutnahmen je 100.000 U18")
    assert indicator.cooperation == hs
    assert indicator.values.get().is_above_average


def test_network_partners_are_offered_from_the_own_cooperation_only(
    client, coordination_office, institutions
):
    client.force_login(coordination_office)
    form = client.get(reverse("admin:concept_network_add")).context["adminform"].form
    partners = set(form.fields["partners"].queryset)
    assert institutions["caritas"] in partners
    assert institutions["lindenbrueck"] not in partners
    assert not Network.objects.exists()


def test_the_filters_name_no_other_cooperation(client, coordination_office, institutions):
    offer(institutions["lindenbrueck"], "Lindenbrücker Kindergruppe")
    client.force_login(coordination_office)
    for name in ("offer", "indicator", "network", "measure", "steeringgroup"):
        html = client.get(reverse(f"admin:concept_{name}_changelist")).content.decode()
        assert "Lindenbrück" not in html, name


def test_caseworkers_do_not_enter_the_admin(client, erkelenz_caseworker, hs):
    SteeringGroup.objects.create(cooperation=hs)
    client.force_login(erkelenz_caseworker)
    response = client.get(reverse("admin:concept_steeringgroup_changelist"))
    assert response.status_code == 302
