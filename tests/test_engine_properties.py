"""Engine invariants under generated catalogs (Hypothesis)."""

import datetime as dt
import random

import pytest

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from llmpick.catalog.index import CatalogIndex
from llmpick.engine import recommend
from llmpick.evidence import BenchmarkTable, task_scores
from llmpick.requirements import Requirements
from tests.factories import api_model, synthetic_catalog

TODAY = dt.date(2026, 12, 4)
BENCHMARKS = ("ifeval", "mmlu_pro", "arena_elo", "simpleqa", "gpqa_diamond")

model_specs = st.lists(
    st.tuples(
        st.floats(min_value=0.01, max_value=50, allow_nan=False),
        st.floats(min_value=0.01, max_value=100, allow_nan=False),
        st.dictionaries(st.sampled_from(BENCHMARKS), st.floats(min_value=1, max_value=99, allow_nan=False), max_size=4),
        st.sampled_from([["en"], ["en", "zh"], ["zh"]]),
        st.sampled_from([8000, 32000, 128000]),
    ),
    min_size=2,
    max_size=7,
)


def build(specs):
    return [
        api_model(f"m{position}", input_price=inp, output_price=out, benchmarks=benchmarks, languages=languages,
                  context=context)
        for position, (inp, out, benchmarks, languages, context) in enumerate(specs)
    ]


def needs(**overrides):
    data = {
        "tasks": {"customer_service": 0.7, "qa": 0.3},
        "traffic": {"requests_per_day": 10000, "input_tokens": 800, "output_tokens": 300},
        "budget": {"currency": "USD"},
        "deployment": {"mode": "api"},
    }
    data.update(overrides)
    return Requirements.model_validate(data)


def ranking_keys(result):
    return [(candidate.model.id, candidate.deployment.id, candidate.score) for candidate in result.ranking]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(model_specs, st.randoms(use_true_random=False))
def test_ranking_independent_of_catalog_order(specs, generator: random.Random):
    models = build(specs)
    shuffled = list(models)
    generator.shuffle(shuffled)
    first = recommend(needs(), CatalogIndex(synthetic_catalog(models)), today=TODAY, with_sensitivity=False)
    second = recommend(needs(), CatalogIndex(synthetic_catalog(shuffled)), today=TODAY, with_sensitivity=False)
    assert ranking_keys(first) == ranking_keys(second)


@settings(max_examples=40, deadline=None)
@given(model_specs, st.floats(min_value=1.01, max_value=20))
def test_raising_price_never_raises_cost_score(specs, factor):
    models = build(specs)
    before = recommend(needs(), CatalogIndex(synthetic_catalog(models)), today=TODAY, with_sensitivity=False)
    target = models[0]
    offering = target.offerings[0]
    pricier = target.model_copy(update={"offerings": [offering.model_copy(
        update={"input": offering.input * factor, "output": offering.output * factor})]})
    after = recommend(needs(), CatalogIndex(synthetic_catalog([pricier, *models[1:]])), today=TODAY,
                      with_sensitivity=False)
    old = next(c for c in before.ranking if c.model.id == target.id).criteria["cost"].score
    new = next(c for c in after.ranking if c.model.id == target.id).criteria["cost"].score
    assert new <= old + 1e-12


hard_constraints = st.sampled_from([
    {"languages": {"required": ["zh"]}},
    {"context": {"min_tokens": 32000}},
    {"budget": {"currency": "USD", "monthly": 500, "hard": True}},
    {"license": {"commercial_use": True, "open_weights": True}},
])


@settings(max_examples=40, deadline=None)
@given(model_specs, hard_constraints)
def test_hard_constraint_never_adds_candidate(specs, constraint):
    index = CatalogIndex(synthetic_catalog(build(specs)))
    loose = {key for key, _deployment, _score in ranking_keys(recommend(needs(), index, today=TODAY, with_sensitivity=False))}
    strict = {key for key, _deployment, _score in ranking_keys(
        recommend(needs(**constraint), index, today=TODAY, with_sensitivity=False))}
    assert strict <= loose


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.sampled_from(BENCHMARKS), st.floats(min_value=1, max_value=99, allow_nan=False), max_size=4),
       st.sampled_from(BENCHMARKS), st.floats(min_value=1, max_value=99, allow_nan=False))
def test_adding_evidence_never_lowers_confidence(benchmarks, extra_name, extra_value):
    other = api_model("other", input_price=1, output_price=1, benchmarks={name: 50 for name in BENCHMARKS})
    before_model = api_model("m", input_price=1, output_price=1, benchmarks=benchmarks)
    after_model = api_model("m", input_price=1, output_price=1, benchmarks={**benchmarks, extra_name: extra_value})
    tasks = {"customer_service": 0.5, "qa": 0.5}
    before_index = CatalogIndex(synthetic_catalog([before_model, other]))
    after_index = CatalogIndex(synthetic_catalog([after_model, other]))
    before = task_scores(before_model, tasks, before_index, BenchmarkTable(before_index.catalog.models))
    after = task_scores(after_model, tasks, after_index, BenchmarkTable(after_index.catalog.models))
    assert after.confidence >= before.confidence


def test_missing_evidence_scores_below_middle_not_zero():
    bare = api_model("bare", input_price=1, output_price=1)
    measured = api_model("measured", input_price=1, output_price=1, benchmarks={"ifeval": 80, "mmlu_pro": 60})
    index = CatalogIndex(synthetic_catalog([bare, measured]))
    result = task_scores(bare, {"classification": 1.0}, index, BenchmarkTable(index.catalog.models))
    assert result.score == 0.3
    assert result.confidence == 0.0
    assert any("no score for" in line for line in result.missing)


def test_partial_evidence_blends_toward_unproven_score():
    low = api_model("low", input_price=1, output_price=1, benchmarks={"ifeval": 60, "mmlu_pro": 40})
    high = api_model("high", input_price=1, output_price=1, benchmarks={"ifeval": 90})
    index = CatalogIndex(synthetic_catalog([low, high]))
    result = task_scores(high, {"classification": 1.0}, index, BenchmarkTable(index.catalog.models))
    # classification: ifeval 0.4 of the weight, measured at the top (1.0); the rest pulled to 0.3.
    assert result.confidence == 0.4
    assert result.score == pytest.approx(0.4 * 1.0 + 0.6 * 0.3)


def test_free_candidate_does_not_flatten_cost_scores():
    free = api_model("free", input_price=0, output_price=0)
    cheap = api_model("cheap", input_price=1, output_price=1)
    dear = api_model("dear", input_price=10, output_price=10)
    result = recommend(needs(), CatalogIndex(synthetic_catalog([free, cheap, dear])), today=TODAY,
                       with_sensitivity=False)
    scores = {candidate.model.id: candidate.criteria["cost"].score for candidate in result.ranking}
    assert scores["free"] == 1.0
    assert scores["cheap"] == 1.0
    assert scores["dear"] == pytest.approx(1 - 1 / 3, abs=1e-4)


def test_normalization_min_max_across_catalog():
    low = api_model("low", input_price=1, output_price=1, benchmarks={"ifeval": 60})
    mid = api_model("mid", input_price=1, output_price=1, benchmarks={"ifeval": 70})
    high = api_model("high", input_price=1, output_price=1, benchmarks={"ifeval": 90})
    table = BenchmarkTable([low, mid, high])
    assert table.normalized("low", "ifeval") == 0.0
    assert table.normalized("mid", "ifeval") == 1 / 3
    assert table.normalized("high", "ifeval") == 1.0
    assert table.normalized("low", "mmlu_pro") is None
