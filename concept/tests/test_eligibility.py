"""The socio-structural condition of the form: at least one value of the latest year above
the state average (e.g. Hilfen zur Erziehung, under-15s on Sozialgeld per 100,000)."""

from decimal import Decimal

from django.utils import translation

from concept.models import Indicator, IndicatorValue
from concept.tests.conftest import de, de_plural

HZE = "Hilfen zur Erziehung je 100.000 Einwohner"
U15 = "U15-Jährige im Sozialgeld-Bezug je 100.000 Einwohner"


def value(indicator, year, value, average) -> IndicatorValue:
    return IndicatorValue.objects.create(
        indicator=indicator, year=year, value=Decimal(value), state_average=Decimal(average)
    )


def standard(cooperation, kind) -> Indicator:
    return Indicator.objects.get(cooperation=cooperation, standard=kind)


def test_a_new_concept_has_the_two_standard_indicators_of_the_form(concept, hs):
    names = list(Indicator.objects.filter(cooperation=hs).values_list("name", flat=True))
    assert names == [HZE, U15]


def test_setting_up_the_concept_twice_creates_nothing_new(concept, hs):
    from concept import services

    assert services.concept_for_cooperation(cooperation=hs) == concept
    assert Indicator.objects.filter(cooperation=hs).count() == 2


def test_without_values_there_is_no_statement_of_eligibility(concept):
    eligibility = concept.eligibility()
    assert eligibility.year is None
    assert not eligibility.holds
    with translation.override("de"):
        assert eligibility.statement == de("No indicator values have been recorded yet.")


def test_it_holds_when_a_value_of_the_latest_year_lies_above_the_state_average(concept, hs):
    hze = standard(hs, Indicator.Standard.HZE)
    u15 = standard(hs, Indicator.Standard.U15_SOZIALGELD)
    value(hze, 2022, "900.0", "967.8")
    above = value(hze, 2023, "1048.9", "981.2")
    value(u15, 2023, "11870.3", "13950.6")

    eligibility = concept.eligibility()

    assert eligibility.holds
    assert eligibility.year == 2023
    assert eligibility.reasons == (above,)
    assert len(eligibility.values) == 2


def test_the_statement_names_the_value_that_makes_it_hold_in_german(concept, hs):
    value(standard(hs, Indicator.Standard.HZE), 2023, "1048.9", "981.2")
    value(standard(hs, Indicator.Standard.U15_SOZIALGELD), 2023, "11870.3", "13950.6")

    with translation.override("de"):
        statement = concept.eligibility().statement

    part = de(
        "%(indicator)s with %(value)s (state average %(average)s)",
        indicator=HZE,
        value="1.048,9",
        average="981,2",
    )
    assert statement == de_plural(
        "The condition is met: in %(year)s this value lies above the state average: %(values)s.",
        "The condition is met: in %(year)s these values lie above the state average: %(values)s.",
        1,
        year=2023,
        values=part,
    )
    assert "U15" not in statement


def test_it_does_not_hold_when_only_an_earlier_year_was_above(concept, hs):
    hze = standard(hs, Indicator.Standard.HZE)
    value(hze, 2022, "1012.4", "967.8")
    value(hze, 2023, "950.0", "981.2")

    eligibility = concept.eligibility()

    assert not eligibility.holds
    assert eligibility.year == 2023
    with translation.override("de"):
        assert eligibility.statement == de(
            "The condition is not met: in %(year)s no value lies above the state average.",
            year=2023,
        )


def test_a_value_equal_to_the_state_average_is_not_above_it(concept, hs):
    value(standard(hs, Indicator.Standard.HZE), 2023, "981.2", "981.2")
    assert not concept.eligibility().holds


def test_the_latest_year_is_the_latest_of_any_indicator(concept, hs):
    # Sozialgeld was above in 2022, but 2023 is the latest year and only has the HzE figure.
    value(standard(hs, Indicator.Standard.U15_SOZIALGELD), 2022, "15000.0", "14127.5")
    value(standard(hs, Indicator.Standard.HZE), 2023, "950.0", "981.2")
    eligibility = concept.eligibility()
    assert eligibility.year == 2023
    assert not eligibility.holds


def test_indicators_that_do_not_count_for_eligibility_are_left_out(concept, hs):
    further = Indicator.objects.create(
        cooperation=hs, name="Weitere Kennzahl", counts_for_eligibility=False
    )
    value(further, 2024, "500.0", "100.0")
    value(standard(hs, Indicator.Standard.HZE), 2023, "950.0", "981.2")
    eligibility = concept.eligibility()
    assert eligibility.year == 2023
    assert not eligibility.holds


def test_further_counting_indicators_can_make_it_hold(concept, hs):
    further = Indicator.objects.create(cooperation=hs, name="Weitere Kennzahl")
    reason = value(further, 2023, "500.0", "100.0")
    value(standard(hs, Indicator.Standard.HZE), 2023, "950.0", "981.2")
    assert concept.eligibility().reasons == (reason,)


def test_several_values_above_are_all_named(concept, hs):
    hze = value(standard(hs, Indicator.Standard.HZE), 2023, "1048.9", "981.2")
    u15 = value(standard(hs, Indicator.Standard.U15_SOZIALGELD), 2023, "15000.0", "13950.6")
    eligibility = concept.eligibility()
    assert eligibility.reasons == (hze, u15)
    with translation.override("de"):
        assert "15.000,0" in eligibility.statement


def test_another_cooperations_values_never_count(concept, hs, lb):
    from concept import services

    services.concept_for_cooperation(cooperation=lb)
    value(standard(lb, Indicator.Standard.HZE), 2024, "5000.0", "981.2")
    value(standard(hs, Indicator.Standard.HZE), 2023, "950.0", "981.2")

    assert not concept.eligibility().holds
    assert IndicatorValue.objects.of_cooperation(hs).eligibility().year == 2023
