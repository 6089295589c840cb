"""Task suitability and language support from benchmark evidence, with confidence.

Benchmark scores are min-max normalized across the catalog. Missing evidence is never
scored 0: a task with no benchmark for a model gets a neutral 0.5 with confidence 0,
and the output names what is missing.
"""

from __future__ import annotations

from dataclasses import dataclass

from llmpick.catalog.index import CatalogIndex
from llmpick.catalog.schema import Model
from llmpick.i18n import _, join

NEUTRAL_SCORE = 0.5
# Score assumed for the share of a task's benchmark weight that a model has no evidence
# for. It is below the catalog's middle, so a model with published scores ranks ahead of
# one without. A model with no evidence at all scores this much, never 0.
UNPROVEN_TASK_SCORE = 0.3
# A language the vendor declares but no benchmark measures.
DECLARED_ONLY_SCORE = 0.75
MISSING_CAPABILITY_FACTOR = 0.5
UNKNOWN_CAPABILITY_CONFIDENCE = 0.8

# Language id -> benchmarks that measure it, from benchmarks.yaml's `language` field.
REQUIRED_LANGUAGE_WEIGHT = 2.0
PREFERRED_LANGUAGE_WEIGHT = 1.0


@dataclass(frozen=True)
class CriterionResult:
    score: float | None
    """In [0, 1]; `None` when the criterion does not apply (hardware for an API)."""
    confidence: float
    evidence: tuple[str, ...]
    missing: tuple[str, ...] = ()


class BenchmarkTable:
    """Per-benchmark min and max over the catalog, for normalization."""

    def __init__(self, models: list[Model]) -> None:
        self.values: dict[str, dict[str, float]] = {}
        for model in models:
            for benchmark in model.benchmarks:
                self.values.setdefault(benchmark.name, {})[model.id] = benchmark.value
        self.bounds = {name: (min(v.values()), max(v.values())) for name, v in self.values.items()}

    def normalized(self, model_id: str, benchmark: str) -> float | None:
        values = self.values.get(benchmark)
        if not values or model_id not in values:
            return None
        low, high = self.bounds[benchmark]
        if high == low:
            return 1.0
        return (values[model_id] - low) / (high - low)


def _format_score(model: Model, name: str) -> str:
    for benchmark in model.benchmarks:
        if benchmark.name == name:
            return f"{name} {benchmark.value:g} ({benchmark.source}, {benchmark.as_of})"
    return name


def task_scores(model: Model, tasks: dict[str, float], index: CatalogIndex, table: BenchmarkTable) -> CriterionResult:
    """Weighted task suitability over the requirement's tasks."""
    total_weight = 0.0
    weighted_score = 0.0
    weighted_confidence = 0.0
    evidence: list[str] = []
    missing: list[str] = []
    for task_id, task_weight in sorted(tasks.items()):
        if task_weight <= 0:
            continue
        task = index.tasks[task_id]
        have = {}
        for name in task.benchmarks:
            value = table.normalized(model.id, name)
            if value is not None:
                have[name] = value
        all_weight = sum(task.benchmarks.values())
        have_weight = sum(task.benchmarks[name] for name in have)
        if have:
            measured = sum(task.benchmarks[name] * have[name] for name in have) / have_weight
            confidence = have_weight / all_weight
            score = confidence * measured + (1 - confidence) * UNPROVEN_TASK_SCORE
            evidence.append(
                _("{task}: {measured} from {benchmarks}; {share} of the task's benchmark weight measured").format(
                    task=task.id,
                    measured=f"{measured:.2f}",
                    benchmarks=join(_format_score(model, name) for name in sorted(have)),
                    share=f"{confidence:.0%}",
                )
            )
        else:
            score, confidence = UNPROVEN_TASK_SCORE, 0.0
            evidence.append(
                _("{task}: no benchmark evidence; scored {score}, below the catalog middle").format(
                    task=task.id, score=UNPROVEN_TASK_SCORE
                )
            )
        absent = sorted(set(task.benchmarks) - set(have))
        if absent:
            missing.append(_("{task}: no score for {benchmarks}").format(task=task.id, benchmarks=", ".join(absent)))

        capabilities = model.capabilities
        for capability in task.capabilities:
            value = getattr(capabilities, capability) if capabilities else None
            if value is False:
                score *= MISSING_CAPABILITY_FACTOR
                evidence.append(_("{task}: lacks {capability}, score halved").format(task=task.id, capability=capability))
            elif value is None:
                confidence *= UNKNOWN_CAPABILITY_CONFIDENCE
                missing.append(_("{task}: {capability} support unknown").format(task=task.id, capability=capability))

        total_weight += task_weight
        weighted_score += task_weight * score
        weighted_confidence += task_weight * confidence
    return CriterionResult(
        score=round(weighted_score / total_weight, 4),
        confidence=round(weighted_confidence / total_weight, 4),
        evidence=tuple(evidence),
        missing=tuple(missing),
    )


def language_benchmarks(index: CatalogIndex, language: str) -> list[str]:
    return sorted(item.id for item in index.catalog.benchmarks if item.language == language)


def language_support(model: Model, language: str, index: CatalogIndex) -> bool | None:
    """True when declared by the vendor or measured by a benchmark of that language.

    False when the vendor publishes a language list without it; None when the vendor
    publishes no list and no benchmark measures it, so support is unknown.
    """
    declared = model.languages.declared if model.languages else []
    if language in declared:
        return True
    names = {benchmark.name for benchmark in model.benchmarks}
    if any(name in names for name in language_benchmarks(index, language)):
        return True
    return False if declared else None


def language_score(
    model: Model, required: list[str], preferred: list[str], index: CatalogIndex, table: BenchmarkTable
) -> CriterionResult:
    """Per-language ability: benchmark evidence where it exists, else the vendor's declaration."""
    wanted = [(code, REQUIRED_LANGUAGE_WEIGHT) for code in required]
    wanted += [(code, PREFERRED_LANGUAGE_WEIGHT) for code in preferred if code not in required]
    if not wanted:
        return CriterionResult(1.0, 1.0, (_("no language requirement"),))
    declared = set(model.languages.declared) if model.languages else set()
    evidence: list[str] = []
    missing: list[str] = []
    total = score_sum = confidence_sum = 0.0
    for code, weight in wanted:
        measured = [
            (name, table.normalized(model.id, name))
            for name in language_benchmarks(index, code)
            if table.normalized(model.id, name) is not None
        ]
        if measured:
            mean = sum(value for _name, value in measured) / len(measured)
            score, confidence = 0.5 + 0.5 * mean, 1.0
            evidence.append(
                _("{language}: {score} from {benchmarks}").format(
                    language=code, score=f"{score:.2f}",
                    benchmarks=join(_format_score(model, name) for name, _value in measured),
                )
            )
        elif code in declared:
            score, confidence = DECLARED_ONLY_SCORE, 0.5
            evidence.append(
                _("{language}: declared by the vendor, no benchmark; {score}").format(
                    language=code, score=DECLARED_ONLY_SCORE
                )
            )
            if language_benchmarks(index, code):
                missing.append(_("{language}: no score for {benchmarks}").format(
                    language=code, benchmarks=", ".join(language_benchmarks(index, code))
                ))
        elif model.languages is None or not model.languages.declared:
            score, confidence = NEUTRAL_SCORE, 0.0
            evidence.append(_("{language}: no language data, neutral {score}").format(language=code, score=NEUTRAL_SCORE))
            missing.append(_("{language}: vendor declares no language list").format(language=code))
        else:
            score, confidence = 0.0, 0.5
            evidence.append(_("{language}: not among the declared languages").format(language=code))
        total += weight
        score_sum += weight * score
        confidence_sum += weight * confidence
    if model.chinese_tokens_per_1k_chars:
        evidence.append(
            _("tokenizer: {tokens} tokens per 1,000 Chinese characters").format(tokens=f"{model.chinese_tokens_per_1k_chars:g}")
        )
    return CriterionResult(
        score=round(score_sum / total, 4),
        confidence=round(confidence_sum / total, 4),
        evidence=tuple(evidence),
        missing=tuple(missing),
    )
