"""`llmpick init`: ask a few questions and write a commented requirements file.

Questions go to stderr and answers come from stdin, one per line, so a script can
pipe the answers in. An empty answer takes the default shown in brackets.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from llmpick.catalog.index import CatalogIndex
from llmpick.errors import InputError
from llmpick.files import write_atomic
from llmpick.i18n import _
from llmpick.requirements import Requirements
from llmpick.validation import suggest, validate_document

MAX_TRIES = 3
REGIONS = ("cn-mainland", "international", "eu", "us", "any")


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.replace("，", ",").split(",") if part.strip()]


def _ask(question: str, default: str, parse: Callable[[str], Any]) -> Any:
    interactive = sys.stdin.isatty()
    for _attempt in range(MAX_TRIES):
        print(f"{question} [{default}]: ", end="", file=sys.stderr, flush=True)
        line = sys.stdin.readline()
        if line == "" and not interactive:
            line = "\n"  # End of input: take the defaults for the remaining questions.
        answer = line.strip() or default
        try:
            return parse(answer)
        except ValueError as exc:
            message = _("invalid answer '{answer}' to '{question}': {reason}").format(
                answer=answer, question=question, reason=exc
            )
            if not interactive:
                raise InputError(message) from None
            print(message, file=sys.stderr)
    raise InputError(_("too many invalid answers; run `llmpick init` again."))


def _positive_number(text: str) -> float:
    value = float(text)
    if value <= 0:
        raise ValueError(_("must be above 0"))
    return int(value) if value.is_integer() else value


def _optional_positive(text: str) -> float | None:
    return None if text in ("", "-", "none") else _positive_number(text)


def _yes_no(text: str) -> bool:
    lowered = text.lower()
    if lowered in ("y", "yes", "true", "是", "1"):
        return True
    if lowered in ("n", "no", "false", "否", "0"):
        return False
    raise ValueError(_("answer yes or no"))


def _choice(options: tuple[str, ...]) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if text not in options:
            raise ValueError(_("choose one of {choices}").format(choices=", ".join(options)))
        return text

    return parse


def _tasks(index: CatalogIndex) -> Callable[[str], list[str]]:
    def parse(text: str) -> list[str]:
        tasks = _split(text)
        unknown = [task for task in tasks if task not in index.tasks]
        if not tasks or unknown:
            guess = suggest(unknown[0], index.tasks) if unknown else None
            hint = _("did you mean '{guess}'? ").format(guess=guess) if guess else ""
            raise ValueError(hint + _("valid tasks: {choices}").format(choices=", ".join(sorted(index.tasks))))
        return tasks

    return parse


def _gpus(index: CatalogIndex) -> Callable[[str], list[dict[str, Any]]]:
    def parse(text: str) -> list[dict[str, Any]]:
        if text in ("", "-", "none"):
            return []
        gpus = []
        for item in _split(text):
            gpu_id, count = item, "1"
            head, separator, tail = item.rpartition("x")
            if separator and tail.isdigit():
                gpu_id, count = head, tail
            if gpu_id not in index.gpus:
                raise ValueError(_("unknown GPU '{id}'; run `llmpick gpus` for ids").format(id=gpu_id))
            gpus.append({"id": gpu_id, "count": int(count or 1)})
        return gpus

    return parse


def _languages(text: str) -> list[str]:
    return [] if text in ("-", "none") else _split(text)


def ask_questions(index: CatalogIndex) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    answers["name"] = _ask(_("Product name"), "My product", str)
    answers["tasks"] = _ask(_("Tasks, comma-separated ({choices})").format(choices=", ".join(sorted(index.tasks))),
                            "customer_service", _tasks(index))
    answers["required"] = _ask(_("Languages every answer must handle (ISO codes)"), "zh", _languages)
    answers["preferred"] = _ask(_("Languages that are nice to have"), "en", _languages)
    answers["requests_per_day"] = _ask(_("Requests per day"), "10000", _positive_number)
    answers["input_tokens"] = _ask(_("Input tokens per request"), "800", _positive_number)
    answers["output_tokens"] = _ask(_("Output tokens per request"), "300", _positive_number)
    answers["currency"] = _ask(_("Currency (CNY, USD, EUR)"), "CNY", _choice(("CNY", "USD", "EUR")))
    answers["budget"] = _ask(_("Monthly budget, or none"), "none", _optional_positive)
    answers["mode"] = _ask(_("Deployment (api, self_hosted, either)"), "api", _choice(("api", "self_hosted", "either")))
    answers["region"] = _ask(_("Where the servers must run ({choices})").format(choices=", ".join(REGIONS)),
                             "cn-mainland", _choice(REGIONS))
    answers["gpus"] = _ask(_("Your GPUs as id x count (for example rtx-4090x1), or none"), "none", _gpus(index))
    answers["commercial_use"] = _ask(_("Commercial use (yes/no)"), "yes", _yes_no)
    answers["open_weights"] = _ask(_("Open weights required (yes/no)"), "no", _yes_no)
    answers["users"] = _ask(_("Expected monthly active users, or none"), "none", _optional_positive)
    return answers


def _yaml_list(items: list[str]) -> str:
    return "[" + ", ".join(items) + "]"


def render_requirements(answers: dict[str, Any]) -> str:
    """Render the requirements file as commented YAML, with comments in the active language."""
    weight = round(1 / len(answers["tasks"]), 3)
    tasks = ", ".join(f"{task}: {weight}" for task in answers["tasks"])
    lines = [
        "# " + _("Requirements for llmpick. Run: llmpick recommend -r THIS_FILE"),
        "# " + _("Editor completion: run `llmpick schema > requirements.schema.json`; the README shows the rest."),
        # A JSON string is a valid YAML double-quoted scalar, whatever quotes the name holds.
        f"name: {json.dumps(answers['name'], ensure_ascii=False)}",
        "# " + _("Task id -> weight; run `llmpick tasks` for the ids."),
        f"tasks: {{{tasks}}}",
        "languages:",
        "  # " + _("Models whose vendor lists its languages without one of these are excluded."),
        f"  required: {_yaml_list(answers['required'])}",
        f"  preferred: {_yaml_list(answers['preferred'])}",
        "deployment:",
        "  # " + _("api, self_hosted or either"),
        f"  mode: {answers['mode']}",
    ]

    if answers["region"] != "any":
        lines.append(f"  region: {answers['region']}")
        lines.append(f"  users_in: {answers['region']}")

    lines += [
        "traffic:",
        f"  requests_per_day: {answers['requests_per_day']}",
        "  # " + _("Tokens per request, including the system prompt and retrieved context."),
        f"  input_tokens: {int(answers['input_tokens'])}",
        f"  output_tokens: {int(answers['output_tokens'])}",
        "budget:",
        f"  currency: {answers['currency']}",
    ]

    if answers["budget"] is not None:
        lines.append(f"  monthly: {answers['budget']}")
        lines.append("  # " + _("true: candidates over the budget are excluded; false: they score lower."))
        lines.append("  hard: false")

    if answers["gpus"]:
        lines.append("hardware:")
        lines.append("  # " + _("Each entry is one GPU set you have or rent; used_gb is memory already taken."))
        lines.append("  gpus:")
        for gpu in answers["gpus"]:
            lines.append(f"    - {{id: {gpu['id']}, count: {gpu['count']}, used_gb: 0}}")

    lines += [
        "license:",
        f"  commercial_use: {str(answers['commercial_use']).lower()}",
        f"  open_weights: {str(answers['open_weights']).lower()}",
    ]
    if answers["users"] is not None:
        lines.append(f"  expected_monthly_active_users: {int(answers['users'])}")

    lines += [
        "# " + _("How much each criterion counts; they need not add up to 1."),
        "weights: {cost: 0.25, license: 0.15, language: 0.2, hardware: 0.1, task: 0.3}",
    ]
    return "\n".join(lines) + "\n"


def run_wizard(output: Path, *, force: bool, index: CatalogIndex) -> None:
    if output.exists() and not force:
        raise InputError(_("{path} already exists; pass --force to overwrite it.").format(path=output))
    text = render_requirements(ask_questions(index))
    import yaml

    validate_document(output, Requirements, yaml.safe_load(text))
    write_atomic(output, text)
    print(_("Wrote {path}. Next: llmpick recommend -r {path}").format(path=output), file=sys.stderr)
