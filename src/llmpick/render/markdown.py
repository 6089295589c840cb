"""Markdown decision report and comparison, rendered from jinja2 templates."""

from __future__ import annotations

import math
import re
from typing import Any

from llmpick.engine import Recommendation
from llmpick.estimator import BANDWIDTH_EFFICIENCY
from llmpick.i18n import _, current_language
from llmpick.render.comparison import comparison_rows, winners_lines
from llmpick.render.terminal import criterion_label, sensitivity_sentence
from llmpick.requirements import CRITERIA


def escape_cell(value: Any) -> str:
    """Make catalog or user text safe inside a Markdown table cell."""
    text = "" if value is None else str(value)
    text = text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")
    return text.replace("<", "&lt;").replace(">", "&gt;").replace("`", "\\`")


def per_thousand(money: dict[str, Any]) -> str:
    """Cost per 1,000 requests with its currency, keeping two significant digits below 0.1."""
    amount = money["amount"]
    text = f"{amount:,.2f}" if amount >= 0.1 or amount == 0 else f"{amount:.2g}"
    return f"{text} {money['currency']}"


def plain(value: Any) -> str:
    """Format a requirement value as compact JSON, so that nested blocks read as data, not as Python reprs."""
    if isinstance(value, (dict, list)):
        import json

        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _mermaid_label(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9 ._-]", " ", text).strip()[:40] or "model"


def pareto(points: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Candidates that no other candidate beats on both lower cost and higher task score."""
    front = []
    for point in points:
        dominated = any(
            other["cost"] <= point["cost"] and other["quality"] >= point["quality"]
            and (other["cost"] < point["cost"] or other["quality"] > point["quality"])
            for other in points
        )
        if not dominated:
            front.append(point)
    return sorted(front, key=lambda item: (item["cost"], -item["quality"], item["label"]))


def chart_points(data: dict[str, Any]) -> list[dict[str, Any]]:
    points = []
    for item in data["ranking"]:
        cost = item["monthly_cost"]
        if cost is None or item["scores"]["task"] is None:
            continue
        points.append({
            "label": f"{item['model']} {item['deployment_detail']['provider'] or item['deployment_detail']['gpu'] or ''}".strip(),
            "cost": cost["amount"],
            "quality": item["scores"]["task"],
        })
    if not points:
        return []
    low = min(math.log10(max(point["cost"], 1e-6)) for point in points)
    high = max(math.log10(max(point["cost"], 1e-6)) for point in points)
    for point in points:
        value = math.log10(max(point["cost"], 1e-6))
        point["x"] = round(0.05 + 0.9 * ((value - low) / (high - low) if high > low else 0.5), 3)
        point["y"] = round(min(0.98, max(0.02, point["quality"])), 3)
        point["mermaid"] = _mermaid_label(point["label"])
    return points


def _environment():
    import jinja2

    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("llmpick", "templates"),
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    environment.filters["cell"] = escape_cell
    environment.filters["plain"] = plain
    environment.filters["per_thousand"] = per_thousand
    environment.globals.update(_=_, criterion_label=criterion_label, criteria=CRITERIA)
    return environment


def render_report(data: dict[str, Any], result: Recommendation) -> str:
    points = chart_points(data)
    stale = [
        {"fact": item.fact, "as_of": item.as_of.isoformat(), "source": item.source}
        for item in result.stale_sources()
    ]
    sources = sorted(
        ({"fact": item.fact, "as_of": item.as_of.isoformat() if item.as_of else "?", "source": item.source}
         for item in result.sources),
        key=lambda item: (item["as_of"], item["fact"]),
    )
    template = _environment().get_template("report.md.j2")
    chinese = current_language() == "zh-CN"
    return template.render(
        data=data,
        language=current_language(),
        colon="：" if chinese else ": ",
        separator="；" if chinese else "; ",
        points=points,
        pareto=pareto(points),
        sensitivity=sensitivity_sentence(data["sensitivity"]) if data.get("sensitivity") else None,
        bandwidth_efficiency=f"{BANDWIDTH_EFFICIENCY:.0%}",
        stale=stale,
        sources=sources,
    )


def render_comparison(data: dict[str, Any]) -> str:
    headers, rows = comparison_rows(data)
    template = _environment().get_template("compare.md.j2")
    return template.render(data=data, headers=headers, rows=rows, lines=winners_lines(data), language=current_language())
