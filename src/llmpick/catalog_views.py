"""Listings of catalog tables for the `gpus` and `tasks` commands."""

from __future__ import annotations

from typing import Any

from llmpick.catalog.index import CatalogIndex


def gpu_items(index: CatalogIndex) -> list[dict[str, Any]]:
    items = []
    for gpu in sorted(index.catalog.gpus, key=lambda item: (item.kind, item.memory_gb, item.id)):
        cheapest = min(gpu.rental, key=lambda offer: (offer.currency, offer.price_per_hour / offer.gpu_count), default=None)
        items.append({
            "id": gpu.id,
            "name": gpu.name,
            "vendor": gpu.vendor,
            "kind": gpu.kind,
            "memory_gb": gpu.memory_gb,
            "bandwidth_gb_s": gpu.bandwidth_gb_s,
            "tflops_bf16": gpu.tflops_bf16,
            "rental_per_hour": (
                {"amount": round(cheapest.price_per_hour / cheapest.gpu_count, 4), "currency": cheapest.currency,
                 "provider": cheapest.provider, "as_of": cheapest.as_of.isoformat()}
                if cheapest else None
            ),
            "source": gpu.source,
            "as_of": gpu.as_of.isoformat(),
        })
    return items


def task_items(index: CatalogIndex) -> list[dict[str, Any]]:
    return [
        {"id": task.id, "name": task.name, "name_zh": task.name_zh, "benchmarks": dict(task.benchmarks),
         "capabilities": list(task.capabilities), "min_context_tokens": task.min_context_tokens}
        for task in index.catalog.tasks
    ]
