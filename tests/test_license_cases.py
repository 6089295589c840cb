"""License terms against requirements, on the shipped catalog's license records."""

import pytest

from llmpick.catalog.index import CatalogIndex
from llmpick.catalog.loader import load_catalog
from llmpick.licensing import evaluate_license
from llmpick.requirements import Requirements


@pytest.fixture(scope="module")
def index():
    return CatalogIndex(load_catalog(use_overlay=False, use_cache=False))


def needs(**license_block):
    return Requirements.model_validate({
        "tasks": {"qa": 1},
        "traffic": {"requests_per_day": 100, "input_tokens": 100, "output_tokens": 100},
        "license": {"commercial_use": True, **license_block},
    })


def verdict(index, model_id, requirements):
    model = index.model(model_id)
    return evaluate_license(index.licenses[model.license], model, requirements)


def test_one_family_several_licenses_by_size(index):
    seven = verdict(index, "qwen2.5-7b-instruct", needs())
    assert index.model("qwen2.5-7b-instruct").license == "apache-2.0"
    assert seven.allowed is True
    assert not any("monthly active users" in duty for duty in seven.duties)

    large = verdict(index, "qwen2.5-72b-instruct", needs())
    assert large.allowed is True
    assert any("100 million monthly active users" in duty for duty in large.duties)

    small = verdict(index, "qwen2.5-3b-instruct", needs())
    assert small.allowed is False
    assert any("does not allow commercial use" in reason for reason in small.violations)
    assert any("research license" in reason.lower() for reason in small.violations)


def test_mau_threshold_exceeded(index):
    result = verdict(index, "llama-3.1-70b-instruct", needs(expected_monthly_active_users=800_000_000))
    assert result.allowed is False
    assert any("700 million monthly active users" in reason for reason in result.violations)


def test_mau_below_threshold_is_a_duty(index):
    result = verdict(index, "llama-3.1-70b-instruct", needs(expected_monthly_active_users=1_000_000))
    assert result.allowed is True
    assert any("700 million monthly active users" in duty for duty in result.duties)


def test_mau_from_traffic_when_license_block_silent(index):
    requirements = Requirements.model_validate({
        "tasks": {"qa": 1},
        "traffic": {"requests_per_day": 100, "input_tokens": 100, "output_tokens": 100,
                    "monthly_active_users": 900_000_000},
    })
    assert verdict(index, "llama-3.1-70b-instruct", requirements).allowed is False


def test_duties_lower_the_score(index):
    apache = verdict(index, "qwen2.5-7b-instruct", needs())
    llama = verdict(index, "llama-3.1-70b-instruct", needs())
    assert llama.score < apache.score


def test_every_license_has_source_and_date(index):
    for terms in index.catalog.licenses:
        assert terms.source.strip(), terms.id
        assert terms.as_of is not None, terms.id


def test_unknown_license_id_fails_validation(tmp_path):
    from llmpick.errors import InputError

    overlay = tmp_path / "extra.yaml"
    overlay.write_text(
        "models:\n  - id: qwen2.5-7b-instruct\n    license: no-such-license\n", encoding="utf-8"
    )
    with pytest.raises(InputError, match="model 'qwen2.5-7b-instruct' uses unknown license id 'no-such-license'"):
        load_catalog([overlay], use_overlay=False, use_cache=False)


def test_unread_license_is_unverified_not_forbidden(index):
    result = verdict(index, "glm-4-9b-chat", needs())
    assert result.allowed is False
    assert result.verified is False
    assert any("not verified" in reason for reason in result.violations)
    assert not any("does not allow" in reason for reason in result.violations)
