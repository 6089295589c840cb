"""The `fit` command's domain step: resolve the model and device, then call the estimator."""

from __future__ import annotations

from llmpick.catalog.index import CatalogIndex
from llmpick.errors import InputError
from llmpick.estimator import KV_DTYPE_BYTES, Device, FitEstimate, best_fit, check_precision, estimate_fit
from llmpick.i18n import _


def run_fit(
    index: CatalogIndex, model_id: str, gpu_id: str, *, gpu_count: int, context: int, concurrency: int,
    precision: str, used_gb: float, kv_dtype: str,
) -> FitEstimate:
    if gpu_count <= 0:
        raise InputError(_("--gpu-count must be at least 1, got {value}.").format(value=gpu_count))
    if context <= 0:
        raise InputError(_("--context must be a positive number of tokens, got {value}.").format(value=context))
    if concurrency <= 0:
        raise InputError(_("--concurrency must be at least 1, got {value}.").format(value=concurrency))
    if used_gb < 0:
        raise InputError(_("--used-gb cannot be negative, got {value}.").format(value=used_gb))
    if kv_dtype not in KV_DTYPE_BYTES:
        raise InputError(_("--kv-dtype: unknown type '{value}'; valid choices: {choices}.").format(
            value=kv_dtype, choices=", ".join(KV_DTYPE_BYTES)))
    model = index.model(model_id)
    window = model.context.max_tokens if model.context else None
    if window is not None and context > window:
        raise InputError(_("--context {value} exceeds the context window of {model}, {window} tokens.").format(
            value=context, model=model.id, window=window))
    if gpu_id == "auto":
        from llmpick.devices import detect

        gpu, reading, detected_count = detect(index.catalog.gpus)
        # The driver's reading of total memory is more exact than the datasheet figure.
        device = Device(
            name=reading.name, memory_gb=reading.memory_gb, bandwidth_gb_s=gpu.bandwidth_gb_s,
            count=detected_count, used_gb=max(used_gb, reading.used_gb), tflops_bf16=gpu.tflops_bf16, kind=gpu.kind,
        )
    else:
        device = Device.from_gpu(index.gpu(gpu_id), count=gpu_count, used_gb=used_gb)
    if used_gb >= device.memory_gb and gpu_id != "auto":
        raise InputError(_("--used-gb {value} is not below the card's {memory} GB; give the memory already taken on one card.").format(
            value=used_gb, memory=device.memory_gb))
    if precision == "auto":
        return best_fit(model, device, context_tokens=context, concurrency=concurrency, kv_dtype=kv_dtype)
    check_precision(precision)
    return estimate_fit(model, device, context_tokens=context, concurrency=concurrency, precision=precision, kv_dtype=kv_dtype)
