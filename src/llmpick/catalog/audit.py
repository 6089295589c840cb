"""Checks beyond the schema for `catalog validate`, and the fact ages for `catalog stale`."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from llmpick.catalog.schema import Catalog, Sourced
from llmpick.i18n import _

REPO_PATH = re.compile(r"^[\w.-]+/[\w.-]+:\S+")
BARE_IP = re.compile(r"^https?://\d{1,3}(\.\d{1,3}){3}")


def sourced_facts(catalog: Catalog) -> Iterator[tuple[str, Sourced]]:
    """Yield every dated block in the catalog, labelled like `models.qwen3-32b.offerings[0]`."""

    def walk(label: str, value: Any) -> Iterator[tuple[str, Sourced]]:
        if isinstance(value, Sourced):
            yield label, value
        if isinstance(value, BaseModel):
            for name in type(value).model_fields:
                yield from walk(f"{label}.{name}", getattr(value, name))
        elif isinstance(value, list):
            for position, item in enumerate(value):
                yield from walk(f"{label}[{position}]", item)

    for section in ("models", "licenses", "gpus", "providers", "exchange_rates"):
        for item in getattr(catalog, section):
            key = getattr(item, "id", None) or f"{getattr(item, 'base', '')}/{getattr(item, 'quote', '')}"
            yield from walk(f"{section}.{key}", item)


def audit_catalog(catalog: Catalog, today: dt.date | None = None) -> list[str]:
    """Problems the schema cannot see: regions, ranges, dates in the future, closed models with configs."""
    today = today or dt.date.today()
    problems: list[str] = []
    providers = {item.id: item for item in catalog.providers}
    benchmarks = {item.id: item for item in catalog.benchmarks}
    seen: set[str] = set()
    for model in catalog.models:
        if model.id in seen:
            problems.append(_("duplicate model id '{id}'").format(id=model.id))
        seen.add(model.id)
        for offering in model.offerings:
            provider = providers[offering.provider]
            if offering.region not in provider.regions:
                problems.append(_("model '{model}': provider {provider} does not serve region {region}").format(
                    model=model.id, provider=offering.provider, region=offering.region))
        for benchmark in model.benchmarks:
            definition = benchmarks[benchmark.name]
            if definition.scale == "percent" and not 0 <= benchmark.value <= 100:
                problems.append(_("model '{model}': {name} = {value} is outside 0-100").format(
                    model=model.id, name=benchmark.name, value=benchmark.value))
        if model.params and model.params.total_b and model.params.active_b and model.params.active_b > model.params.total_b:
            problems.append(_("model '{model}': active parameters exceed total parameters").format(model=model.id))
        if not model.is_open and model.architecture is not None:
            problems.append(_("model '{model}': closed weights but an architecture block").format(model=model.id))
    for label, fact in sourced_facts(catalog):
        if fact.as_of > today:
            problems.append(_("{fact}: as_of {date} is in the future").format(fact=label, date=fact.as_of))
        source = fact.source.strip()
        if not (source.startswith(("https://", "http://")) or REPO_PATH.match(source)):
            problems.append(
                _("{fact}: source must start with a URL or owner/repo:path, got '{source}'").format(
                    fact=label, source=source[:60]
                )
            )
        elif BARE_IP.match(source):
            problems.append(_("{fact}: source is a bare IP address; cite the vendor's page").format(fact=label))
    return problems


def stale_facts(catalog: Catalog, today: dt.date, days: int) -> list[dict[str, Any]]:
    limit = today - dt.timedelta(days=days)
    items = [
        {"fact": label, "as_of": fact.as_of.isoformat(), "age_days": (today - fact.as_of).days, "source": fact.source}
        for label, fact in sourced_facts(catalog)
        if fact.as_of < limit
    ]
    return sorted(items, key=lambda item: (item["as_of"], item["fact"]))
