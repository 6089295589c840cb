"""Terminal output of `compare`, `cost` and `license`."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from llmpick.i18n import _, join
from llmpick.render.terminal import criterion_label
from llmpick.requirements import CRITERIA


def _value(value: Any) -> str:
    if value is None:
        return "?"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or "-"
    return str(value)


def comparison_rows(data: dict[str, Any]) -> tuple[list[str], list[list[str]]]:
    """Header and rows shared by the terminal and Markdown renderers."""
    models = data["models"]
    headers = [_("Fact")] + [model["id"] for model in models]
    rows: list[list[str]] = []

    def add(label: str, values: list[Any]) -> None:
        rows.append([label, *(_value(value) for value in values)])

    add(_("Vendor"), [model["vendor_name"] for model in models])
    add(_("Weights"), [model["weights"] for model in models])
    add(_("License"), [model["license_name"] for model in models])
    add(_("Commercial use"), [model["commercial_use"] for model in models])
    add(_("MAU threshold"), [model["mau_limit"] for model in models])
    add(_("Params total (B)"), [model["total_params_b"] for model in models])
    add(_("Params active (B)"), [model["active_params_b"] for model in models])
    add(_("Context (tokens)"), [model["context_tokens"] for model in models])
    add(_("Languages"), [model["languages"] for model in models])
    add(_("Released"), [model["released"] for model in models])
    add(_("KV bytes/token (fp16)"), [
        (model.get("architecture") or {}).get("kv_bytes_per_token_fp16") for model in models
    ])
    for capability in ("tool_calling", "structured_output", "vision", "reasoning"):
        add(capability, [model["capabilities"].get(capability) for model in models])
    names = sorted({name for model in models for name in model["benchmarks"]})
    for name in names:
        add(name, [model["benchmarks"].get(name) for model in models])
    prices = []
    for model in models:
        cheapest = min(model["offerings"], key=lambda item: (item["currency"], item["input"] + item["output"]), default=None)
        prices.append(
            f"{cheapest['input']:g}/{cheapest['output']:g} {cheapest['currency']} ({cheapest['provider']})" if cheapest else None
        )
    add(_("Price in/out per M tokens"), prices)

    candidates = data.get("candidates")
    if candidates is not None:
        add(_("Best deployment"), [(candidates[m["id"]] or {}).get("deployment", _("excluded")) for m in models])
        add(_("Score"), [
            f"{candidates[m['id']]['score']:.3f}" if candidates[m["id"]] else "-" for m in models
        ])
        for name in CRITERIA:
            add(criterion_label(name), [
                _score(candidates[m["id"]]["scores"][name]) if candidates[m["id"]] else "-" for m in models
            ])
        add(_("Monthly cost"), [
            _money(candidates[m["id"]]["monthly_cost"]) if candidates[m["id"]] else "-" for m in models
        ])
    return headers, rows


def _score(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def _money(value: dict[str, Any] | None) -> str:
    return _("unknown") if value is None else f"{value['amount']:,.0f} {value['currency']}"


def winners_lines(data: dict[str, Any]) -> list[str]:
    lines = []
    for name, models in data.get("winners", {}).items():
        label = _("Overall") if name == "overall" else criterion_label(name)
        lines.append(_("{criterion}: {models}").format(criterion=label, models=", ".join(models)))
    for model, reasons in data.get("deal_breakers", {}).items():
        lines.append(_("Deal-breaker for {model}: {reasons}").format(model=model, reasons=join(reasons)))
    for model, duties in data.get("duties", {}).items():
        if duties:
            lines.append(_("Duties with {model}: {duties}").format(model=model, duties=join(duties)))
    return lines


def render_comparison_table(console: Console, data: dict[str, Any]) -> None:
    headers, rows = comparison_rows(data)
    table = Table(title=_("Side by side"))
    for header in headers:
        table.add_column(escape(header), overflow="fold")
    for row in rows:
        table.add_row(*(escape(cell) for cell in row))
    console.print(table)
    if "winners" in data:
        console.print(escape(_("Winner per criterion (higher score wins):")))
        for line in winners_lines(data):
            console.print(escape("  " + line))


def render_cost_table(console: Console, data: dict[str, Any]) -> None:
    table = Table(title=escape(_("Monthly cost of {model} ({days}-day month, {currency})").format(
        model=data["model"], days=data["days_per_month"], currency=data["currency"])))
    table.add_column(_("Deployment"), overflow="fold")
    table.add_column(_("Monthly cost"), justify="right", no_wrap=True)
    table.add_column(_("Per 1k req."), justify="right", no_wrap=True)
    table.add_column(_("Break-even (req/day)"), justify="right", no_wrap=True)
    table.add_column(_("Basis"), overflow="fold")
    for option in data["options"]:
        monthly = option["monthly_cost"]
        per = option["cost_per_1000_requests"]
        flag = " " + _("(over budget)") if option["over_budget"] else ""
        even = option.get("break_even_requests_per_day")
        table.add_row(
            escape(option["deployment"]),
            (f"{monthly['amount']:,.2f} {monthly['currency']}" if monthly else _("unknown")) + flag,
            f"{per['amount']:,.2f} {per['currency']}" if per else "-",
            f"{even:,}" if even else "-",
            escape(join(option["basis"])),
        )
    console.print(table)
    for rate in data["exchange_rates"]:
        console.print(escape(_("Rate: 1 {base} = {rate} {quote} (as of {as_of}; {source})").format(
            base=rate["base"], rate=rate["rate"], quote=rate["quote"], as_of=rate["as_of"] or "?", source=rate["source"])))
    for item in data["excluded"]:
        console.print(escape(_("Not possible: {deployment}: {reasons}").format(
            deployment=item["deployment"], reasons=join(item["reasons"]))))


def verdict_text(data: dict[str, Any]) -> str:
    if data["allowed"]:
        return _("allowed")
    if not data["verified"]:
        return _("not verified: read the license text before use")
    return _("not allowed")


def render_license(console: Console, data: dict[str, Any]) -> None:
    terms = data["terms"]
    rows = [
        (_("License"), f"{data['license_name']} ({data['license']})"),
        (_("Commercial use"), _value(terms.get("commercial_use"))),
        (_("MAU threshold"), _value(terms.get("mau_limit"))),
        (_("Fine-tuning"), _value(terms.get("fine_tuning"))),
        (_("Redistribution"), _value(terms.get("redistribution"))),
        (_("Outputs may train other models"), _value(terms.get("outputs_may_train_other_models"))),
        (_("Territory exclusions"), _value(terms.get("territory_exclusions"))),
        (_("License text source"), f"{terms['source']} ({terms['as_of']})"),
        (_("Verdict"), verdict_text(data)),
    ]
    table = Table(title=escape(_("License of {model}").format(model=data["model"])), show_header=False)
    table.add_column(_("Item"))
    table.add_column(_("Value"), overflow="fold")
    for key, value in rows:
        table.add_row(escape(key), escape(value))
    console.print(table)
    for violation in data["violations"]:
        console.print(escape(_("Violation: {text}").format(text=violation)))
    for duty in data["duties"]:
        console.print(escape(_("Duty you accept: {text}").format(text=duty)))
    for duty in terms.get("distribution_duties", []):
        console.print(escape(_("When you distribute the weights or a derived model: {text}").format(text=duty)))
    for unknown in data["unknowns"]:
        console.print(escape(_("Unknown: {text}").format(text=unknown)))
    for clause in terms.get("clauses", []):
        console.print(escape(f"  \"{clause}\""))
