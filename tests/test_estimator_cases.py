"""Memory-fit cases that other fit calculators got wrong, with the right values."""

import pytest

from llmpick.estimator import (
    GB,
    GIB,
    Device,
    best_fit,
    estimate_fit,
    kv_bytes_per_token,
    kv_cache_bytes,
    weights_gb,
)
from tests.factories import DEEPSEEK_V3, GPT_OSS_120B, LLAMA31_8B, QWEN3_32B, QWEN25_7B

H100 = Device("H100 SXM 80GB", memory_gb=80, bandwidth_gb_s=3350)
MAC_128 = Device("128 GB unified memory", memory_gb=128, bandwidth_gb_s=546, kind="unified")


def test_moe_sized_by_total_parameters():
    weights = weights_gb(DEEPSEEK_V3, "Q4_K_M")
    assert weights >= 350
    fit = estimate_fit(DEEPSEEK_V3, MAC_128, context_tokens=8192, precision="Q4_K_M")
    assert fit.fits is False


def test_moe_decode_speed_uses_active_parameters():
    dense_equivalent = open_dense_like_deepseek()
    eight_h200 = Device("H200 141GB", memory_gb=141, bandwidth_gb_s=4800, count=8)
    moe = estimate_fit(DEEPSEEK_V3, eight_h200, context_tokens=8192)
    dense = estimate_fit(dense_equivalent, eight_h200, context_tokens=8192)
    assert moe.decode_tokens_per_s > 10 * dense.decode_tokens_per_s


def open_dense_like_deepseek():
    from tests.factories import open_model

    return open_model("dense-671b", total_b=671, layers=61, heads=128, kv_heads=128, head_dim=128, dtype="fp8",
                      mla={"kv_lora_rank": 512, "qk_rope_head_dim": 64})


def test_moe_native_fp8_needs_more_than_eight_h100():
    assert weights_gb(DEEPSEEK_V3, "native") >= 671
    eight_h100 = Device("H100 SXM 80GB", memory_gb=80, bandwidth_gb_s=3350, count=8)
    assert estimate_fit(DEEPSEEK_V3, eight_h100, context_tokens=8192).fits is False


def test_moe_native_fp8_fits_eight_h200():
    eight_h200 = Device("H200 141GB", memory_gb=141, bandwidth_gb_s=4800, count=8)
    assert estimate_fit(DEEPSEEK_V3, eight_h200, context_tokens=8192).fits is True


def test_kv_cache_at_requested_context_not_model_maximum():
    assert kv_bytes_per_token(QWEN25_7B.architecture, "fp16") == 57344
    kv_gib = kv_cache_bytes(QWEN25_7B.architecture, 8192, 1, "fp16") / GIB
    assert kv_gib == pytest.approx(0.4375)
    card = Device("8 GiB GPU", memory_gb=8 * GIB / GB, bandwidth_gb_s=448)
    fit = estimate_fit(QWEN25_7B, card, context_tokens=8192, precision="Q4_K_M")
    assert fit.fits is True
    assert fit.weights_gb == pytest.approx(4.68, rel=0.05)


def test_kv_cache_at_model_maximum_would_not_fit():
    card = Device("8 GiB GPU", memory_gb=8 * GIB / GB, bandwidth_gb_s=448)
    assert estimate_fit(QWEN25_7B, card, context_tokens=131072, precision="Q4_K_M").fits is False


def test_kv_bytes_per_token_gqa():
    assert kv_bytes_per_token(LLAMA31_8B.architecture, "bf16") == 131072


def test_native_mxfp4_weights():
    weights = weights_gb(GPT_OSS_120B, "native")
    assert 60 <= weights <= 67
    fit = estimate_fit(GPT_OSS_120B, H100, context_tokens=8192)
    assert fit.fits is True


def test_free_memory_not_total_memory():
    busy = Device("RTX 4090", memory_gb=24, bandwidth_gb_s=1008, used_gb=16)
    fit = estimate_fit(QWEN3_32B, busy, context_tokens=32768, precision="Q4_K_M")
    assert fit.available_gb == pytest.approx(8)
    assert fit.fits is False


def test_free_memory_whole_card_still_too_small():
    whole = Device("RTX 4090", memory_gb=24, bandwidth_gb_s=1008)
    fit = estimate_fit(QWEN3_32B, whole, context_tokens=32768, precision="Q4_K_M")
    assert fit.weights_gb == pytest.approx(19.8, rel=0.05)
    assert fit.kv_cache_gb == pytest.approx(8.59, abs=0.01)
    assert fit.fits is False


def test_sliding_window_caps_tokens():
    arch = GPT_OSS_120B.architecture
    short = kv_cache_bytes(arch, 128)
    long = kv_cache_bytes(arch, 8192)
    full_per_token = 2 * 18 * 8 * 64 * 2
    sliding_at_window = 2 * 18 * 8 * 64 * 2 * 128
    assert long - short == full_per_token * (8192 - 128)
    assert short == full_per_token * 128 + sliding_at_window


def test_linear_attention_layers_store_no_cache():
    from tests.factories import open_model

    hybrid = open_model("hybrid", total_b=80, active_b=3, layers=48, heads=16, kv_heads=2, head_dim=256,
                        linear_layers=36)
    assert kv_bytes_per_token(hybrid.architecture) == 2 * 12 * 2 * 256 * 2


def test_mla_stores_latent_and_rope_key():
    assert kv_bytes_per_token(DEEPSEEK_V3.architecture, "fp16") == 61 * (512 + 64) * 2


def test_concurrency_multiplies_kv_cache():
    one = kv_cache_bytes(QWEN25_7B.architecture, 4096, 1)
    assert kv_cache_bytes(QWEN25_7B.architecture, 4096, 8) == 8 * one


def test_tensor_parallel_needs_heads_to_divide():
    three = Device("L4", memory_gb=24, bandwidth_gb_s=300, count=3)
    fit = estimate_fit(QWEN25_7B, three, context_tokens=4096)
    assert fit.parallelism == "pipeline"
    assert fit.parallelism_note
    two = Device("L4", memory_gb=24, bandwidth_gb_s=300, count=2)
    assert estimate_fit(QWEN25_7B, two, context_tokens=4096).parallelism == "tensor"


def test_best_fit_picks_highest_quality_that_fits():
    card = Device("RTX 4090", memory_gb=24, bandwidth_gb_s=1008)
    fit = best_fit(QWEN25_7B, card, context_tokens=8192)
    assert fit.precision == "native"
    small = Device("8 GB", memory_gb=8, bandwidth_gb_s=448)
    fit = best_fit(QWEN25_7B, small, context_tokens=8192)
    assert fit.fits is True
    # Q6_K: 6.26 GB weights + 0.47 GB KV + 1.31 GB overhead = 8.04 GB, just over 8.
    assert fit.precision == "Q5_K_M"


def test_unknown_precision_rejected():
    from llmpick.errors import InputError

    with pytest.raises(InputError, match="unknown precision 'q4'"):
        estimate_fit(QWEN25_7B, H100, context_tokens=8192, precision="q4")


def test_decode_speed_bounded_by_bandwidth():
    fit = estimate_fit(QWEN25_7B, H100, context_tokens=1, precision="bf16")
    expected = 0.6 * 3350 / (7.62 * 2 + 57344 / 1e9)
    assert fit.decode_tokens_per_s == pytest.approx(expected)


def test_capacity_prefill_compute_bound_by_hand():
    from llmpick.estimator import capacity_for_load

    card = Device("Test 80 GB", memory_gb=80, bandwidth_gb_s=3000, tflops_bf16=100)
    fit = estimate_fit(LLAMA31_8B, card, context_tokens=420, precision="bf16")
    capacity = capacity_for_load(LLAMA31_8B, fit, card, requests_per_s=20, input_tokens=400, output_tokens=20)
    # Compute: 0.4 x 100e12 FLOP/s / (2 x 8.03e9 FLOP per token) = 2,491 tokens/s;
    # each request is 420 tokens, so 5.93 requests/s per replica, and 20 need 4 replicas.
    assert capacity.bound == "compute"
    assert capacity.requests_per_s_per_replica == pytest.approx(0.4 * 100e12 / (2 * 8.03e9) / 420)
    assert capacity.replicas == 4
    assert capacity.compute_checked is True


def test_capacity_decode_memory_bound_without_compute_figure():
    from llmpick.estimator import capacity_for_load

    card = Device("Test 24 GB", memory_gb=24, bandwidth_gb_s=1000)
    fit = estimate_fit(QWEN25_7B, card, context_tokens=32768, precision="bf16")
    capacity = capacity_for_load(QWEN25_7B, fit, card, requests_per_s=1, input_tokens=3000, output_tokens=1096)
    # Streams are sized at the 4,096-token request, not at the 32,768 tokens the fit was checked at:
    # free memory 24 - 15.24 weights - 1.762 overhead = 6.998 GB over 57,344 x 4,096 bytes = 29 streams.
    assert capacity.streams_per_replica == 29
    decode = 29 * 0.6 * 1000e9 / (7.62 * 2 * 1e9 + 29 * 57344 * 4096)
    assert capacity.bound == "memory"
    assert capacity.compute_checked is False
    assert capacity.requests_per_s_per_replica == pytest.approx(decode / 1096)
