"""Pydantic models of the catalog: models, licenses, GPUs, providers, tasks, benchmarks, rates.

Every model is strict (unknown keys are rejected) and frozen. A block that can go
stale carries `source` and `as_of`; unknown facts are `None`, never 0.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, NonNegativeFloat, NonNegativeInt, PositiveFloat, PositiveInt

Region = Literal["cn-mainland", "international", "eu", "us"]
Currency = Literal["CNY", "USD", "EUR"]
REGIONS: tuple[str, ...] = ("cn-mainland", "international", "eu", "us")


class Strict(BaseModel):
    # defer_build: a run that reads the catalog from its cache never validates it again,
    # so it need not pay for building validators at import time.
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True, allow_inf_nan=False)


class Sourced(Strict):
    source: str = Field(min_length=1, description="URL, or owner/repo:path, of the primary source read.")
    as_of: dt.date = Field(description="Date of the source (or of the reading, when the source is undated).")


class Params(Sourced):
    total_b: PositiveFloat | None = None
    """Total parameters, in billions."""
    active_b: PositiveFloat | None = None
    """Parameters active per token, in billions; equals `total_b` for dense models."""
    note: str | None = None


class ContextWindow(Sourced):
    max_tokens: PositiveInt | None = None
    """Documented supported context."""
    configured_tokens: PositiveInt | None = None
    """config.json `max_position_embeddings` when it differs from the documented context (rope scaling needed)."""
    max_output_tokens: PositiveInt | None = None
    note: str | None = None


class Languages(Sourced):
    declared: list[str] = Field(default_factory=list)
    """ISO 639-1 codes the vendor declares."""
    note: str | None = None


class Capabilities(Sourced):
    tool_calling: bool | None = None
    structured_output: bool | None = None
    vision: bool | None = None
    reasoning: bool | None = None
    note: str | None = None


class Experts(Strict):
    routed: PositiveInt
    active: PositiveInt
    shared: int = Field(default=0, ge=0)


class LatentAttention(Strict):
    """Multi-head latent attention (DeepSeek): the KV cache stores a compressed latent plus a rope key."""

    kv_lora_rank: PositiveInt
    qk_rope_head_dim: PositiveInt


Dtype = Literal["fp32", "bf16", "fp16", "fp8", "int8", "int4", "mxfp4"]


class Architecture(Sourced):
    model_type: str | None = None
    layers: PositiveInt
    hidden_size: PositiveInt | None = None
    attention_heads: PositiveInt
    kv_heads: PositiveInt
    head_dim: PositiveInt
    vocab_size: PositiveInt | None = None
    native_dtype: Dtype
    sliding_window: PositiveInt | None = None
    """Window in tokens of the sliding-window (or chunked) attention layers."""
    sliding_layers: int = Field(default=0, ge=0)
    linear_layers: int = Field(default=0, ge=0)
    """Linear-attention or state-space layers, which keep no per-token cache."""
    mlp_only_layers: int = Field(default=0, ge=0)
    """Layers with a feed-forward or expert block and no attention, as in hybrid Nemotron-H models."""
    mla: LatentAttention | None = None
    experts: Experts | None = None
    native_weights_gb: PositiveFloat | None = None
    """Checkpoint size in GB (10^9 bytes) for releases that ship quantized weights."""
    note: str | None = None

    @property
    def full_attention_layers(self) -> int:
        return self.layers - self.sliding_layers - self.linear_layers - self.mlp_only_layers


class GgufSizes(Sourced):
    repo: str | None = None
    sizes_gb: dict[str, PositiveFloat]
    """Published file sizes in GB (10^9 bytes), by GGUF type (Q4_K_M, Q8_0, ...)."""
    note: str | None = None


class Benchmark(Sourced):
    name: str
    value: float
    note: str | None = None


class PriceTier(Strict):
    above_tokens: PositiveInt
    """The tier applies when a request's input exceeds this many tokens."""
    input: NonNegativeFloat
    output: NonNegativeFloat
    cached_input: NonNegativeFloat | None = None


class Offering(Sourced):
    provider: str
    provider_model: str | None = None
    region: Region
    currency: Currency
    input: NonNegativeFloat
    """Price per million input tokens."""
    cached_input: NonNegativeFloat | None = None
    output: NonNegativeFloat
    tiers: list[PriceTier] | None = None
    batch_discount: float | None = Field(default=None, gt=0, le=1)
    note: str | None = None


class Deprecation(Sourced):
    date: dt.date
    """Retirement date announced by the vendor."""
    scope: Literal["model", "api"] = "model"
    """`api`: only the vendor's hosted API retires; published weights stay usable."""
    replacement: str | None = None
    note: str | None = None


class GenaiFiling(Sourced):
    status: Literal["filed", "not_filed"]
    note: str | None = None


class HubStats(Sourced):
    """Repository facts read from the Hugging Face Hub by `catalog sync` or `catalog add`."""

    downloads: NonNegativeInt | None = None
    """Downloads in the 30 days before `as_of`, as the Hub API counts them."""
    likes: NonNegativeInt | None = None
    last_modified: dt.date | None = None
    """Date of the repository's last commit."""
    gated: bool | Literal["auto", "manual"] = False
    """True, `auto` or `manual`: users must accept the terms on the Hub before downloading the weights."""
    license_tag: str | None = None
    """The repository's `license:` tag, or its `license_name` when the tag is `other`."""


class Model(Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")
    name: str
    vendor: str = ""
    """Vendor id; filled in from the model file."""
    family: str | None = None
    released: dt.date | None = None
    deprecated: Deprecation | None = None
    weights: Literal["open", "closed"]
    license: str
    hf_repo: str | None = None
    params: Params | None = None
    context: ContextWindow | None = None
    languages: Languages | None = None
    capabilities: Capabilities | None = None
    architecture: Architecture | None = None
    gguf: GgufSizes | None = None
    benchmarks: list[Benchmark] = Field(default_factory=list)
    chinese_tokens_per_1k_chars: PositiveFloat | None = None
    offerings: list[Offering] = Field(default_factory=list)
    cn_genai_filing: GenaiFiling | None = None
    hub: HubStats | None = None
    unreviewed: bool = False
    """Added from the Hub by `catalog add`; prices and license terms are not checked by a person."""
    note: str | None = None

    @property
    def is_open(self) -> bool:
        return self.weights == "open"


class ModelFile(Strict):
    vendor: str
    models: list[Model]


class Vendor(Strict):
    id: str
    name: str
    country: str
    """ISO 3166-1 alpha-2 code of the vendor's headquarters."""
    name_zh: str | None = None


class AcceptableUsePolicy(Strict):
    url: str | None = None
    restricted: list[str] = Field(default_factory=list)


class License(Sourced):
    id: str
    name: str
    spdx: str | None = None
    open_weights: bool
    commercial_use: bool | None
    """None when the license text has not been read, so commercial use is not verified."""
    mau_limit: PositiveInt | None = None
    revenue_limit_usd_per_month: PositiveFloat | None = None
    revenue_limit_usd_per_year: PositiveFloat | None = None
    threshold_effect: Literal["separate_license_required", "attribution_required"] | None = None
    attribution: list[str] = Field(default_factory=list)
    """Duties of any product that uses the model, such as showing "Built with Llama"."""
    distribution_duties: list[str] = Field(default_factory=list)
    """Duties that apply only when you distribute the weights or a model derived from them."""
    naming: str | None = None
    acceptable_use_policy: AcceptableUsePolicy | None = None
    outputs_may_train_other_models: bool | None = None
    """False: outputs may not train any other model. None: the text is silent."""
    forbids_competing_model_training: bool | None = None
    """True: outputs may not be used to develop models that compete with the vendor's."""
    fine_tuning: bool | None = None
    redistribution: bool | None = None
    territory_exclusions: list[str] = Field(default_factory=list)
    clauses: list[str] = Field(default_factory=list)
    note: str | None = None


class Rental(Sourced):
    provider: str
    price_per_hour: PositiveFloat
    currency: Currency
    region: Region | None = None
    gpu_count: PositiveInt = 1
    """Cards in the rented unit; the price covers all of them."""
    note: str | None = None


class Purchase(Sourced):
    price: PositiveFloat
    currency: Currency
    note: str | None = None


class Gpu(Sourced):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9._-]*$")
    name: str
    vendor: str
    kind: Literal["gpu", "unified", "cpu"]
    memory_gb: PositiveFloat
    """Memory per card in GB (10^9 bytes)."""
    bandwidth_gb_s: PositiveFloat
    memory_type: str | None = None
    tflops_bf16: PositiveFloat | None = None
    """Dense BF16/FP16 tensor throughput, without sparsity."""
    tdp_w: PositiveFloat | None = None
    rental: list[Rental] = Field(default_factory=list)
    purchase: Purchase | None = None
    note: str | None = None


class Provider(Sourced):
    id: str
    name: str
    regions: list[Region]
    currency: Currency | None = None
    data_used_for_training_by_default: bool | None = None
    data_residency: str | None = None
    serves_mainland_china: bool
    note: str | None = None


class ExchangeRate(Sourced):
    base: Currency
    quote: Currency
    rate: PositiveFloat
    """Units of `quote` per one unit of `base`."""


class TaskDefinition(Strict):
    id: str
    name: str
    name_zh: str
    benchmarks: dict[str, PositiveFloat]
    """Benchmark id -> weight within the task."""
    capabilities: list[Literal["tool_calling", "structured_output", "vision", "reasoning"]] = Field(
        default_factory=list
    )
    min_context_tokens: PositiveInt | None = None


class BenchmarkDefinition(Strict):
    id: str
    name: str
    scale: Literal["percent", "elo"] = "percent"
    language: str | None = None
    """Set for benchmarks that measure one language (C-Eval, CMMLU: zh)."""
    url: str | None = None


class Catalog(Strict):
    """The whole catalog after loading and merging every file."""

    models: list[Model]
    vendors: list[Vendor]
    licenses: list[License]
    gpus: list[Gpu]
    providers: list[Provider]
    exchange_rates: list[ExchangeRate]
    tasks: list[TaskDefinition]
    benchmarks: list[BenchmarkDefinition]
    origins: dict[str, str] = Field(default_factory=dict)
    """Model id -> the catalog file it was last defined in."""
