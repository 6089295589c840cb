"""Sensitivity of the top pick on a case solved by hand."""

import pytest

from llmpick.engine import CostResult, Candidate, DeploymentOption, sensitivity_of
from llmpick.evidence import CriterionResult
from llmpick.licensing import LicenseVerdict
from tests.factories import api_model


def candidate(model_id, cost, task, license_score=1.0, language=1.0):
    verdict = LicenseVerdict("apache-2.0", "Apache", True, (), (), (), license_score, 1.0)
    criteria = {
        "cost": CriterionResult(cost, 1.0, ()),
        "license": CriterionResult(license_score, 1.0, ()),
        "language": CriterionResult(language, 1.0, ()),
        "hardware": CriterionResult(None, 1.0, ()),
        "task": CriterionResult(task, 1.0, ()),
    }
    return Candidate(
        model=api_model(model_id, input_price=1, output_price=1),
        deployment=DeploymentOption(kind="api", provider="p", region="international"),
        cost=CostResult(None, None, None, ()), license=verdict, criteria=criteria, score=0.0, confidence=1.0,
    )


WEIGHTS = {"cost": 0.5, "license": 0.0, "language": 0.0, "hardware": 0.0, "task": 0.5}


def test_smallest_shift_worked_by_hand():
    # A = 0.5 x 1.0 + 0.5 x 0.4 = 0.70; B = 0.5 x 0.5 + 0.5 x 0.8 = 0.65.
    # Moving d from cost to task: A = 0.70 - 0.6 d, B = 0.65 + 0.3 d, equal at d = 0.05 / 0.9.
    # Moving d from cost to license (both 1.0) only reaches a tie at d = 0.1.
    result = sensitivity_of([candidate("a", 1.0, 0.4), candidate("b", 0.5, 0.8)], WEIGHTS)
    assert result.smallest_shift == pytest.approx(0.05 / 0.9, abs=1e-4)
    assert result.shift_from == "cost"
    assert result.shift_to == "task"
    assert result.new_top.startswith("b")


def test_share_staying_first_matches_integral():
    # Each weight times U(0.5, 1.5): A stays first when 0.5 w_cost > 0.4 w_task, that is
    # v < 1.25 u for u, v ~ U(0.5, 1.5). The integral over the unit square is 0.69375.
    result = sensitivity_of([candidate("a", 1.0, 0.4), candidate("b", 0.5, 0.8)], WEIGHTS, samples=20000)
    assert result.top_stays_first == pytest.approx(0.69375, abs=0.015)


def test_dominant_pick_never_changes():
    result = sensitivity_of([candidate("a", 1.0, 1.0), candidate("b", 0.2, 0.2)], WEIGHTS)
    assert result.top_stays_first == 1.0
    assert result.smallest_shift is None
