"""Plain data (dicts, lists, numbers, strings) from engine results.

The JSON output is this data as-is, and the Markdown templates render from it, so
the two formats never disagree. Key names are part of the documented JSON interface.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from llmpick.catalog.index import CatalogIndex
from llmpick.catalog.schema import Model
from llmpick.costing import DAYS_PER_MONTH
from llmpick.engine import Candidate, Exclusion, Recommendation
from llmpick.estimator import FitEstimate
from llmpick.requirements import CRITERIA


def money(value) -> dict[str, Any] | None:
    return value.as_dict() if value is not None else None


def fit_dict(fit: FitEstimate) -> dict[str, Any]:
    data = asdict(fit)
    for key in ("weights_gb", "kv_cache_gb", "overhead_gb", "total_gb", "available_gb"):
        data[key] = round(data[key], 3)
    data["headroom_gb"] = round(fit.headroom_gb, 3)
    data["decode_tokens_per_s"] = round(fit.decode_tokens_per_s, 1)
    data["units"] = "GB (10^9 bytes)"
    return data


def rate_dicts(rates) -> list[dict[str, Any]]:
    return [
        {"base": rate.base, "quote": rate.quote, "rate": rate.rate,
         "as_of": rate.as_of.isoformat() if rate.as_of else None, "source": rate.source}
        for rate in rates
    ]


def candidate_dict(candidate: Candidate, rank: int) -> dict[str, Any]:
    deployment = candidate.deployment
    data: dict[str, Any] = {
        "rank": rank,
        "model": candidate.model.id,
        "name": candidate.model.name,
        "vendor": candidate.model.vendor,
        "deployment": deployment.id,
        "deployment_detail": {
            "kind": deployment.kind,
            "provider": deployment.provider,
            "region": deployment.region,
            "gpu": deployment.gpu_id,
            "gpu_count": deployment.gpu_count or None,
            "replicas": deployment.replicas or None,
            "precision": deployment.precision,
        },
        "score": round(candidate.score, 4),
        "confidence": candidate.confidence,
        "scores": {name: candidate.criteria[name].score for name in CRITERIA},
        "criteria": {
            name: {
                "score": candidate.criteria[name].score,
                "confidence": candidate.criteria[name].confidence,
                "evidence": list(candidate.criteria[name].evidence),
                "missing": list(candidate.criteria[name].missing),
            }
            for name in CRITERIA
        },
        "monthly_cost": money(candidate.cost.monthly),
        "cost_per_1000_requests": money(candidate.cost.per_1000_requests),
        "cost_basis": list(candidate.cost.basis),
        "license": candidate.license.license_id,
        "duties": list(candidate.duties),
        "unreviewed": candidate.model.unreviewed,
    }
    if candidate.cost.break_even_requests_per_day is not None:
        data["break_even_requests_per_day"] = round(candidate.cost.break_even_requests_per_day)
    if candidate.fit is not None:
        data["fit"] = fit_dict(candidate.fit)
    return data


def exclusion_dict(exclusion: Exclusion) -> dict[str, Any]:
    return {"model": exclusion.model.id, "deployment": exclusion.deployment, "reasons": list(exclusion.reasons)}


def recommendation_dict(result: Recommendation, top: int | None = None) -> dict[str, Any]:
    ranking = result.ranking if top is None else result.ranking[:top]
    sensitivity = None
    if result.sensitivity is not None:
        sensitivity = asdict(result.sensitivity)
    oldest = result.oldest_source
    return {
        "requirements": result.requirements.model_dump(mode="json", exclude_none=True),
        "assumptions": {**result.assumptions, "days_per_month": DAYS_PER_MONTH},
        "exchange_rates": rate_dicts(result.rates),
        "ranking": [candidate_dict(candidate, position) for position, candidate in enumerate(ranking, start=1)],
        "candidates_ranked": len(result.ranking),
        "excluded": [exclusion_dict(item) for item in result.excluded],
        "sensitivity": sensitivity,
        "oldest_source": (
            {"fact": oldest.fact, "source": oldest.source, "as_of": oldest.as_of.isoformat()} if oldest else None
        ),
        "generated_on": result.today.isoformat(),
    }


def model_summary(model: Model, index: CatalogIndex, origin: str | None = None) -> dict[str, Any]:
    vendor = index.vendors.get(model.vendor)
    data: dict[str, Any] = {
        "id": model.id,
        "name": model.name,
        "vendor": model.vendor,
        "vendor_name": vendor.name if vendor else model.vendor,
        "vendor_country": vendor.country if vendor else None,
        "weights": model.weights,
        "license": model.license,
        "released": model.released.isoformat() if model.released else None,
        "total_params_b": model.params.total_b if model.params else None,
        "active_params_b": model.params.active_b if model.params else None,
        "context_tokens": model.context.max_tokens if model.context else None,
        "languages": model.languages.declared if model.languages else [],
        "providers": sorted({offering.provider for offering in model.offerings}),
        "deprecated": model.deprecated.date.isoformat() if model.deprecated else None,
        "unreviewed": model.unreviewed,
    }
    if origin is not None:
        data["origin"] = origin
        data["sources"] = {
            name: {"source": block.source, "as_of": block.as_of.isoformat()}
            for name in ("params", "context", "languages", "capabilities", "architecture", "gguf", "hub")
            if (block := getattr(model, name, None)) is not None
        }
    return data
