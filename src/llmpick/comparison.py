"""Domain steps of `compare`, `cost` and `license`: they reuse the engine, never re-derive it.

Scores, costs and fits come from `engine.recommend` restricted to the named models,
so a model scores the same in `compare`, `cost` and `recommend`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from llmpick.catalog.index import CatalogIndex
from llmpick.catalog.schema import Model
from llmpick.costing import DAYS_PER_MONTH
from llmpick.engine import Candidate, recommend
from llmpick.errors import InputError
from llmpick.estimator import kv_bytes_per_token
from llmpick.i18n import _
from llmpick.licensing import evaluate_license
from llmpick.requirements import CRITERIA, Requirements
from llmpick.serialize import candidate_dict, exclusion_dict, model_summary, rate_dicts


def _offering_rows(model: Model) -> list[dict[str, Any]]:
    return [
        {"provider": item.provider, "region": item.region, "currency": item.currency, "input": item.input,
         "cached_input": item.cached_input, "output": item.output, "as_of": item.as_of.isoformat(),
         "source": item.source}
        for item in model.offerings
    ]


def model_facts(model: Model, index: CatalogIndex) -> dict[str, Any]:
    facts = model_summary(model, index)
    terms = index.licenses[model.license]
    facts["license_name"] = terms.name
    facts["commercial_use"] = terms.commercial_use
    facts["mau_limit"] = terms.mau_limit
    facts["offerings"] = _offering_rows(model)
    facts["benchmarks"] = {item.name: item.value for item in model.benchmarks}
    caps = model.capabilities
    facts["capabilities"] = (
        {name: getattr(caps, name) for name in ("tool_calling", "structured_output", "vision", "reasoning")}
        if caps else {}
    )
    arch = model.architecture
    if arch is not None:
        facts["architecture"] = {
            "layers": arch.layers, "attention_heads": arch.attention_heads, "kv_heads": arch.kv_heads,
            "head_dim": arch.head_dim, "native_dtype": arch.native_dtype,
            "experts": arch.experts.model_dump() if arch.experts else None,
            "kv_bytes_per_token_fp16": kv_bytes_per_token(arch, "fp16"),
        }
    return facts


def _best_per_model(candidates: tuple[Candidate, ...]) -> dict[str, Candidate]:
    best: dict[str, Candidate] = {}
    for candidate in candidates:  # already ranked best first
        best.setdefault(candidate.model.id, candidate)
    return best


def compare_models(
    model_ids: list[str], index: CatalogIndex, requirements: Requirements | None, *, today: dt.date
) -> dict[str, Any]:
    """Facts of each model and, under requirements, each model's best candidate and the winners."""
    models = [index.model(model_id) for model_id in model_ids]
    if len({model.id for model in models}) != len(models):
        raise InputError(_("compare: each model id may appear only once."))
    data: dict[str, Any] = {"models": [model_facts(model, index) for model in models]}
    if requirements is None:
        return data

    # Rank the whole catalog, as `recommend` does, so the cost and task scores are relative to
    # the same candidates and a model scores the same in both commands.
    result = recommend(requirements, index, today=today, with_sensitivity=False)
    wanted = {model.id for model in models}
    best = {model_id: candidate for model_id, candidate in _best_per_model(result.ranking).items() if model_id in wanted}
    data["requirements"] = requirements.name or requirements.extends or ""
    data["requirements_zh"] = requirements.name_zh or data["requirements"]
    data["currency"] = requirements.currency
    data["days_per_month"] = DAYS_PER_MONTH
    data["candidates"] = {
        model.id: (candidate_dict(best[model.id], 0) if model.id in best else None) for model in models
    }
    winners: dict[str, list[str]] = {}
    for name in (*CRITERIA, "overall"):
        scored = []
        for model_id, candidate in best.items():
            value = candidate.score if name == "overall" else candidate.criteria[name].score
            if value is not None:
                scored.append((value, model_id))
        if scored:
            top = max(value for value, _model in scored)
            winners[name] = sorted(model_id for value, model_id in scored if abs(value - top) < 1e-9)
    data["winners"] = winners
    deal_breakers: dict[str, list[str]] = {}
    for exclusion in result.excluded:
        if exclusion.model.id in wanted and exclusion.model.id not in best:
            deal_breakers.setdefault(exclusion.model.id, []).extend(
                f"{exclusion.deployment}: {reason}" for reason in exclusion.reasons
            )
    data["deal_breakers"] = deal_breakers
    data["duties"] = {model_id: list(candidate.duties) for model_id, candidate in best.items()}
    return data


def cost_options(model_id: str, index: CatalogIndex, requirements: Requirements, *, today: dt.date) -> dict[str, Any]:
    """List every way to run one model with its monthly cost; a hard budget marks options instead of hiding them."""
    model = index.model(model_id)
    budget = requirements.budget
    update: dict[str, Any] = {"deployment": requirements.deployment.model_copy(update={"mode": "either"})}
    if budget is not None and budget.hard:
        update["budget"] = budget.model_copy(update={"hard": False})
    relaxed = requirements.model_copy(update=update)
    result = recommend(relaxed, index, today=today, models=[model], with_sensitivity=False)
    options = []
    for candidate in sorted(result.ranking, key=lambda item: (
        item.cost.monthly.amount if item.cost.monthly else float("inf"), item.deployment.id
    )):
        item = candidate_dict(candidate, 0)
        over = bool(budget and budget.monthly and candidate.cost.monthly and candidate.cost.monthly.amount > budget.monthly)
        options.append({
            "deployment": item["deployment"],
            "deployment_detail": item["deployment_detail"],
            "monthly_cost": item["monthly_cost"],
            "cost_per_1000_requests": item["cost_per_1000_requests"],
            "basis": item["cost_basis"],
            "over_budget": over,
            "break_even_requests_per_day": item.get("break_even_requests_per_day"),
        })
    return {
        "model": model.id,
        "currency": requirements.currency,
        "days_per_month": DAYS_PER_MONTH,
        "traffic": requirements.traffic.model_dump(mode="json"),
        "budget": budget.model_dump(mode="json") if budget else None,
        "options": options,
        "excluded": [exclusion_dict(item) for item in result.excluded],
        "exchange_rates": rate_dicts(result.rates),
    }


def license_report(model_id: str, index: CatalogIndex, requirements: Requirements | None) -> dict[str, Any]:
    """Return the license terms of one model and the verdict under `requirements` (default: commercial use)."""
    model = index.model(model_id)
    terms = index.licenses[model.license]
    if requirements is None:
        requirements = Requirements.model_validate(
            {"tasks": {"qa": 1}, "traffic": {"requests_per_day": 1, "input_tokens": 1, "output_tokens": 1}}
        )
    verdict = evaluate_license(terms, model, requirements)
    return {
        "model": model.id,
        "license": terms.id,
        "license_name": terms.name,
        "spdx": terms.spdx,
        "allowed": verdict.allowed,
        "verified": verdict.verified,
        "violations": list(verdict.violations),
        "duties": list(verdict.duties),
        "unknowns": list(verdict.unknowns),
        "terms": terms.model_dump(mode="json", exclude_none=True),
    }
