"""Small catalog objects built from published facts, for tests that must not depend on catalog edits."""

from __future__ import annotations

import datetime as dt
from typing import Any

from llmpick.catalog.schema import Catalog, Model

AS_OF = dt.date(2026, 12, 4)


def open_model(model_id: str, *, total_b: float, active_b: float | None = None, layers: int, heads: int,
               kv_heads: int, head_dim: int, dtype: str = "bf16", **architecture: Any) -> Model:
    return Model.model_validate({
        "id": model_id,
        "name": model_id,
        "vendor": "test",
        "weights": "open",
        "license": "apache-2.0",
        "params": {"total_b": total_b, "active_b": active_b or total_b, "source": "test", "as_of": AS_OF},
        "architecture": {
            "layers": layers, "attention_heads": heads, "kv_heads": kv_heads, "head_dim": head_dim,
            "native_dtype": dtype, "source": "test", "as_of": AS_OF, **architecture,
        },
    })


# Facts from each model's config.json and model card.
QWEN25_7B = open_model("qwen2.5-7b-instruct", total_b=7.62, layers=28, heads=28, kv_heads=4, head_dim=128)
LLAMA31_8B = open_model("llama-3.1-8b-instruct", total_b=8.03, layers=32, heads=32, kv_heads=8, head_dim=128)
QWEN3_32B = open_model("qwen3-32b", total_b=32.8, layers=64, heads=64, kv_heads=8, head_dim=128)
DEEPSEEK_V3 = open_model(
    "deepseek-v3", total_b=671, active_b=37, layers=61, heads=128, kv_heads=128, head_dim=128, dtype="fp8",
    mla={"kv_lora_rank": 512, "qk_rope_head_dim": 64}, experts={"routed": 256, "active": 8, "shared": 1},
)
# gpt-oss-120b: 36 layers alternating 128-token sliding window and full attention, 8 KV heads of 64;
# the MXFP4 checkpoint is 60.8 GiB (OpenAI gpt-oss model card) = 65.3 GB.
GPT_OSS_120B = open_model(
    "gpt-oss-120b", total_b=116.8, active_b=5.1, layers=36, heads=64, kv_heads=8, head_dim=64, dtype="mxfp4",
    sliding_window=128, sliding_layers=18, experts={"routed": 128, "active": 4}, native_weights_gb=65.3,
)


def synthetic_catalog(models: list[Model], *, licenses: list[dict] | None = None) -> Catalog:
    """A catalog around `models` with the shipped task and benchmark tables and plain reference rows."""
    from llmpick.catalog.loader import shipped_catalog_dir
    from llmpick.catalog.schema import BenchmarkDefinition, TaskDefinition
    from llmpick.validation import read_yaml

    root = shipped_catalog_dir()
    base_license = {"open_weights": True, "commercial_use": True, "source": "test", "as_of": AS_OF}
    return Catalog.model_validate({
        "models": [model.model_dump() for model in models],
        "vendors": [{"id": "test", "name": "Test vendor", "country": "US"}],
        "licenses": licenses or [{"id": "apache-2.0", "name": "Apache License 2.0", **base_license}],
        "gpus": [{"id": "gpu-24", "name": "Test 24 GB", "vendor": "test", "kind": "gpu", "memory_gb": 24,
                  "bandwidth_gb_s": 1000, "tflops_bf16": 150, "source": "test", "as_of": AS_OF,
                  "rental": [{"provider": "cloud", "price_per_hour": 0.5, "currency": "USD", "source": "test",
                              "as_of": AS_OF}]}],
        "providers": [{"id": "p", "name": "Provider", "regions": ["cn-mainland", "international"],
                       "serves_mainland_china": True, "source": "test", "as_of": AS_OF}],
        "exchange_rates": [{"base": "USD", "quote": "CNY", "rate": 7.0, "source": "test", "as_of": AS_OF}],
        "tasks": [TaskDefinition.model_validate(item).model_dump() for item in read_yaml(root / "tasks.yaml")],
        "benchmarks": [BenchmarkDefinition.model_validate(item).model_dump() for item in read_yaml(root / "benchmarks.yaml")],
    })


def api_model(model_id: str, *, input_price: float, output_price: float, benchmarks: dict[str, float] | None = None,
              languages: list[str] | None = None, license_id: str = "apache-2.0", context: int = 128000) -> Model:
    return Model.model_validate({
        "id": model_id,
        "name": model_id,
        "vendor": "test",
        "weights": "closed",
        "license": license_id,
        "context": {"max_tokens": context, "source": "test", "as_of": AS_OF},
        "languages": {"declared": languages or ["en", "zh"], "source": "test", "as_of": AS_OF},
        "capabilities": {"tool_calling": True, "structured_output": True, "source": "test", "as_of": AS_OF},
        "benchmarks": [{"name": name, "value": value, "source": "test", "as_of": AS_OF}
                       for name, value in (benchmarks or {}).items()],
        "offerings": [{"provider": "p", "region": "international", "currency": "USD", "input": input_price,
                       "output": output_price, "source": "test", "as_of": AS_OF}],
    })
