"""The demo: Heinsberg's agreement with its dated history, and a Leitfaden in two
versions whose second changes the conference agenda."""

import datetime

from agreements import demo
from agreements.models import Agreement, Guideline, GuidelineVersion
from conferences.services import default_agenda
from cooperation.demo import load_institutions


def test_the_demo_loads_the_heinsberg_agreement_and_leitfaden_once(db):
    world = load_institutions(password="Demo-Passwort-2026")
    demo.load(world)
    demo.load(world)

    heinsberg = world.cooperations["HS"]
    agreement = Agreement.objects.get(cooperation=heinsberg)
    assert agreement.legal_form == "öffentlich-rechtliche Vereinbarung"
    assert agreement.responsible_body == "Kreis Heinsberg"
    assert agreement.effective_since == datetime.date(2016, 5, 1)
    parties = {p.institution for p in agreement.parties.all()}
    assert parties == {world.institutions[key] for key, *_ in demo.PARTIES}
    assert agreement.sections.count() == 7

    in_2017 = agreement.state_on(datetime.date(2017, 1, 1))
    assert "Landesdatenschutzgesetz" in in_2017.sections[4].body
    assert "DSGVO" in agreement.sections.get(number=5).body
    assert len(in_2017.parties) == 8
    assert {c.day.year for c in agreement.changes()} == {2016, 2018, 2021}

    guideline = Guideline.objects.get(cooperation=heinsberg)
    first, second = guideline.versions.order_by("number")
    assert (first.number, second.number) == (1, 2)
    assert first.published_at < second.published_at
    assert [e.title for e in first.conference_agenda()][4] == "Sorgen und Risiken"
    assert [e.title for e in second.conference_agenda()][4] == "Sorgen, Risiken und Notfallplan"
    agenda = default_agenda(heinsberg)
    assert len(agenda) == 8
    assert [health for _t, _g, health in agenda] == [False, False, True] + [False] * 5
    assert GuidelineVersion.objects.count() == 2
    assert not Agreement.objects.exclude(cooperation=heinsberg).exists()
