"""The demo: Kreis Heinsberg's Gesamtkonzept, loaded twice without duplicates."""

from concept import demo, evaluation
from concept.evaluation import Status
from concept.models import Declaration, IndicatorValue, Measure, Network, Offer
from cooperation import demo as cooperation_demo


def test_the_demo_loads_heinsbergs_concept_idempotently(db, settings, tmp_path):
    world = cooperation_demo.load_institutions(password="demo-Passwort-1")
    demo.load(world)
    counts = [
        model.objects.count() for model in (Offer, IndicatorValue, Network, Measure, Declaration)
    ]
    demo.load(world)
    assert [
        model.objects.count() for model in (Offer, IndicatorValue, Network, Measure, Declaration)
    ] == counts

    heinsberg = world.cooperations["HS"]
    concept = heinsberg.concept
    assert concept.inhabitants == 248233
    eligibility = concept.eligibility()
    assert eligibility.holds and len(eligibility.reasons) == 1
    assert len({o.institution_id for o in Offer.objects.all()}) >= 4

    states = {state.field.value: state for state in evaluation.fields_of_action(heinsberg)}
    assert states["A"].status == Status.FULFILLED
    assert states["C"].status == Status.FULFILLED
    assert states["D"].status == Status.FULFILLED
    # Coordination office and steering group exist; the agreement comes from its own app.
    assert states["B"].criteria[1].status == Status.FULFILLED
    assert states["B"].criteria[2].status == Status.FULFILLED

    declarations = Declaration.objects.filter(cooperation=heinsberg)
    assert sorted(d.kind for d in declarations if d.is_complete) == ["intent", "support"]
    assert not Declaration.objects.filter(cooperation=world.cooperations["LB"]).exists()
