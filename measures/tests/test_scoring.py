"""Scoring of the shipped instruments: every band boundary, missing answers, prorating, reliable change."""

import json

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from measures.instruments import scoring
from measures.instruments.services import SHIPPED


def spec(key: str) -> scoring.Definition:
    return scoring.parse(json.loads((SHIPPED / f"{key}.json").read_text()))


def answers_totalling(definition: scoring.Definition, total: int) -> list[int]:
    """Answers on the scale that add up to ``total`` (highest values first)."""
    top = max(definition.values)
    answers = []
    for _ in definition.items:
        value = min(top, total)
        answers.append(value)
        total -= value
    assert total == 0
    return answers


PHQ9_BANDS = [
    (0, "Minimal"),
    (4, "Minimal"),
    (5, "Mild"),
    (9, "Mild"),
    (10, "Moderate"),
    (14, "Moderate"),
    (15, "Moderately severe"),
    (19, "Moderately severe"),
    (20, "Severe"),
    (27, "Severe"),
]
GAD7_BANDS = [
    (0, "Minimal"),
    (4, "Minimal"),
    (5, "Mild"),
    (9, "Mild"),
    (10, "Moderate"),
    (14, "Moderate"),
    (15, "Severe"),
    (21, "Severe"),
]
PCL5_BANDS = [(0, "Below cut-off"), (32, "Below cut-off"), (33, "At or above cut-off"), (80, "At or above cut-off")]


@pytest.mark.parametrize(
    ("key", "total", "label"),
    [("phq9", t, b) for t, b in PHQ9_BANDS]
    + [("gad7", t, b) for t, b in GAD7_BANDS]
    + [("pcl5", t, b) for t, b in PCL5_BANDS],
)
def test_it_bands_every_boundary(key, total, label):
    definition = spec(key)
    result = scoring.score(definition, answers_totalling(definition, total))
    assert (result.status, result.total, result.band.label, result.prorated) == ("complete", total, label, False)


@pytest.mark.parametrize(
    ("cutoff", "total", "label"),
    [
        (31, 30, "Below cut-off"),
        (31, 31, "At or above cut-off"),
        (38, 37, "Below cut-off"),
        (38, 38, "At or above cut-off"),
    ],
)
def test_it_reads_pcl5_against_the_clinics_cutoff(cutoff, total, label):
    definition = spec("pcl5")
    assert scoring.score(definition, answers_totalling(definition, total), cutoff=cutoff).band.label == label


def test_the_shipped_ranges_are_the_published_ones():
    assert [(spec(k).min_total, spec(k).max_total) for k in ("phq9", "gad7", "pcl5")] == [(0, 27), (0, 21), (0, 80)]
    assert [i.number for i in spec("phq9").items if i.critical] == [9]


def test_it_prorates_phq9_with_up_to_two_missing_never_as_zero():
    definition = spec("phq9")
    result = scoring.score(definition, [3, 3, 3, 3, 3, 3, 3, None, None])
    assert (result.status, result.total, result.prorated, result.band.label) == ("complete", 27, True, "Severe")
    # 1,1,1,1,1,1,2 = 8 over 7 answered: 8 * 9 / 7 = 10.29 → 10, not the 8 a zero for each gap would give.
    result = scoring.score(definition, [1, 1, 1, 1, 1, 1, 2, None, None])
    assert (result.total, result.band.label) == (10, "Moderate")


def test_it_rounds_a_prorated_half_up():
    # GAD-7: six answers totalling 5 → 5 * 7 / 6 = 5.83 → 6; 3 over 6 answered → 3.5 → 4.
    assert scoring.score(spec("gad7"), [1, 1, 1, 1, 1, 0, None]).total == 6
    assert scoring.score(spec("gad7"), [1, 1, 1, 0, 0, 0, None]).total == 4


@pytest.mark.parametrize(("key", "missing"), [("phq9", 3), ("gad7", 3), ("pcl5", 1)])
def test_too_many_missing_is_incomplete_with_no_total(key, missing):
    definition = spec(key)
    answers = [1] * len(definition.items)
    answers[:missing] = [None] * missing
    result = scoring.score(definition, answers)
    assert (result.status, result.total, result.band) == ("incomplete", None, None)


def test_a_critical_answer_counts_even_when_incomplete():
    result = scoring.score(spec("phq9"), [None, None, None, None, 0, 0, 0, 0, 1])
    assert result.status == "incomplete" and result.critical_items == (9,)
    assert scoring.score(spec("phq9"), [0] * 9).critical_items == ()


@pytest.mark.parametrize("answers", [[4] * 9, [0] * 8, [-1] + [0] * 8, [True] + [0] * 8, ["1"] + [0] * 8])
def test_it_refuses_answers_off_the_scale(answers):
    with pytest.raises(ValidationError):
        scoring.score(spec("phq9"), answers)


def test_reliable_change_follows_jacobson_truax():
    phq9 = spec("phq9")
    assert phq9.reliable_change == pytest.approx(6.32, abs=0.01)
    assert scoring.change(phq9, 18, 11) == "improved"
    assert scoring.change(phq9, 18, 12) == "no_change"
    assert scoring.change(phq9, 5, 12) == "worse"
    assert spec("gad7").reliable_change == pytest.approx(5.59, abs=0.02)  # Bischoff et al. 2020: 5.59


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"bands": [{"min": 0, "max": 4, "label": "A"}, {"min": 6, "max": 27, "label": "B"}]}, "without gaps"),
        ({"bands": [{"min": 0, "max": 20, "label": "A"}]}, "highest possible total"),
        ({"items": []}, "needs items"),
        ({"reliability": 1.2}, "between 0 and 1"),
        ({"default_cutoff": 10}, "not both"),
        ({"scale": [{"value": 0}]}, "malformed"),
    ],
)
def test_it_refuses_a_definition_that_could_not_be_scored(change, message):
    data = {**json.loads((SHIPPED / "phq9.json").read_text()), **change}
    with pytest.raises(ValidationError, match=message):
        scoring.parse(data)


PHQ9 = spec("phq9")


# The machine is shared: timing is not what this test is about.
@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.none(), st.integers(0, 3)), min_size=9, max_size=9))
def test_invariants_for_any_phq9_answers(answers):
    definition = PHQ9
    result = scoring.score(definition, answers)
    missing = answers.count(None)
    if missing > 2:
        assert result.total is None and result.status == "incomplete"
    else:
        assert 0 <= result.total <= 27 and result.band.holds(result.total)
        # Missing answers are never scored as zero: the total is at least what was answered.
        assert result.total >= sum(a for a in answers if a is not None)
        assert result.prorated == (missing > 0)
