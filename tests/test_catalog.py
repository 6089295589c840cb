"""The shipped catalog: it validates, it is sourced, and its numbers agree with hand calculations."""

import datetime as dt

import pytest

from llmpick.catalog.audit import audit_catalog
from llmpick.catalog.index import CatalogIndex
from llmpick.catalog.loader import load_catalog
from llmpick.estimator import kv_bytes_per_token, weights_gb

CHINESE_COUNTRY = "CN"


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(use_overlay=False, use_cache=False)


def test_shipped_catalog_validates(catalog):
    assert audit_catalog(catalog, dt.date(2026, 12, 4)) == []


def test_catalog_size_and_spread(catalog):
    vendors = {item.id: item for item in catalog.vendors}
    assert len(catalog.models) >= 100
    assert len({model.vendor for model in catalog.models}) >= 20
    chinese = [model for model in catalog.models if vendors[model.vendor].country == CHINESE_COUNTRY]
    assert len(chinese) >= 8
    assert any(model.weights == "open" for model in catalog.models)
    assert any(model.weights == "closed" for model in catalog.models)


def test_deprecated_models_carry_dates(catalog):
    deprecated = [model for model in catalog.models if model.deprecated]
    assert deprecated
    for model in deprecated:
        assert model.deprecated.source


def test_every_offering_sourced_and_dated(catalog):
    for model in catalog.models:
        for offering in model.offerings:
            assert offering.source.strip(), model.id
            assert offering.as_of <= dt.date(2026, 12, 4), model.id


def test_at_least_eight_gpus(catalog):
    assert len(catalog.gpus) >= 8
    for gpu in catalog.gpus:
        assert gpu.memory_gb > 0
        assert gpu.bandwidth_gb_s > 0


def test_kv_bytes_for_every_open_model(catalog):
    for model in catalog.models:
        if model.is_open and model.architecture is not None:
            assert kv_bytes_per_token(model.architecture, "fp16") > 0, model.id


# Hand calculations at fp16 (2 bytes), from each model's config.json:
# full attention: 2 x layers x kv_heads x head_dim x 2; MLA: layers x (kv_lora_rank + rope dim) x 2.
KV_BY_HAND = {
    "qwen2.5-7b-instruct": 2 * 28 * 4 * 128 * 2,        # 57,344
    "llama-3.1-8b-instruct": 2 * 32 * 8 * 128 * 2,      # 131,072
    "qwen3-32b": 2 * 64 * 8 * 128 * 2,                  # 262,144
    "llama-3.1-70b-instruct": 2 * 80 * 8 * 128 * 2,     # 327,680
    "deepseek-v3": 61 * (512 + 64) * 2,                 # 70,272
    "gpt-oss-120b": 2 * 18 * 8 * 64 * 2,                # 36,864: the 18 full-attention layers
    "qwen3-next-80b-a3b-instruct": 2 * 12 * 2 * 256 * 2,  # 24,576: 12 of 48 layers keep a KV cache
}


@pytest.mark.parametrize("model_id,expected", sorted(KV_BY_HAND.items()))
def test_kv_bytes_by_hand(catalog, model_id, expected):
    model = CatalogIndex(catalog).model(model_id)
    assert kv_bytes_per_token(model.architecture, "fp16") == expected


def test_gguf_estimates_within_five_percent_of_published_files(catalog):
    close = []
    for model in catalog.models:
        if model.gguf is None or model.architecture is None:
            continue
        within = True
        checked = 0
        for kind in ("Q4_K_M", "Q8_0"):
            published = model.gguf.sizes_gb.get(kind)
            if published is None:
                continue
            checked += 1
            within &= abs(weights_gb(model, kind) - published) / published <= 0.05
        if checked and within:
            close.append(model.id)
    assert len(close) >= 3, close
    assert {"qwen2.5-7b-instruct", "llama-3.1-8b-instruct"} <= set(close)


def test_moe_models_have_active_below_total(catalog):
    for model in catalog.models:
        if model.architecture is not None and model.architecture.experts is not None and model.params:
            assert model.params.active_b < model.params.total_b, model.id


def test_licenses_have_sources(catalog):
    for terms in catalog.licenses:
        assert terms.source.strip(), terms.id
        assert terms.clauses or terms.note, terms.id


@pytest.mark.parametrize("source,fragment", [
    ("notes copied from a chat", "must start with a URL"),
    ("http://47.109.151.80:15030/pricing", "bare IP address"),
])
def test_audit_rejects_unreadable_sources(tmp_path, source, fragment):
    overlay = tmp_path / "extra.yaml"
    overlay.write_text(
        f"models:\n  - id: qwen3-32b\n    context: {{max_tokens: 32768, source: '{source}', as_of: 2026-12-01}}\n",
        encoding="utf-8",
    )
    catalog = load_catalog([overlay], use_overlay=False, use_cache=False)
    problems = audit_catalog(catalog, dt.date(2026, 12, 4))
    assert len(problems) == 1
    assert "models.qwen3-32b.context" in problems[0]
    assert fragment in problems[0]


def test_list_items_not_split_inside_parentheses(catalog):
    # A YAML flow list such as [a (b, c), d] splits at the commas inside the parentheses.
    for terms in catalog.licenses:
        items = list(terms.attribution) + list(terms.clauses)
        if terms.acceptable_use_policy:
            items += terms.acceptable_use_policy.restricted
        for item in items:
            assert item.count("(") == item.count(")"), (terms.id, item)


def test_hybrid_mamba_counts_only_attention_layers(catalog):
    # Nemotron-Nano-9B-v2: 56 layers = 27 Mamba-2 + 25 MLP-only + 4 attention (8 KV heads of 128).
    model = CatalogIndex(catalog).model("nvidia-nemotron-nano-9b-v2")
    assert kv_bytes_per_token(model.architecture, "fp16") == 2 * 4 * 8 * 128 * 2
