"""Terminal tables (rich) for people. Catalog and user text is escaped before rendering."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from llmpick.i18n import _, current_language, join
from llmpick.requirements import CRITERIA


COMPACT_BELOW_COLUMNS = 130


def criterion_label(name: str) -> str:
    return {
        "cost": _("Cost"),
        "license": _("License"),
        "language": _("Language"),
        "hardware": _("Hardware"),
        "task": _("Task"),
    }[name]


def _score(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def _money(value: dict[str, Any] | None, digits: int = 0) -> str:
    if value is None:
        return _("unknown")
    return f"{value['amount']:,.{digits}f} {value['currency']}"


def recommendation(console: Console, data: dict[str, Any], *, verbose: bool = False) -> None:
    requirements = data["requirements"]
    if not data["ranking"]:
        console.print(escape(_("No candidate meets the hard requirements. The most common reasons:")))
        for reason, count in common_reasons(data["excluded"]):
            console.print(escape(f"  {count} x {reason}"))
        console.print(escape(_("Add --verbose to list every exclusion.")))
        if verbose:
            _print_exclusions(console, data["excluded"])
        return
    title = (current_language() == "zh-CN" and requirements.get("name_zh")) or requirements.get("name")
    title = title or requirements.get("extends") or _("Requirements")
    # Below this width the per-criterion columns would squeeze the numbers into ellipses,
    # so a narrow terminal gets the summary columns and a pointer to the full formats.
    compact = console.width < COMPACT_BELOW_COLUMNS
    table = Table(title=escape(_("Ranking for: {name}").format(name=title)), show_lines=False)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column(_("Model"), overflow="fold")
    table.add_column(_("Deployment"), overflow="fold")
    table.add_column(_("Score"), justify="right", no_wrap=True)
    table.add_column(_("Monthly cost"), justify="right", no_wrap=True)
    table.add_column(_("Per 1k req."), justify="right", no_wrap=True)
    if not compact:
        for name in CRITERIA:
            table.add_column(criterion_label(name), justify="right", no_wrap=True)
    table.add_column(_("Confidence"), justify="right", no_wrap=True)
    for item in data["ranking"]:
        name = item["name"] + (" *" if item["unreviewed"] else "")
        criteria = [] if compact else [_score(item["scores"][name]) for name in CRITERIA]
        table.add_row(
            str(item["rank"]),
            escape(name),
            escape(item["deployment"]),
            f"{item['score']:.3f}",
            _money(item["monthly_cost"]),
            _money(item["cost_per_1000_requests"], 2),
            *criteria,
            f"{item['confidence']:.2f}",
        )
    console.print(table)
    if compact:
        console.print(escape(_("Per-criterion scores are hidden at this width; widen the terminal or use --format markdown.")))

    assumptions = data["assumptions"]
    console.print(
        escape(
            _("Month: {month}. Context: {context} tokens. Currency: {currency}.").format(
                month=assumptions["month"], context=assumptions["context_tokens"], currency=assumptions["currency"]
            )
        )
    )
    for rate in data["exchange_rates"]:
        console.print(
            escape(
                _("Rate: 1 {base} = {rate} {quote} (as of {as_of}; {source})").format(
                    base=rate["base"], rate=rate["rate"], quote=rate["quote"], as_of=rate["as_of"] or "?",
                    source=rate["source"],
                )
            )
        )
    for item in data["ranking"]:
        if item["duties"]:
            console.print(
                escape(_("Duties you accept with {model}: {duties}").format(model=item["model"], duties=join(item["duties"])))
            )
    sensitivity = data.get("sensitivity")
    if sensitivity:
        console.print(escape(sensitivity_sentence(sensitivity)))
    if data["excluded"]:
        console.print(
            escape(
                _("{count} candidates excluded; add --verbose to list the reasons.").format(
                    count=len(data["excluded"])
                )
            )
        )
        if verbose:
            _print_exclusions(console, data["excluded"])
    oldest = data.get("oldest_source")
    if oldest:
        console.print(escape(_("Oldest fact relied on: {fact}, as of {date}.").format(fact=oldest["fact"], date=oldest["as_of"])))


def _print_exclusions(console: Console, excluded: list[dict[str, Any]]) -> None:
    for item in excluded:
        console.print(escape(f"  {item['model']} [{item['deployment']}]: {join(item['reasons'])}"))


def common_reasons(excluded: list[dict[str, Any]], limit: int = 5) -> list[tuple[str, int]]:
    """Return the most frequent exclusion reasons, with numbers replaced so that similar reasons group."""
    import re
    from collections import Counter

    counts = Counter(re.sub(r"[0-9][0-9,.]*", "N", reason) for item in excluded for reason in item["reasons"])
    return sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))[:limit]


def sensitivity_sentence(sensitivity: dict[str, Any]) -> str:
    text = _("Sensitivity: the top pick stays first in {share} of {samples} weight sets perturbed by ±{spread}.").format(
        share=f"{sensitivity['top_stays_first']:.0%}", samples=sensitivity["samples"],
        spread=f"{sensitivity['spread']:.0%}",
    )
    # Chinese sentences run on without a space between them.
    separator = "" if current_language() == "zh-CN" else " "
    if sensitivity.get("smallest_shift") is not None:
        text += separator + _("Moving {shift} of the weight from {source} to {target} makes {new_top} first.").format(
            shift=f"{sensitivity['smallest_shift']:.3f}", source=criterion_label(sensitivity["shift_from"]),
            target=criterion_label(sensitivity["shift_to"]), new_top=sensitivity["new_top"],
        )
    else:
        text += separator + _("No shift of weight between two criteria changes the top pick.")
    return text


def models(console: Console, items: list[dict[str, Any]], *, verbose: bool = False) -> None:
    table = Table(title=_("Models in the catalog ({count})").format(count=len(items)))
    table.add_column(_("Id"), overflow="fold")
    table.add_column(_("Name"), overflow="fold")
    table.add_column(_("Vendor"), overflow="fold")
    table.add_column(_("Weights"))
    table.add_column(_("License"), overflow="fold")
    table.add_column(_("Params (B)"), justify="right")
    table.add_column(_("Context"), justify="right")
    if verbose:
        table.add_column(_("Defined in"), overflow="fold")
    for item in items:
        params = item["total_params_b"]
        if params is not None and item["active_params_b"] not in (None, params):
            params_text = f"{params:g} ({item['active_params_b']:g})"
        else:
            params_text = f"{params:g}" if params is not None else "?"
        row = [
            escape(item["id"]) + (" *" if item["unreviewed"] else ""),
            escape(item["name"]),
            escape(item["vendor_name"]),
            _("open") if item["weights"] == "open" else _("closed"),
            escape(item["license"]),
            params_text,
            f"{item['context_tokens']:,}" if item["context_tokens"] else "?",
        ]
        if verbose:
            row.append(escape(item.get("origin", "")))
        table.add_row(*row)
    console.print(table)


def profiles(console: Console, items: list[dict[str, str]]) -> None:
    table = Table(title=_("Requirement presets"))
    table.add_column(_("Id"), overflow="fold")
    table.add_column(_("Name"), overflow="fold")
    table.add_column(_("Description"), overflow="fold")
    for item in items:
        table.add_row(escape(item["id"]), escape(item["name"]), escape(item["description"]))
    console.print(table)


def gpus(console: Console, items: list[dict[str, Any]]) -> None:
    table = Table(title=_("GPUs and other devices"))
    table.add_column(_("Id"), overflow="fold")
    table.add_column(_("Name"), overflow="fold")
    table.add_column(_("Memory (GB)"), justify="right")
    table.add_column(_("Bandwidth (GB/s)"), justify="right")
    table.add_column(_("Rental"), justify="right")
    for item in items:
        rental = item.get("rental_per_hour")
        table.add_row(
            escape(item["id"]), escape(item["name"]), f"{item['memory_gb']:g}", f"{item['bandwidth_gb_s']:g}",
            f"{rental['amount']:.2f} {rental['currency']}/h" if rental else "-",
        )
    console.print(table)


def fit(console: Console, data: dict[str, Any]) -> None:
    table = Table(title=escape(_("Fit of {model} on {count} x {device}").format(
        model=data["model_id"], count=data["device_count"], device=data["device"]
    )))
    table.add_column(_("Item"))
    table.add_column("GB", justify="right")
    rows = [
        (_("Weights ({precision})").format(precision=data["precision"]), data["weights_gb"]),
        (_("KV cache ({context} tokens, concurrency {streams}, {dtype})").format(
            context=data["context_tokens"], streams=data["concurrency"], dtype=data["kv_dtype"]), data["kv_cache_gb"]),
        (_("Runtime overhead"), data["overhead_gb"]),
        (_("Total"), data["total_gb"]),
        (_("Available (free memory)"), data["available_gb"]),
        (_("Headroom"), data["headroom_gb"]),
    ]
    for label, value in rows:
        table.add_row(escape(label), f"{value:,.2f}")
    console.print(table)
    verdict = _("fits") if data["fits"] else _("does not fit")
    parallelism = {"single": _("one device"), "tensor": _("tensor parallelism"), "pipeline": _("pipeline parallelism")}
    console.print(escape(_("Verdict: {verdict}. Parallelism: {parallelism}.").format(
        verdict=verdict, parallelism=parallelism.get(data["parallelism"], data["parallelism"]))))
    if data.get("parallelism_note"):
        console.print(escape(data["parallelism_note"]))
    console.print(escape(_("KV cache: {bytes} bytes per token. Decode: about {speed} tokens/s per stream (estimate at {efficiency} of memory bandwidth). Max concurrent streams at this context: {streams}.").format(
        bytes=f"{data['kv_bytes_per_token']:,}", speed=f"{data['decode_tokens_per_s']:.0f}",
        efficiency=data["assumptions"]["bandwidth_efficiency"], streams=data["max_concurrent_streams"],
    )))
    console.print(escape(_("Quality cost of {precision}: {cost}. Units: GB = 10^9 bytes.").format(
        precision=data["precision"], cost=data["quality_cost"])))


def simple_table(console: Console, title: str, headers: list[str], rows: list[list[str]]) -> None:
    table = Table(title=escape(title))
    for header in headers:
        table.add_column(escape(header), overflow="fold")
    for row in rows:
        table.add_row(*(escape(cell) for cell in row))
    console.print(table)
