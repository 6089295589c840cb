"""Turn what the Hugging Face Hub returns for a repository into catalog fields.

Pure: no network, files or clock. `llmpick.hub` fetches a `HubRepo` and uses these
functions to build overlay entries and to list what changed against the catalog.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from llmpick.catalog.schema import Model
from llmpick.i18n import _

# config.json `torch_dtype` (or `dtype`, written by newer transformers) -> catalog dtype.
CONFIG_DTYPES = {"bfloat16": "bf16", "float16": "fp16", "half": "fp16", "float32": "fp32", "float": "fp32"}
# Safetensors dtype names as the Hub API counts parameters by them -> catalog dtype.
SAFETENSORS_DTYPES = {"BF16": "bf16", "F16": "fp16", "F32": "fp32", "F8_E4M3": "fp8", "F8_E5M2": "fp8", "I8": "int8"}
# `quantization_config.quant_method` values whose stored weight type does not depend on `bits`.
QUANT_METHOD_DTYPES = {"fp8": "fp8", "fbgemm_fp8": "fp8", "mxfp4": "mxfp4"}
# Methods that pack integer weights, whose width is `bits`.
INTEGER_QUANT_METHODS = frozenset({"gptq", "awq", "bitsandbytes", "hqq", "eetq"})

# Hub license tags whose catalog id is spelled differently. Other tags are tried as ids unchanged.
LICENSE_ALIASES = {
    "llama2": "llama-2",
    "llama3": "llama-3",
    "llama3.1": "llama-3.1",
    "llama3.2": "llama-3.2",
    "llama3.3": "llama-3.3",
    "llama4": "llama-4",
    "tongyi-qianwen": "qwen",
}

# Hub organization -> catalog vendor id, for `catalog add` without --vendor.
OWNER_VENDORS = {
    "Qwen": "qwen",
    "meta-llama": "meta",
    "deepseek-ai": "deepseek",
    "mistralai": "mistral",
    "google": "google",
    "microsoft": "microsoft",
    "nvidia": "nvidia",
    "ibm-granite": "ibm",
    "zai-org": "zhipu",
    "THUDM": "zhipu",
    "moonshotai": "moonshot",
    "MiniMaxAI": "minimax",
    "baidu": "baidu",
    "tencent": "tencent",
    "01-ai": "01ai",
    "internlm": "shanghai-ai-lab",
    "openai": "openai",
    "CohereLabs": "cohere",
    "CohereForAI": "cohere",
    "ByteDance-Seed": "bytedance",
}

# `layer_types` entries, which recent transformers releases write into config.json.
SLIDING_LAYER_TYPES = frozenset({"sliding_attention", "chunked_attention"})
LINEAR_LAYER_TYPES = frozenset({"linear_attention", "mamba"})

# Architecture fields compared and written by `catalog sync`, in display order.
ARCHITECTURE_FIELDS = (
    "model_type", "layers", "hidden_size", "attention_heads", "kv_heads", "head_dim", "vocab_size",
    "native_dtype", "sliding_window", "sliding_layers", "linear_layers", "mla", "experts",
)


@dataclass(frozen=True)
class HubRepo:
    """One repository as read from the Hub: `model_info` plus the parsed config.json."""

    repo: str
    url: str
    """Web address of the repository on the endpoint that was read."""
    sha: str | None
    tags: tuple[str, ...] = ()
    card: Mapping[str, Any] = field(default_factory=dict)
    """The model card's YAML metadata (`cardData`)."""
    gated: bool | str = False
    downloads: int | None = None
    likes: int | None = None
    last_modified: dt.datetime | None = None
    safetensors_parameters: Mapping[str, int] = field(default_factory=dict)
    """Parameter count per safetensors dtype, such as {"BF16": 7615616512}."""
    safetensors_total: int | None = None
    config: Mapping[str, Any] | None = None
    """config.json, or None when the repository has none."""

    @property
    def config_url(self) -> str:
        return f"{self.url}/blob/{self.sha or 'main'}/config.json"


@dataclass(frozen=True)
class FactChange:
    """One catalog fact whose Hub value differs from the catalog's."""

    model_id: str
    field: str
    old: Any
    new: Any
    written: bool = True
    """False for differences that are only reported, such as the license, which a person must review."""


def license_tag(repo: HubRepo) -> str | None:
    """Return the declared license: the card's `license`, else the `license:` tag, lower-cased.

    The Hub tag `other` means a custom license, named by the card's `license_name`.
    """
    declared = repo.card.get("license")
    if isinstance(declared, list):
        declared = declared[0] if declared else None
    if not declared:
        declared = next((tag.split(":", 1)[1] for tag in repo.tags if tag.startswith("license:")), None)
    if not declared:
        return None
    declared = str(declared).lower()
    if declared == "other" and repo.card.get("license_name"):
        return str(repo.card["license_name"]).lower()
    return declared


def catalog_license_id(tag: str | None, license_ids: set[str] | frozenset[str]) -> str | None:
    """Return the catalog license id for a Hub license tag, or None when the catalog lacks it."""
    if tag is None:
        return None
    for candidate in (tag, LICENSE_ALIASES.get(tag)):
        if candidate is not None and candidate in license_ids:
            return candidate
    return None


def gated_value(gated: Any) -> bool | str:
    """Normalize the Hub's `gated` field to False, "auto" or "manual".

    Any other value that is not False or None still means gated, so it becomes True.
    """
    if gated in (False, None):
        return False
    if gated in ("auto", "manual"):
        return gated
    return True


def total_params_b(repo: HubRepo) -> float | None:
    """Total parameters in billions from the safetensors headers, rounded to millions."""
    if not repo.safetensors_total:
        return None
    return round(repo.safetensors_total / 1e9, 3)


def language_config(config: Mapping[str, Any]) -> dict[str, Any]:
    """Return the part of config.json that describes the language model.

    Multimodal checkpoints (Gemma 3, Llama 4, Mistral 3) nest it under `text_config`,
    while the dtype and quantization often stay at the top level.
    """
    if "num_hidden_layers" in config:
        return dict(config)
    for key in ("text_config", "language_config", "llm_config"):
        nested = config.get(key)
        if isinstance(nested, Mapping) and "num_hidden_layers" in nested:
            merged = dict(nested)
            for inherited in ("torch_dtype", "dtype", "quantization_config"):
                if merged.get(inherited) is None and config.get(inherited) is not None:
                    merged[inherited] = config[inherited]
            return merged
    return dict(config)


def native_dtype(config: Mapping[str, Any], safetensors_parameters: Mapping[str, int]) -> str | None:
    """Return the dtype the weights are stored in, or None when no source names a known one.

    `quantization_config` wins over `torch_dtype`, which names the compute type of
    quantized checkpoints (DeepSeek-V3 declares bfloat16 but ships fp8). The most common
    safetensors dtype is the fallback.
    """
    quantization = config.get("quantization_config")
    if isinstance(quantization, Mapping):
        method = str(quantization.get("quant_method", "")).lower()
        if method in QUANT_METHOD_DTYPES:
            return QUANT_METHOD_DTYPES[method]
        if method in INTEGER_QUANT_METHODS:
            bits = quantization.get("bits")
            if bits in (4, 8):
                return f"int{bits}"
            if quantization.get("load_in_4bit"):
                return "int4"
            if quantization.get("load_in_8bit"):
                return "int8"
        return _dominant_safetensors_dtype(safetensors_parameters)
    declared = config.get("torch_dtype") or config.get("dtype")
    if isinstance(declared, str) and declared.lower() in CONFIG_DTYPES:
        return CONFIG_DTYPES[declared.lower()]
    return _dominant_safetensors_dtype(safetensors_parameters)


def _dominant_safetensors_dtype(parameters: Mapping[str, int]) -> str | None:
    if not parameters:
        return None
    name = max(parameters, key=lambda key: parameters[key])
    return SAFETENSORS_DTYPES.get(name)


def _positive_int(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        return None
    return value


def _attention_window(config: Mapping[str, Any], layers: int) -> dict[str, Any]:
    """Sliding-window and linear-attention layer counts, from the most explicit key present.

    Only the keys that config.json settles are returned, so a catalog value the
    config is silent on (such as `linear_layers` of a hybrid without `layer_types`)
    is kept.
    """
    layer_types = config.get("layer_types")
    if isinstance(layer_types, list) and layer_types:
        sliding = sum(1 for kind in layer_types if kind in SLIDING_LAYER_TYPES)
        linear = sum(1 for kind in layer_types if kind in LINEAR_LAYER_TYPES)
        window = _positive_int(config.get("sliding_window")) or _positive_int(config.get("attention_chunk_size"))
        return {"sliding_window": window if sliding else None, "sliding_layers": sliding, "linear_layers": linear}

    window = _positive_int(config.get("sliding_window"))
    if window is None or config.get("use_sliding_window") is False:
        return {"sliding_window": None, "sliding_layers": 0}

    # Gemma 3 makes every n-th layer global. Gemma 2 alternates, but its older configs omit the pattern.
    pattern = _positive_int(config.get("sliding_window_pattern"))
    if pattern is None and config.get("model_type") == "gemma2":
        pattern = 2
    if pattern is not None:
        return {"sliding_window": window, "sliding_layers": layers - layers // pattern}

    # Qwen2 slides only in the layers from `max_window_layers` on.
    first_sliding = _positive_int(config.get("max_window_layers"))
    if first_sliding is not None and config.get("use_sliding_window") is True:
        return {"sliding_window": window, "sliding_layers": max(layers - first_sliding, 0)}

    # NOTE: a window without a layer pattern counts every layer as sliding, as in Mistral 7B.
    # A family that keeps its pattern in code instead of config.json gets a wrong count here.
    return {"sliding_window": window, "sliding_layers": layers}


def architecture_fields(config: Mapping[str, Any], safetensors_parameters: Mapping[str, int]) -> tuple[dict[str, Any] | None, str | None]:
    """Return the Architecture fields config.json settles, or None and the reason it cannot.

    The result lacks `source` and `as_of`, which the caller adds.
    """
    text = language_config(config)
    layers = _positive_int(text.get("num_hidden_layers"))
    heads = _positive_int(text.get("num_attention_heads"))
    if layers is None or heads is None:
        return None, _("config.json has no num_hidden_layers or num_attention_heads")
    kv_heads = _positive_int(text.get("num_key_value_heads")) or heads
    hidden = _positive_int(text.get("hidden_size"))

    mla = None
    kv_lora_rank = _positive_int(text.get("kv_lora_rank"))
    rope_dim = _positive_int(text.get("qk_rope_head_dim"))
    if kv_lora_rank is not None and rope_dim is not None:
        mla = {"kv_lora_rank": kv_lora_rank, "qk_rope_head_dim": rope_dim}

    head_dim = _positive_int(text.get("head_dim"))
    if head_dim is None and mla is not None:
        # Latent attention keys are the no-rope part plus the rope part (128 + 64 in DeepSeek-V3).
        head_dim = (_positive_int(text.get("qk_nope_head_dim")) or 0) + mla["qk_rope_head_dim"]
    if head_dim is None and hidden is not None and hidden % heads == 0:
        head_dim = hidden // heads
    if head_dim is None:
        return None, _("config.json has no head_dim, and hidden_size is not a multiple of num_attention_heads")

    dtype = native_dtype(text, safetensors_parameters)
    if dtype is None:
        return None, _("config.json and the safetensors metadata name no known weight dtype")

    experts = None
    routed = next(
        (count for key in ("n_routed_experts", "num_experts", "num_local_experts")
         if (count := _positive_int(text.get(key))) is not None),
        None,
    )
    active = _positive_int(text.get("num_experts_per_tok"))
    if routed is not None and routed > 1 and active is not None:
        shared = _positive_int(text.get("n_shared_experts")) or 0
        if not shared and _positive_int(text.get("shared_expert_intermediate_size")):
            shared = 1  # Qwen2-MoE names the size of its one shared expert, not a count.
        experts = {"routed": routed, "active": active, "shared": shared}

    fields_found: dict[str, Any] = {
        "model_type": config.get("model_type") or text.get("model_type"),
        "layers": layers,
        "hidden_size": hidden,
        "attention_heads": heads,
        "kv_heads": kv_heads,
        "head_dim": head_dim,
        "vocab_size": _positive_int(text.get("vocab_size")),
        "native_dtype": dtype,
        **_attention_window(text, layers),
        "mla": mla,
        "experts": experts,
    }
    return fields_found, None


def vendor_for_owner(owner: str) -> str | None:
    return OWNER_VENDORS.get(owner)


def _comparable(value: Any) -> Any:
    """Reduce pydantic blocks to dicts so that catalog and Hub values compare equal."""
    if hasattr(value, "model_dump"):
        return value.model_dump()
    return value


def architecture_changes(model: Model, fields_found: Mapping[str, Any]) -> list[FactChange]:
    old = model.architecture
    changes = []
    for name in ARCHITECTURE_FIELDS:
        if name not in fields_found:
            continue
        before = _comparable(getattr(old, name)) if old is not None else None
        after = fields_found[name]
        if before != after:
            changes.append(FactChange(model.id, f"architecture.{name}", before, after))
    return changes


def format_value(value: Any) -> str:
    """Render a fact for the change table: `-` for unknown, `key=value` pairs for blocks."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, Mapping):
        return ", ".join(f"{key}={format_value(item)}" for key, item in value.items())
    return str(value)
