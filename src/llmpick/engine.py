"""Candidates, hard constraints, criterion scores, ranking and sensitivity.

Pure: it reads no files, no clock and no terminal. The caller passes the catalog,
the requirements and today's date, and gets frozen results back.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from llmpick.catalog.index import CatalogIndex
from llmpick.catalog.schema import Gpu, Model, Offering
from llmpick.costing import (
    DAYS_PER_MONTH,
    HOURS_PER_MONTH,
    HostingCost,
    Money,
    Rates,
    api_cost,
    break_even_requests_per_day,
    hosting_cost,
    model_traffic,
    peak_requests_per_s,
    per_thousand_requests,
    tokenizer_rate,
)
from llmpick.errors import InputError
from llmpick.estimator import (
    MIN_AUTO_QUALITY,
    Capacity,
    Device,
    FitEstimate,
    best_fit,
    capacity_for_load,
    estimate_fit,
    quality_factor,
)
from llmpick.evidence import BenchmarkTable, CriterionResult, language_score, language_support, task_scores
from llmpick.i18n import N_, _
from llmpick.licensing import LicenseVerdict, evaluate_license
from llmpick.requirements import CRITERIA, Requirements, Traffic
from llmpick.validation import suggest

# Cost score: 1 at the reference cost, falling by 1/3 per tenfold price, 0 at 1000x.
COST_DECADES = 3.0
# Monthly costs below this share of the budget count as equal, and a free candidate counts
# as costing what the cheapest paid one costs: otherwise one free model would make every
# other candidate look hundreds of times too expensive.
NEGLIGIBLE_COST_SHARE = 0.01
# Single-stream decode speed that reads as fluent to a person, in tokens per second.
COMFORTABLE_TOKENS_PER_S = 30.0
# GPU counts tried when llmpick chooses rentable hardware itself.
AUTO_GPU_COUNTS = (1, 2, 4, 8)
SENSITIVITY_SAMPLES = 400
SENSITIVITY_SPREAD = 0.5
STALE_DAYS = 90
BOUND_LABELS = {"memory": N_("memory bandwidth"), "compute": N_("compute")}


@dataclass(frozen=True)
class DeploymentOption:
    kind: str
    """`api` or `self_hosted`."""
    provider: str | None = None
    region: str | None = None
    gpu_id: str | None = None
    gpu_count: int = 0
    precision: str | None = None
    replicas: int = 0
    chosen_by_llmpick: bool = False

    @property
    def id(self) -> str:
        """`api:PROVIDER@REGION`, or `self_hosted:CARDSxGPU@PRECISION` with `*REPLICAS` when one set is not enough."""
        if self.kind == "api":
            return f"api:{self.provider}@{self.region}"
        replicas = f"*{self.replicas}" if self.replicas > 1 else ""
        return f"self_hosted:{self.gpu_count}x{self.gpu_id}{replicas}@{self.precision}"


@dataclass(frozen=True)
class CostResult:
    monthly: Money | None
    per_1000_requests: Money | None
    native: Money | None
    """The figure in the price's own currency, before conversion."""
    basis: tuple[str, ...]
    break_even_requests_per_day: float | None = None


@dataclass(frozen=True)
class SourceRef:
    fact: str
    source: str
    as_of: dt.date | None


@dataclass(frozen=True)
class Candidate:
    model: Model
    deployment: DeploymentOption
    cost: CostResult
    license: LicenseVerdict
    criteria: dict[str, CriterionResult]
    score: float
    confidence: float
    fit: FitEstimate | None = None
    capacity: Capacity | None = None
    duties: tuple[str, ...] = ()
    sources: tuple[SourceRef, ...] = ()

    @property
    def key(self) -> tuple[str, str]:
        return (self.model.id, self.deployment.id)


@dataclass(frozen=True)
class Exclusion:
    model: Model
    deployment: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Sensitivity:
    samples: int
    spread: float
    top_stays_first: float
    """Share of perturbed weight sets under which the top candidate stays first."""
    smallest_shift: float | None
    """Smallest weight moved from one criterion to another that changes the top pick."""
    shift_from: str | None = None
    shift_to: str | None = None
    new_top: str | None = None


@dataclass(frozen=True)
class Recommendation:
    requirements: Requirements
    ranking: tuple[Candidate, ...]
    excluded: tuple[Exclusion, ...]
    rates: tuple
    assumptions: dict[str, str]
    sensitivity: Sensitivity | None
    today: dt.date
    sources: tuple[SourceRef, ...] = field(default_factory=tuple)

    @property
    def oldest_source(self) -> SourceRef | None:
        dated = [item for item in self.sources if item.as_of is not None]
        return min(dated, key=lambda item: (item.as_of, item.fact)) if dated else None

    def stale_sources(self) -> list[SourceRef]:
        limit = self.today - dt.timedelta(days=STALE_DAYS)
        return sorted(
            (item for item in self.sources if item.as_of is not None and item.as_of < limit),
            key=lambda item: (item.as_of, item.fact),
        )


def region_matches(required: str | None, offered: str) -> bool:
    if required is None or required == offered:
        return True
    # An "international" endpoint is hosted outside mainland China, so it serves a requirement
    # for international or US hosting, but not one for EU data residency.
    if required == "international":
        return offered in ("us", "eu")
    if required == "us":
        return offered == "international"
    return False


def check_requirements(requirements: Requirements, index: CatalogIndex) -> None:
    """Reject catalog ids in the requirements that the catalog lacks, and impossible GPU readings."""
    for task_id in requirements.tasks:
        if task_id not in index.tasks:
            guess = suggest(task_id, index.tasks)
            hint = _(" (did you mean '{guess}'?)").format(guess=guess) if guess else ""
            raise InputError(
                _("tasks: unknown task '{task}'{hint}; valid tasks: {choices}.").format(
                    task=task_id, hint=hint, choices=", ".join(sorted(index.tasks))
                )
            )
    for position, gpu_set in enumerate(requirements.hardware.gpus):
        try:
            gpu = index.gpu(gpu_set.id)
        except InputError as exc:
            raise InputError(f"hardware.gpus[{position}].id: {exc.message}") from None
        if gpu_set.used_gb >= gpu.memory_gb:
            raise InputError(
                _("hardware.gpus[{position}].used_gb: {used} GB in use leaves nothing free on a {memory} GB {gpu}; "
                  "give the memory already taken per card.").format(
                    position=position, used=f"{gpu_set.used_gb:g}", memory=f"{gpu.memory_gb:g}", gpu=gpu.name
                )
            )
    for provider in requirements.deployment.providers or []:
        if provider not in index.providers:
            raise InputError(
                _("deployment.providers: unknown provider '{id}'; valid ids: {choices}.").format(
                    id=provider, choices=", ".join(sorted(index.providers))
                )
            )


def _model_exclusions(model: Model, requirements: Requirements, index: CatalogIndex, today: dt.date) -> list[str]:
    """Reasons that rule out a model whatever way it runs."""
    reasons: list[str] = []
    for code in requirements.languages.required:
        if language_support(model, code, index) is False:
            reasons.append(
                _("required language '{code}' is not among the languages the vendor declares").format(code=code)
            )
    need = requirements.context.min_tokens
    if need:
        window = model.context.max_tokens if model.context else None
        if window is None:
            reasons.append(_("context window unknown; {need} tokens required").format(need=need))
        elif window < need:
            reasons.append(_("context window {window} tokens is below the required {need}").format(window=window, need=need))
    if model.deprecated and model.deprecated.scope == "model" and model.deprecated.date <= today:
        reasons.append(_("retired on {date}").format(date=model.deprecated.date))
    if requirements.deployment.public_service_cn and model.cn_genai_filing and model.cn_genai_filing.status == "not_filed":
        reasons.append(_("no completed generative AI service filing (生成式人工智能服务备案) for a public service in mainland China"))
    return reasons


def _api_exclusions(offering: Offering, requirements: Requirements, index: CatalogIndex) -> list[str]:
    reasons: list[str] = []
    deployment = requirements.deployment
    provider = index.providers[offering.provider]
    if deployment.providers is not None and offering.provider not in deployment.providers:
        reasons.append(_("provider {provider} is not in deployment.providers").format(provider=offering.provider))
    if not region_matches(deployment.region, offering.region):
        reasons.append(
            _("offered in {offered}, but deployment.region is {required}").format(
                offered=offering.region, required=deployment.region
            )
        )
    if (deployment.users_in == "cn-mainland" or deployment.public_service_cn) and not provider.serves_mainland_china:
        reasons.append(_("provider {provider} does not serve mainland China").format(provider=provider.name))
    return reasons


def _cost_reference(costs: list[float], requirements: Requirements) -> float | None:
    """Return the cost that scores 1: the cheapest paid candidate, or 1% of the budget when that is more."""
    paid = [cost for cost in costs if cost > 0]
    budget = requirements.budget
    floor = NEGLIGIBLE_COST_SHARE * budget.monthly if budget and budget.monthly else 0.0
    if not paid:
        return floor or None
    return max(min(paid), floor)


def _cost_score(monthly: float | None, reference: float | None, requirements: Requirements) -> CriterionResult:
    currency = requirements.currency
    if monthly is None:
        return CriterionResult(0.5, 0.0, (_("price unknown: neutral 0.5"),), (_("price"),))
    ratio = max(monthly, reference) / reference if reference else 1.0
    score = max(0.0, 1.0 - math.log10(ratio) / COST_DECADES)
    evidence = [
        _("{amount} {currency}/month, {ratio}x the reference of {reference} {currency}").format(
            amount=f"{monthly:,.2f}", currency=currency, ratio=f"{ratio:.1f}", reference=f"{reference or 0:,.2f}"
        )
    ]
    budget = requirements.budget
    if budget and budget.monthly and not budget.hard and monthly > budget.monthly:
        score *= budget.monthly / monthly
        evidence.append(
            _("over the {budget} {currency} target: score scaled by {factor}").format(
                budget=f"{budget.monthly:,.0f}", currency=currency, factor=f"{budget.monthly / monthly:.2f}"
            )
        )
    return CriterionResult(round(score, 4), 1.0, tuple(evidence))


def _hardware_score(fit: FitEstimate) -> CriterionResult:
    speed = min(1.0, fit.decode_tokens_per_s / COMFORTABLE_TOKENS_PER_S)
    headroom = min(1.0, max(0.0, fit.headroom_gb) / (0.2 * fit.available_gb)) if fit.available_gb else 0.0
    score = 0.6 * speed + 0.4 * headroom
    evidence = (
        _("{total} GB needed of {available} GB free ({precision}, {context} tokens context)").format(
            total=f"{fit.total_gb:.1f}", available=f"{fit.available_gb:.1f}", precision=fit.precision,
            context=fit.context_tokens,
        ),
        _("about {speed} tokens/s single-stream decode (estimate at {efficiency} of memory bandwidth)").format(
            speed=f"{fit.decode_tokens_per_s:.0f}", efficiency=fit.assumptions["bandwidth_efficiency"]
        ),
    )
    return CriterionResult(round(score, 4), 0.7, evidence)


def _gpu_options(requirements: Requirements, index: CatalogIndex) -> list[tuple[Gpu, int, float, bool]]:
    """GPU sets to try: the requirement's, or every rentable GPU with a known compute figure at 1, 2, 4 and 8 cards."""
    if requirements.hardware.gpus:
        return [(index.gpu(item.id), item.count, item.used_gb, False) for item in requirements.hardware.gpus]
    options = []
    for gpu in index.catalog.gpus:
        # Without a compute figure the prefill capacity cannot be checked, so such a GPU
        # would look able to carry any load. llmpick only picks GPUs it can check.
        if gpu.rental and gpu.kind == "gpu" and gpu.tflops_bf16:
            options.extend((gpu, count, 0.0, True) for count in AUTO_GPU_COUNTS)
    return options


def _self_hosted(
    model: Model, requirements: Requirements, traffic: Traffic, index: CatalogIndex, rates: Rates
) -> tuple[list[tuple[DeploymentOption, FitEstimate, Capacity, HostingCost]], list[tuple[str, tuple[str, ...]]]]:
    """Fitting GPU options for `model` (the cheapest one when llmpick chose the GPUs) and misfits."""
    hardware = requirements.hardware
    fitted = []
    misfits = []
    # Throughput estimates assume full use of the hardware; utilization scales them down.
    needed = peak_requests_per_s(traffic) / hardware.utilization
    settled: set[str] = set()
    for gpu, count, used_gb, auto in _gpu_options(requirements, index):
        if gpu.id in settled:
            continue  # A smaller set of this GPU already runs the model at good quality.
        device = Device.from_gpu(gpu, count=count, used_gb=used_gb)
        if hardware.precision == "auto":
            fit = best_fit(model, device, context_tokens=requirements.context_tokens, kv_dtype=hardware.kv_cache_dtype)
        else:
            fit = estimate_fit(
                model, device, context_tokens=requirements.context_tokens, precision=hardware.precision,
                kv_dtype=hardware.kv_cache_dtype,
            )
        label = f"self_hosted:{count}x{gpu.id}"
        if not fit.fits:
            if not auto:
                misfits.append((label, (
                    _("does not fit: needs {total} GB at {precision}, {available} GB free").format(
                        total=f"{fit.total_gb:.1f}", precision=fit.precision, available=f"{fit.available_gb:.1f}"
                    ),
                )))
            continue
        capacity = capacity_for_load(
            model, fit, device, requests_per_s=needed, input_tokens=traffic.input_tokens,
            output_tokens=traffic.output_tokens,
        )
        cost = hosting_cost(
            gpu, count * capacity.replicas, ownership=hardware.ownership, currency=requirements.currency,
            rates=rates, region=requirements.deployment.region, amortization_months=hardware.amortization_months,
            electricity_price_per_kwh=hardware.electricity_price_per_kwh,
        )
        option = DeploymentOption(
            kind="self_hosted", gpu_id=gpu.id, gpu_count=count, precision=fit.precision,
            replicas=capacity.replicas, chosen_by_llmpick=auto,
        )
        fitted.append((option, fit, capacity, cost))
        native = model.architecture.native_dtype  # type: ignore[union-attr]
        if auto and quality_factor(fit.precision, native) >= MIN_AUTO_QUALITY:
            settled.add(gpu.id)
    if fitted and fitted[0][0].chosen_by_llmpick:
        # The cheapest priced set that keeps quality at Q4_K_M or better, when one exists.
        native = model.architecture.native_dtype  # type: ignore[union-attr]
        priced = [item for item in fitted if item[3].monthly is not None] or fitted
        good = [item for item in priced if quality_factor(item[1].precision, native) >= MIN_AUTO_QUALITY]
        best = min(good or priced, key=lambda item: (item[3].monthly.amount if item[3].monthly else 0.0, item[0].id))
        return [best], []
    if not fitted and not misfits:
        misfits.append(("self_hosted", (_("fits no rentable GPU set of up to 8 cards in the catalog"),)))
    return fitted, misfits


def _model_sources(model: Model, index: CatalogIndex) -> list[SourceRef]:
    refs = []
    terms = index.licenses[model.license]
    refs.append(SourceRef(_("{license} license text").format(license=terms.id), terms.source, terms.as_of))
    blocks = (
        (_("{model} parameters"), model.params),
        (_("{model} context window"), model.context),
        (_("{model} languages"), model.languages),
        (_("{model} architecture"), model.architecture),
    )
    for label, block in blocks:
        if block is not None:
            refs.append(SourceRef(label.format(model=model.id), block.source, block.as_of))
    for benchmark in model.benchmarks:
        refs.append(SourceRef(f"{model.id} {benchmark.name}", benchmark.source, benchmark.as_of))
    return refs


def weighted_score(scores: Sequence[float | None], weights: Sequence[float], digits: int = 6) -> float:
    """Average the applicable scores (not None, weight above 0) by weight, rounded so that ties compare equal."""
    total = value = 0.0
    for weight, score in zip(weights, scores, strict=True):
        if score is not None and weight > 0:
            total += weight
            value += weight * score
    return round(value / total, digits) if total else 0.0


def combine(criteria: dict[str, CriterionResult], weights: dict[str, float]) -> tuple[float, float]:
    """Return the weighted mean of the applicable criteria, and the weighted mean confidence."""
    results = [criteria.get(name) for name in CRITERIA]
    ordered = [weights[name] for name in CRITERIA]
    scores = [result.score if result else None for result in results]
    confidences = [result.confidence if result and result.score is not None else None for result in results]
    return weighted_score(scores, ordered), weighted_score(confidences, ordered, digits=4)


def rank_key(candidate: Candidate) -> tuple[float, str, str]:
    return (-candidate.score, candidate.model.id, candidate.deployment.id)


def recommend(
    requirements: Requirements,
    index: CatalogIndex,
    *,
    today: dt.date,
    models: list[Model] | None = None,
    with_sensitivity: bool = True,
) -> Recommendation:
    """Rank every candidate in the catalog (or in `models`) against `requirements`."""
    check_requirements(requirements, index)
    rates = Rates(index.catalog.exchange_rates, requirements.exchange_rates)
    table = BenchmarkTable(index.catalog.models)
    pool = sorted(models if models is not None else index.catalog.models, key=lambda model: model.id)
    mode = requirements.deployment.mode
    currency = requirements.currency
    weights = requirements.weights.as_dict()
    known_rates = [model.chinese_tokens_per_1k_chars for model in index.catalog.models if model.chinese_tokens_per_1k_chars]

    drafts: list[dict] = []
    excluded: list[Exclusion] = []
    for model in pool:
        model_reasons = _model_exclusions(model, requirements, index, today)
        verdict = evaluate_license(index.licenses[model.license], model, requirements)
        if verdict.violations:
            model_reasons.extend(verdict.violations)
        if model_reasons:
            excluded.append(Exclusion(model, "*", tuple(model_reasons)))
            continue
        language = language_score(model, requirements.languages.required, requirements.languages.preferred, index, table)
        duties = list(verdict.duties)
        if model.deprecated and model.deprecated.scope == "api" and model.deprecated.date <= today:
            duties.append(
                _("the vendor's hosted API for this model retired on {date}; the published weights remain").format(
                    date=model.deprecated.date
                )
            )
        elif model.deprecated and model.deprecated.scope == "api":
            duties.append(_("the vendor retires its hosted API for this model on {date}").format(date=model.deprecated.date))
        elif model.deprecated:
            duties.append(_("the vendor retires this model on {date}").format(date=model.deprecated.date))
        if requirements.deployment.public_service_cn and model.cn_genai_filing is None:
            duties.append(_("generative AI service filing status unknown: verify before a public launch in mainland China"))
        for code in requirements.languages.required:
            if language_support(model, code, index) is None:
                duties.append(
                    _("support for required language '{code}' is not documented by the vendor: test it first").format(
                        code=code
                    )
                )
        if model.unreviewed:
            duties.append(_("unreviewed entry added from the Hub: check its license and prices"))
        base_sources = _model_sources(model, index)
        traffic = requirements.traffic
        token_notes: tuple[str, ...] = ()
        if traffic.chinese_input_chars or traffic.chinese_output_chars:
            rate, assumed = tokenizer_rate(model.chinese_tokens_per_1k_chars, known_rates)
            traffic = model_traffic(traffic, rate)
            if rate is not None:
                template = (
                    _("Chinese text at {rate} tokens per 1,000 characters (catalog median; this model's rate is unknown)")
                    if assumed else _("Chinese text at {rate} tokens per 1,000 characters (this model's tokenizer)")
                )
                token_notes = (template.format(rate=f"{rate:g}"),)

        if mode in ("api", "either"):
            api_cost_per_request = None
            for offering in sorted(model.offerings, key=lambda item: (item.provider, item.region, item.currency)):
                reasons = _api_exclusions(offering, requirements, index)
                if model.deprecated and model.deprecated.scope == "api" and model.deprecated.date <= today:
                    reasons.append(_("the vendor's API for this model retired on {date}").format(date=model.deprecated.date))
                deployment = DeploymentOption(kind="api", provider=offering.provider, region=offering.region)
                if reasons:
                    excluded.append(Exclusion(model, deployment.id, tuple(reasons)))
                    continue
                provider = index.providers[offering.provider]
                api_duties = list(duties)
                if provider.data_used_for_training_by_default:
                    api_duties.append(
                        _("{provider} may train on API data by default: check its terms and opt out").format(
                            provider=provider.name
                        )
                    )
                bill = api_cost(traffic, offering)
                monthly = rates.convert(bill.monthly, currency)
                api_cost_per_request = monthly.amount / (traffic.requests_per_day * DAYS_PER_MONTH)
                basis = (
                    _("{input} M input x {price} + {cached} M cached x {cached_price} + {output} M output x {output_price} {currency} per million, {days}-day month").format(
                        input=f"{bill.volumes.uncached_input_tokens / 1e6:,.1f}", price=f"{bill.input_price:g}",
                        cached=f"{bill.volumes.cached_input_tokens / 1e6:,.1f}", cached_price=f"{bill.cached_price:g}",
                        output=f"{bill.volumes.output_tokens / 1e6:,.1f}", output_price=f"{bill.output_price:g}",
                        currency=offering.currency, days=DAYS_PER_MONTH,
                    ),
                    *bill.notes,
                    *token_notes,
                )
                drafts.append({
                    "model": model, "deployment": deployment, "monthly": monthly, "native": bill.monthly,
                    "basis": basis, "license": verdict, "language": language, "duties": tuple(api_duties),
                    "sources": (*base_sources, SourceRef(_("{model} price at {provider}").format(model=model.id, provider=offering.provider), offering.source, offering.as_of)),
                    "fit": None, "capacity": None, "api_per_request": api_cost_per_request, "traffic": traffic,
                })
            if mode == "api" and not model.offerings:
                excluded.append(Exclusion(model, "api", (_("no API offering in the catalog"),)))

        if mode in ("self_hosted", "either") and model.is_open:
            if model.architecture is None or model.params is None or model.params.total_b is None:
                excluded.append(Exclusion(model, "self_hosted", (_("no architecture facts from config.json: fit unverifiable"),)))
            else:
                fitted, misfits = _self_hosted(model, requirements, traffic, index, rates)
                for label, reasons in misfits:
                    excluded.append(Exclusion(model, label, reasons))
                for option, fit, capacity, hosting in fitted:
                    quality = quality_factor(fit.precision, model.architecture.native_dtype)
                    basis = [*token_notes, hosting.basis, _(
                        "{replicas} replica(s) for {needed} requests/s at peak, each carrying {each} at "
                        "{utilization} utilization ({bound}-bound)"
                    ).format(
                        replicas=capacity.replicas,
                        needed=f"{capacity.needed_requests_per_s * requirements.hardware.utilization:,.2f}",
                        each=f"{capacity.requests_per_s_per_replica * requirements.hardware.utilization:,.2f}",
                        utilization=f"{requirements.hardware.utilization:.0%}",
                        bound=_(BOUND_LABELS[capacity.bound]),
                    )]
                    if not capacity.compute_checked:
                        basis.append(_("the catalog lacks this GPU's compute throughput, so prefill capacity was not checked"))
                    self_duties = list(duties)
                    if capacity.replicas > 1:
                        self_duties.append(
                            _("the peak load needs {replicas} sets of {count} x {gpu}; the cost counts all of them").format(
                                replicas=capacity.replicas, count=option.gpu_count, gpu=option.gpu_id
                            )
                        )
                    if requirements.deployment.public_service_cn:
                        self_duties.append(_("a self-hosted public service in mainland China needs its own filing"))
                    sources = list(base_sources)
                    if hosting.source:
                        sources.append(SourceRef(_("{gpu} price").format(gpu=option.gpu_id), hosting.source, hosting.as_of))
                    drafts.append({
                        "model": model, "deployment": option, "monthly": hosting.monthly, "native": hosting.monthly,
                        "basis": basis, "license": verdict, "language": language, "duties": tuple(self_duties),
                        "sources": tuple(sources), "fit": fit, "capacity": capacity, "quality": quality,
                        "hosting_replica_cost": (hosting.monthly.amount / capacity.replicas) if hosting.monthly else None,
                        "traffic": traffic,
                    })
        elif mode == "self_hosted":
            excluded.append(Exclusion(model, "self_hosted", (_("closed weights: cannot be self-hosted"),)))

    # Break-even for models that run both ways: the API price per request against one replica.
    api_price = {}
    for draft in drafts:
        if draft["deployment"].kind == "api" and draft.get("api_per_request") is not None:
            previous = api_price.get(draft["model"].id)
            api_price[draft["model"].id] = min(previous, draft["api_per_request"]) if previous else draft["api_per_request"]

    # Hard budget, then cost scores relative to the cheapest remaining candidate.
    budget = requirements.budget
    kept = []
    for draft in drafts:
        monthly = draft["monthly"]
        if budget and budget.hard and budget.monthly:
            if monthly is None:
                excluded.append(Exclusion(draft["model"], draft["deployment"].id, (_("cost unknown, so the hard budget cannot be checked"),)))
                continue
            if monthly.amount > budget.monthly:
                excluded.append(Exclusion(draft["model"], draft["deployment"].id, (
                    _("{amount} {currency}/month is over the hard budget of {budget} {currency}").format(
                        amount=f"{monthly.amount:,.0f}", currency=currency, budget=f"{budget.monthly:,.0f}"
                    ),
                )))
                continue
        kept.append(draft)
    reference = _cost_reference([draft["monthly"].amount for draft in kept if draft["monthly"] is not None], requirements)

    candidates = []
    for draft in kept:
        model = draft["model"]
        monthly = draft["monthly"]
        task = task_scores(model, requirements.tasks, index, table)
        fit = draft["fit"]
        if fit is not None and draft.get("quality", 1.0) < 1.0:
            factor = draft["quality"]
            task = CriterionResult(
                round(task.score * factor, 4), task.confidence,
                (*task.evidence, _("{precision}: quality factor {factor} applied").format(precision=fit.precision, factor=f"{factor:.3f}")),
                task.missing,
            )
        criteria = {
            "cost": _cost_score(monthly.amount if monthly else None, reference, requirements),
            "license": CriterionResult(draft["license"].score, draft["license"].confidence,
                                       draft["license"].evidence + draft["license"].duties,
                                       draft["license"].unknowns),
            "language": draft["language"],
            "hardware": _hardware_score(fit) if fit else CriterionResult(None, 1.0, (_("not applicable: served by API"),)),
            "task": task,
        }
        score, confidence = combine(criteria, weights)
        traffic = draft["traffic"]
        break_even = None
        if draft["deployment"].kind == "self_hosted" and model.id in api_price and draft.get("hosting_replica_cost"):
            capacity = draft["capacity"]
            per_replica_rpd = (
                capacity.requests_per_s_per_replica * requirements.hardware.utilization * 86400 / traffic.peak_factor
            )
            break_even = break_even_requests_per_day(api_price[model.id], draft["hosting_replica_cost"], per_replica_rpd)
        cost = CostResult(
            monthly=monthly,
            per_1000_requests=per_thousand_requests(monthly, traffic) if monthly else None,
            native=draft["native"],
            basis=tuple(draft["basis"]),
            break_even_requests_per_day=break_even,
        )
        candidates.append(Candidate(
            model=model, deployment=draft["deployment"], cost=cost, license=draft["license"], criteria=criteria,
            score=score, confidence=confidence, fit=fit, capacity=draft["capacity"], duties=draft["duties"],
            sources=draft["sources"],
        ))
    candidates.sort(key=rank_key)

    sources = [ref for candidate in candidates for ref in candidate.sources]
    sensitivity = sensitivity_of(candidates, weights) if with_sensitivity and len(candidates) > 1 else None
    rates_used = tuple(rates.describe())
    sources.extend(SourceRef(_("{base}/{quote} exchange rate").format(base=rate.base, quote=rate.quote), rate.source, rate.as_of) for rate in rates_used)
    assumptions = {
        "month": _("{days} days ({hours} hours)").format(days=DAYS_PER_MONTH, hours=HOURS_PER_MONTH),
        "currency": currency,
        "context_tokens": str(requirements.context_tokens),
        "utilization": f"{requirements.hardware.utilization:.0%}",
        "peak_factor": f"{requirements.traffic.peak_factor:g}",
        "precision": requirements.hardware.precision,
        "kv_cache_dtype": requirements.hardware.kv_cache_dtype,
    }
    return Recommendation(
        requirements=requirements,
        ranking=tuple(candidates),
        excluded=tuple(sorted(excluded, key=lambda item: (item.model.id, item.deployment))),
        rates=rates_used,
        assumptions=assumptions,
        sensitivity=sensitivity,
        today=today,
        sources=tuple(dict.fromkeys(sources)),
    )


def _scores_matrix(candidates: list[Candidate]) -> list[tuple[float | None, ...]]:
    return [tuple(candidate.criteria[name].score for name in CRITERIA) for candidate in candidates]


def _top_index(matrix: list[tuple[float | None, ...]], keys: list[tuple[str, str]], weights: dict[str, float]) -> int:
    """Return the position of the first candidate under `weights`, combined and tie-broken as `recommend` does."""
    ordered = [weights[name] for name in CRITERIA]
    best_index, best = 0, None
    for position, scores in enumerate(matrix):
        key = (-weighted_score(scores, ordered), keys[position])
        if best is None or key < best:
            best, best_index = key, position
    return best_index


def sensitivity_of(candidates: list[Candidate], weights: dict[str, float], *, samples: int = SENSITIVITY_SAMPLES,
                   spread: float = SENSITIVITY_SPREAD, seed: int = 0) -> Sensitivity:
    """Measure how firm the top pick is when the weights move.

    Each weight is multiplied by a factor drawn uniformly from [1 - spread, 1 + spread]
    (seeded, so the figure is reproducible). Separately, weight is moved from one
    criterion to another to find the smallest shift that changes the top pick.
    """
    matrix = _scores_matrix(candidates)
    keys = [candidate.key for candidate in candidates]
    top = _top_index(matrix, keys, weights)
    generator = random.Random(seed)
    stays = 0
    for _sample in range(samples):
        perturbed = {name: weight * generator.uniform(1 - spread, 1 + spread) for name, weight in weights.items()}
        if _top_index(matrix, keys, perturbed) == top:
            stays += 1

    total = sum(weights.values())
    normalized = {name: weight / total for name, weight in weights.items()}
    best: tuple[float, str, str, int] | None = None
    for source in CRITERIA:
        for target in CRITERIA:
            if source == target or normalized[source] <= 0:
                continue

            def shifted(delta: float, source: str = source, target: str = target) -> dict[str, float]:
                moved = dict(normalized)
                moved[source] -= delta
                moved[target] += delta
                return moved

            limit = normalized[source]
            if _top_index(matrix, keys, shifted(limit)) == top:
                continue
            low, high = 0.0, limit
            # 16 halvings pin the shift to within 1/65,536 of the source weight.
            for _step in range(16):
                middle = (low + high) / 2
                if _top_index(matrix, keys, shifted(middle)) == top:
                    low = middle
                else:
                    high = middle
            new_top = _top_index(matrix, keys, shifted(high))
            if best is None or high < best[0]:
                best = (high, source, target, new_top)
    if best is None:
        return Sensitivity(samples, spread, stays / samples, None)
    shift, source, target, new_top = best
    return Sensitivity(samples, spread, stays / samples, round(shift, 4), source, target,
                       f"{candidates[new_top].model.id} / {candidates[new_top].deployment.id}")
