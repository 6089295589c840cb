"""The one memory and speed estimator for self-hosting, used by every command.

Sizes are GB (10^9 bytes). Weights are sized from *total* parameters, decode speed
from *active* parameters, and the KV cache at the context the requirements ask for.
The estimator does no I/O: it takes catalog objects and returns frozen results.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from llmpick.catalog.schema import Architecture, Gpu, Model
from llmpick.errors import InputError
from llmpick.i18n import _

GB = 1e9
GIB = 2**30

# Effective bits per weight of llama.cpp's GGUF types, from the sizes that
# `llama-quantize --help` prints for Llama-3-8B (8.03e9 parameters), given there in GiB
# (ggml-org/llama.cpp tools/quantize/quantize.cpp): bits = GiB * 2^30 * 8 / 8.03e9.
# The perplexity increase printed beside each size is the quality cost shown to users.
_LLAMA3_8B_PARAMS = 8.03e9
_GGUF_GIB_AND_PPL = {
    "Q8_0": (7.96, 0.0026),
    "Q6_K": (6.14, 0.0217),
    "Q5_K_M": (5.33, 0.0569),
    "Q4_K_M": (4.58, 0.1754),
    "Q3_K_M": (3.74, 0.6569),
    "Q2_K": (2.96, 3.5199),
}
GGUF_BITS = {name: gib * GIB * 8 / _LLAMA3_8B_PARAMS for name, (gib, _) in _GGUF_GIB_AND_PPL.items()}

# Plain formats: bits per weight. int4 (AWQ/GPTQ, group size 128) stores a 16-bit scale
# and a 4-bit zero point per 128 weights: 4 + 20/128 = 4.16 bits. MXFP4 stores a shared
# 8-bit exponent per 32 four-bit values: 4 + 8/32 = 4.25 bits.
PLAIN_BITS = {"fp32": 32.0, "bf16": 16.0, "fp16": 16.0, "fp8": 8.0, "int8": 8.0, "int4": 4.16, "mxfp4": 4.25}

PRECISIONS = ("native", "bf16", "fp16", "fp8", "int8", "int4", "mxfp4", *GGUF_BITS)

# Quality cost, highest quality first; `auto` tries them in this order. For GGUF types
# it is llama.cpp's measured perplexity increase on Llama-3-8B; for the others it is a
# class label, since no single published measurement covers them.
QUALITY_ORDER = ("native", "bf16", "fp16", "fp8", "int8", "Q8_0", "Q6_K", "Q5_K_M", "Q4_K_M", "int4", "mxfp4", "Q3_K_M", "Q2_K")

KV_DTYPE_BYTES = {"fp16": 2, "bf16": 2, "fp8": 1}

# Runtime overhead per device (CUDA context, runtime buffers) plus a share of the weights
# for activations and allocator fragmentation. These are planning margins, not measurements.
OVERHEAD_GB_PER_DEVICE = 1.0
OVERHEAD_SHARE_OF_WEIGHTS = 0.05

# Share of peak memory bandwidth that decode reaches in practice. llama.cpp and vLLM
# single-stream decode typically reach 50-80% of it; 0.6 is the planning figure used.
BANDWIDTH_EFFICIENCY = 0.6
# Share of dense BF16 throughput that batched decode reaches.
COMPUTE_EFFICIENCY = 0.4


def quality_cost(precision: str) -> str:
    """Describe in a few words what `precision` costs in quality."""
    if precision in _GGUF_GIB_AND_PPL:
        ppl = _GGUF_GIB_AND_PPL[precision][1]
        return _("+{ppl} perplexity on Llama-3-8B (llama.cpp)").format(ppl=f"{ppl:.4f}")
    labels = {
        "native": _("none: weights as released"),
        "bf16": _("none"),
        "fp16": _("none"),
        "fp8": _("very small"),
        "int8": _("very small"),
        "int4": _("small to moderate"),
        "mxfp4": _("small to moderate"),
    }
    return labels.get(precision, "")


# Wikitext-2 perplexity of Llama-3-8B at FP16, 6.501 in a public evaluation table
# (transformerx examples/perplexity); it turns llama.cpp's perplexity increases into
# relative ones. NOTE: that table was measured with another runtime and context than
# llama.cpp's, so the factors below are estimates of the quality cost, not measurements.
REFERENCE_PERPLEXITY = 6.501
# Formats without a per-model measurement: FP8/INT8 are close to lossless; 4-bit
# formats are taken to cost about what Q4_K_M costs.
CLASS_QUALITY = {"fp8": 0.995, "int8": 0.995, "int4": 0.97, "mxfp4": 0.97}
# Auto-chosen hardware must keep at least this quality when it can (Q4_K_M: 0.974).
MIN_AUTO_QUALITY = 0.97


def quality_factor(precision: str, native: str) -> float:
    """Return a multiplier in (0, 1] for task scores at a lossy precision; the native format costs nothing.

    GGUF types: reference perplexity / (reference + llama.cpp's increase on Llama-3-8B).
    """
    if precision == "native" or PLAIN_BITS.get(precision, 0) >= PLAIN_BITS.get(native, 16):
        return 1.0
    if precision in _GGUF_GIB_AND_PPL:
        increase = _GGUF_GIB_AND_PPL[precision][1]
        return REFERENCE_PERPLEXITY / (REFERENCE_PERPLEXITY + increase)
    return CLASS_QUALITY.get(precision, 1.0)


@dataclass(frozen=True)
class Device:
    """One set of identical accelerators, with the memory already in use on each."""

    name: str
    memory_gb: float
    bandwidth_gb_s: float
    count: int = 1
    used_gb: float = 0.0
    tflops_bf16: float | None = None
    kind: str = "gpu"

    @classmethod
    def from_gpu(cls, gpu: Gpu, count: int = 1, used_gb: float = 0.0) -> Device:
        return cls(
            name=gpu.name,
            memory_gb=gpu.memory_gb,
            bandwidth_gb_s=gpu.bandwidth_gb_s,
            count=count,
            used_gb=used_gb,
            tflops_bf16=gpu.tflops_bf16,
            kind=gpu.kind,
        )

    @property
    def free_gb(self) -> float:
        return max(0.0, self.memory_gb - self.used_gb) * self.count


@dataclass(frozen=True)
class FitEstimate:
    model_id: str
    device: str
    device_count: int
    precision: str
    context_tokens: int
    concurrency: int
    weights_gb: float
    kv_cache_gb: float
    overhead_gb: float
    total_gb: float
    available_gb: float
    fits: bool
    parallelism: str
    """`single`, `tensor` or `pipeline`."""
    parallelism_note: str | None
    kv_bytes_per_token: int
    decode_tokens_per_s: float
    max_concurrent_streams: int
    quality_cost: str
    kv_dtype: str = "fp16"
    assumptions: dict[str, str] = field(default_factory=dict)

    @property
    def headroom_gb(self) -> float:
        return self.available_gb - self.total_gb


def require_architecture(model: Model) -> Architecture:
    if not model.is_open:
        raise InputError(
            _("model '{id}' has closed weights, so it cannot be self-hosted; use its API offerings.").format(
                id=model.id
            )
        )
    if model.architecture is None or model.params is None or model.params.total_b is None:
        raise InputError(
            _("model '{id}' lacks architecture facts from config.json, so its fit cannot be verified.").format(
                id=model.id
            )
        )
    return model.architecture


def weight_bits(precision: str, native_dtype: str) -> float:
    if precision == "native":
        return PLAIN_BITS[native_dtype]
    if precision in GGUF_BITS:
        return GGUF_BITS[precision]
    return PLAIN_BITS[precision]


def check_precision(precision: str) -> str:
    if precision not in PRECISIONS:
        raise InputError(
            _("unknown precision '{value}'; valid choices: {choices}.").format(
                value=precision, choices=", ".join(PRECISIONS)
            )
        )
    return precision


def weights_gb(model: Model, precision: str) -> float:
    """Memory for the weights at `precision`, sized from total parameters."""
    arch = require_architecture(model)
    check_precision(precision)
    if precision == "native" and arch.native_weights_gb is not None:
        return arch.native_weights_gb
    total = model.params.total_b * 1e9  # type: ignore[union-attr]
    return total * weight_bits(precision, arch.native_dtype) / 8 / GB


def active_weights_gb(model: Model, precision: str) -> float:
    """Bytes read per decoded token for the weights, from active parameters."""
    total_gb = weights_gb(model, precision)
    params = model.params
    if params is None or params.total_b is None or params.active_b is None:
        return total_gb
    return total_gb * params.active_b / params.total_b


def kv_bytes_per_token(arch: Architecture, kv_dtype: str = "fp16") -> int:
    """KV-cache bytes per token across the layers whose cache grows with context.

    Full attention: 2 (K and V) x layers x kv_heads x head_dim x bytes. Latent attention
    (MLA) stores the compressed latent plus the rope key once per layer. Sliding-window
    layers are counted separately by `kv_cache_bytes` because they stop at the window;
    linear-attention and state-space layers keep no per-token cache.
    """
    element = KV_DTYPE_BYTES[kv_dtype]
    layers = arch.full_attention_layers
    if arch.mla is not None:
        return layers * (arch.mla.kv_lora_rank + arch.mla.qk_rope_head_dim) * element
    return 2 * layers * arch.kv_heads * arch.head_dim * element


def kv_cache_bytes(arch: Architecture, context_tokens: int, concurrency: int = 1, kv_dtype: str = "fp16") -> int:
    """KV cache for `concurrency` streams of `context_tokens` each."""
    element = KV_DTYPE_BYTES[kv_dtype]
    per_stream = kv_bytes_per_token(arch, kv_dtype) * context_tokens
    if arch.sliding_layers:
        window = min(context_tokens, arch.sliding_window or context_tokens)
        per_stream += 2 * arch.sliding_layers * arch.kv_heads * arch.head_dim * element * window
    return per_stream * concurrency


def choose_parallelism(arch: Architecture, count: int) -> tuple[str, str | None]:
    """Tensor parallelism needs the attention and KV heads to split evenly over the cards."""
    if count == 1:
        return "single", None
    heads_divide = arch.attention_heads % count == 0
    kv_divide = arch.kv_heads % count == 0 or count % arch.kv_heads == 0
    if heads_divide and kv_divide:
        return "tensor", None
    return "pipeline", _(
        "{heads} attention heads ({kv} KV heads) do not divide by {count} cards, so tensor parallelism "
        "is not possible; pipeline parallelism pools the memory but decodes at one card's speed."
    ).format(heads=arch.attention_heads, kv=arch.kv_heads, count=count)


def estimate_fit(
    model: Model,
    device: Device,
    *,
    context_tokens: int,
    concurrency: int = 1,
    precision: str = "native",
    kv_dtype: str = "fp16",
) -> FitEstimate:
    """Memory, fit and single-stream decode speed of `model` on `device`."""
    if context_tokens <= 0 or concurrency <= 0 or device.count <= 0:
        raise InputError(_("context, concurrency and GPU count must be positive whole numbers."))
    arch = require_architecture(model)
    check_precision(precision)
    weights = weights_gb(model, precision)
    kv_gb = kv_cache_bytes(arch, context_tokens, concurrency, kv_dtype) / GB
    overhead = OVERHEAD_GB_PER_DEVICE * device.count + OVERHEAD_SHARE_OF_WEIGHTS * weights
    total = weights + kv_gb + overhead
    available = device.free_gb
    parallelism, note = choose_parallelism(arch, device.count)

    # Decode is memory-bound: each token reads the active weights and the stream's KV cache.
    # Tensor parallelism reads from every card at once; pipeline parallelism one card at a time.
    bandwidth = device.bandwidth_gb_s * (device.count if parallelism == "tensor" else 1)
    bytes_per_token = active_weights_gb(model, precision) + kv_cache_bytes(arch, context_tokens, 1, kv_dtype) / GB
    decode = BANDWIDTH_EFFICIENCY * bandwidth / bytes_per_token

    per_stream_gb = kv_cache_bytes(arch, context_tokens, 1, kv_dtype) / GB
    spare = available - (weights + overhead)
    max_streams = max(0, int(spare // per_stream_gb)) if per_stream_gb > 0 else 0

    return FitEstimate(
        model_id=model.id,
        device=device.name,
        device_count=device.count,
        precision=precision,
        context_tokens=context_tokens,
        concurrency=concurrency,
        weights_gb=weights,
        kv_cache_gb=kv_gb,
        overhead_gb=overhead,
        total_gb=total,
        available_gb=available,
        fits=total <= available,
        parallelism=parallelism,
        parallelism_note=note,
        kv_bytes_per_token=kv_bytes_per_token(arch, kv_dtype),
        decode_tokens_per_s=decode,
        max_concurrent_streams=max_streams,
        quality_cost=quality_cost(precision),
        kv_dtype=kv_dtype,
        assumptions={
            "bandwidth_efficiency": f"{BANDWIDTH_EFFICIENCY:.0%}",
            "overhead": f"{OVERHEAD_GB_PER_DEVICE:g} GB per card + {OVERHEAD_SHARE_OF_WEIGHTS:.0%} of weights",
            "kv_cache_dtype": kv_dtype,
        },
    )


def candidate_precisions(model: Model) -> list[str]:
    """Precisions worth trying for `model`, highest quality first, none above its native format."""
    arch = require_architecture(model)
    native_bits = PLAIN_BITS[arch.native_dtype]
    ordered = []
    for name in QUALITY_ORDER:
        if name == "native":
            ordered.append(name)
            continue
        if weight_bits(name, arch.native_dtype) < native_bits - 0.01:
            ordered.append(name)
    return ordered


def best_fit(
    model: Model, device: Device, *, context_tokens: int, concurrency: int = 1, kv_dtype: str = "fp16"
) -> FitEstimate:
    """Estimate the fit at the highest-quality precision that fits, or at the smallest when none fits."""
    precisions = candidate_precisions(model)
    smallest = estimate_fit(
        model, device, context_tokens=context_tokens, concurrency=concurrency, precision=precisions[-1], kv_dtype=kv_dtype
    )
    if not smallest.fits:
        return smallest
    last: FitEstimate | None = None
    for precision in precisions:
        estimate = estimate_fit(
            model, device, context_tokens=context_tokens, concurrency=concurrency, precision=precision, kv_dtype=kv_dtype
        )
        if estimate.fits:
            return estimate
        last = estimate
    assert last is not None
    return last


@dataclass(frozen=True)
class Capacity:
    """How many copies of a GPU set carry the peak load."""

    replicas: int
    streams_per_replica: int
    requests_per_s_per_replica: float
    needed_requests_per_s: float
    bound: str
    """`memory` (decode reads) or `compute` (prefill and decode arithmetic): the limit that sets replicas."""
    compute_checked: bool
    """False when the catalog lacks the GPU's compute throughput, so only memory bandwidth was checked."""


def capacity_for_load(
    model: Model, estimate: FitEstimate, device: Device, *, requests_per_s: float, input_tokens: int,
    output_tokens: int,
) -> Capacity:
    """Estimate the replicas of `device` needed to serve `requests_per_s` at peak.

    Decode is memory-bound. A replica runs as many streams as its free memory holds, and
    each step reads the active weights once plus every stream's KV cache. It therefore
    yields streams x bandwidth / bytes per step output tokens per second. Prefill and decode
    together cost 2 x active parameters FLOPs per token, and that caps the tokens per second
    a replica's compute can carry. Input-heavy traffic such as classification hits this cap.
    """
    arch = require_architecture(model)
    # The fit was checked at the longest context a request may need. Throughput is sized at
    # the typical request, because that is the cache most streams hold.
    kv_request = kv_cache_bytes(arch, input_tokens + output_tokens, 1, estimate.kv_dtype)
    spare_bytes = (estimate.available_gb - estimate.weights_gb - estimate.overhead_gb) * GB
    streams = max(1, int(spare_bytes // kv_request)) if kv_request > 0 else 1
    parallel_cards = device.count if estimate.parallelism == "tensor" else 1
    bandwidth = BANDWIDTH_EFFICIENCY * device.bandwidth_gb_s * parallel_cards * GB
    active_bytes = active_weights_gb(model, estimate.precision) * GB
    decode_tokens_per_s = streams * bandwidth / (active_bytes + streams * kv_request)
    per_replica = decode_tokens_per_s / output_tokens
    bound = "memory"
    compute_checked = False
    if device.tflops_bf16 and model.params and model.params.active_b:
        compute_checked = True
        flops_per_token = 2 * model.params.active_b * 1e9
        compute_tokens_per_s = COMPUTE_EFFICIENCY * device.tflops_bf16 * 1e12 * device.count / flops_per_token
        compute_requests = compute_tokens_per_s / (input_tokens + output_tokens)
        if compute_requests < per_replica:
            per_replica, bound = compute_requests, "compute"
    replicas = max(1, math.ceil(requests_per_s / per_replica - 1e-9)) if per_replica > 0 else 1
    return Capacity(
        replicas=replicas,
        streams_per_replica=streams,
        requests_per_s_per_replica=per_replica,
        needed_requests_per_s=requests_per_s,
        bound=bound,
        compute_checked=compute_checked,
    )
