"""The coordination office manages its own cooperation in the admin, and nothing else."""

from django.urls import reverse

from cooperation.models import Institution, User


def test_coordination_office_lists_only_its_own_institutions(
    client, coordination_office, institutions
):
    client.force_login(coordination_office)
    response = client.get(reverse("admin:cooperation_institution_changelist"))
    assert response.status_code == 200
    assert "Jugendamt der Stadt Erkelenz" in response.content.decode()
    assert "Jugendamt der Stadt Lindenbrück" not in response.content.decode()


def test_coordination_office_cannot_open_another_cooperations_institution(
    client, lindenbrueck_coordination, institutions
):
    client.force_login(lindenbrueck_coordination)
    erkelenz = institutions["erkelenz"]
    for name in ("change", "history"):
        response = client.get(reverse(f"admin:cooperation_institution_{name}", args=[erkelenz.pk]))
        assert response.status_code in (302, 404)
        assert "Erkelenz" not in response.content.decode()


def test_coordination_office_assigns_staff_to_its_institutions_only(
    client, coordination_office, institutions
):
    client.force_login(coordination_office)
    url = reverse("admin:cooperation_user_add")
    data = {
        "username": "neu.fachkraft",
        "first_name": "Paula",
        "last_name": "Neu",
        "email": "neu@kispfam.example",
        "role": User.Role.CASEWORKER,
        "password1": "Ein-sicheres-Passwort-9",
        "password2": "Ein-sicheres-Passwort-9",
        "usable_password": "true",
    }
    refused = client.post(url, {**data, "institution": institutions["lindenbrueck"].pk})
    assert refused.status_code == 200
    assert not User.objects.filter(username="neu.fachkraft").exists()

    client.post(url, {**data, "institution": institutions["caritas"].pk})
    created = User.objects.get(username="neu.fachkraft")
    assert created.institution == institutions["caritas"]
    assert not created.is_staff and not created.is_superuser
    assert created.history.first().history_user == coordination_office


def test_coordination_office_does_not_see_superusers(client, coordination_office, superuser):
    client.force_login(coordination_office)
    response = client.get(reverse("admin:cooperation_user_change", args=[superuser.pk]))
    assert response.status_code == 302


def test_institution_changes_are_in_the_history_with_the_acting_user(
    client, coordination_office, institutions
):
    caritas = institutions["caritas"]
    client.force_login(coordination_office)
    url = reverse("admin:cooperation_institution_change", args=[caritas.pk])
    response = client.post(
        url,
        {
            "cooperation": caritas.cooperation_id,
            "name": caritas.name,
            "short_name": "Caritas HS",
            "kind": caritas.kind,
            "street": "",
            "postal_code": "",
            "city": "Heinsberg",
            "phone": "",
            "email": "",
            "data_protection_law": caritas.data_protection_law,
        },
    )
    assert response.status_code == 302
    latest = caritas.history.first()
    assert latest.short_name == "Caritas HS"
    assert latest.history_user == coordination_office
    history_page = client.get(reverse("admin:cooperation_institution_history", args=[caritas.pk]))
    assert "Caritas HS" in history_page.content.decode()


def test_every_institution_has_its_own_permission_group(institutions):
    groups = {institution.group_id for institution in institutions.values()}
    assert len(groups) == len(institutions)
    assert Institution.objects.filter(group__isnull=True).count() == 0


def test_only_the_coordination_role_and_superusers_are_staff(
    institutions, erkelenz_caseworker, coordination_office, data_protection_officer
):
    assert coordination_office.is_staff
    assert not erkelenz_caseworker.is_staff
    assert not data_protection_officer.is_staff


def test_guardian_creates_no_anonymous_user_to_grant_permissions_to(db):
    # Grants go to institution groups only; an anonymous account would be a target.
    assert not User.objects.filter(username="AnonymousUser").exists()


def test_filters_and_choices_offer_only_the_offices_own_cooperation(
    client, coordination_office, lindenbrueck_coordination, institutions
):
    from cooperation.models import Committee

    Committee.objects.create(cooperation=institutions["erkelenz"].cooperation)
    Committee.objects.create(cooperation=institutions["lindenbrueck"].cooperation)
    client.force_login(coordination_office)
    for name in ("user", "institution", "committee", "staffchange"):
        html = client.get(reverse(f"admin:cooperation_{name}_changelist")).content.decode()
        assert "Lindenbrück" not in html, name
    for name in ("user_add", "committee_change"):
        args = [] if name == "user_add" else [Committee.objects.get(cooperation__code="HS").pk]
        html = client.get(reverse(f"admin:cooperation_{name}", args=args)).content.decode()
        assert "Lindenbrück" not in html, name
    found = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "cooperation",
            "model_name": "user",
            "field_name": "institution",
            "term": "Jugendamt",
        },
    ).json()
    names = {result["text"] for result in found["results"]}
    assert "Jugendamt der Stadt Erkelenz" in names
    assert "Jugendamt der Stadt Lindenbrück" not in names


def test_the_staff_changes_are_read_only_in_the_admin(
    client, coordination_office, erkelenz_caseworker
):
    from cooperation import services
    from cooperation.models import StaffChange

    erkelenz_caseworker.first_name = "Anne"
    services.staff_save(user=erkelenz_caseworker, changed_by=coordination_office)
    change = StaffChange.objects.get()
    client.force_login(coordination_office)
    page = client.get(reverse("admin:cooperation_staffchange_change", args=[change.pk]))
    assert page.status_code == 200
    assert 'name="state"' not in page.content.decode()
    assert client.get(reverse("admin:cooperation_staffchange_add")).status_code == 403
