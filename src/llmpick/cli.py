"""The `llmpick` command line: option parsing and dispatch only.

Each command parses its options, calls one domain function and hands the result to
one renderer. Domain errors reach `run`, which prints one `Error:` line.
"""


import datetime as dt
import os
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from llmpick import __version__
from llmpick.errors import InputError, LlmpickError
from llmpick.i18n import ENV_VARIABLE, LANGUAGES, _, detect_language, normalize_language, set_language


class OutputFormat(str, Enum):
    table = "table"
    markdown = "markdown"
    json = "json"


class DataFormat(str, Enum):
    table = "table"
    json = "json"


class _State:
    """Options of the top-level callback, shared by the commands."""

    catalogs: list[Path] = []
    debug = False


def _today() -> dt.date:
    override = os.environ.get("LLMPICK_TODAY")
    if override:
        try:
            return dt.date.fromisoformat(override)
        except ValueError:
            raise InputError(_("LLMPICK_TODAY must be a date such as 2026-12-04, got '{value}'.").format(value=override)) from None
    return dt.date.today()


def _console(stderr: bool = False):
    from rich.console import Console

    width = None
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit():
        width = int(columns)
    elif not (sys.stderr if stderr else sys.stdout).isatty():
        width = 160
    return Console(stderr=stderr, width=width, highlight=False, soft_wrap=False)


def _index():
    from llmpick.catalog.index import CatalogIndex
    from llmpick.catalog.loader import load_catalog

    return CatalogIndex(load_catalog(_State.catalogs))


def _requirements(path: Path | None, profile: str | None, index):
    """Load the requirements and check their catalog ids, naming the file in any error."""
    from llmpick.engine import check_requirements
    from llmpick.requirements import load_requirements, profile_path

    needs = load_requirements(path, profile)
    try:
        check_requirements(needs, index)
    except InputError as exc:
        source = path if path is not None else profile_path(profile or "")
        raise InputError(f"{source}: {exc.message}", hint=exc.hint) from None
    return needs


def _emit(text: str, output: Path | None, *, protect: Path | None = None) -> None:
    """Write `text` to `output` atomically, or to stdout when `output` is None or `-`."""
    if output is None or str(output) == "-":
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    if protect is not None and output.resolve() == protect.resolve():
        raise InputError(
            _("{path}: -o names the requirements file itself; choose another output file.").format(path=output)
        )
    from llmpick.files import write_atomic

    write_atomic(output, text)
    print(_("Wrote {path}").format(path=output), file=sys.stderr)


def _table_text(render, *args, **kwargs) -> str:
    """Render a rich table to plain text, for `-o` with the table format."""
    import io

    from rich.console import Console

    buffer = io.StringIO()
    render(Console(file=buffer, width=160, color_system=None, highlight=False), *args, **kwargs)
    return buffer.getvalue()


def _json(data) -> str:
    import json

    return json.dumps(data, ensure_ascii=False, indent=2)


def version_callback(value: bool) -> None:
    if value:
        print(f"llmpick {__version__}")
        raise typer.Exit()


def create_app() -> typer.Typer:
    """Build the app in the active language, since help text is translated when it is built."""
    # Help text is translated here, when the app is built, so these live inside the function.
    RequirementsOption = Annotated[
        Optional[Path],
        typer.Option("--requirements", "-r", metavar="FILE", help=_("Requirements YAML file."), show_default=False),
    ]
    ProfileOption = Annotated[
        Optional[str], typer.Option("--profile", "-p", metavar="ID", help=_("Preset id; see `llmpick profiles`."))
    ]

    app = typer.Typer(
        name="llmpick",
        help=_("Choose the large language model your product runs on: rank real models by cost, license, "
               "language, hardware fit and task suitability.\n\nExample: llmpick recommend --profile cn-customer-service"),
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        add_completion=False,
        rich_markup_mode=None,
    )

    @app.callback()
    def root(
        lang: Annotated[Optional[str], typer.Option("--lang", metavar="LANG", help=_("Language of messages and reports: en or zh-CN."))] = None,
        catalog: Annotated[Optional[list[Path]], typer.Option("--catalog", metavar="PATH", help=_("Extra catalog YAML file, merged over the shipped catalog; repeatable."))] = None,
        debug: Annotated[bool, typer.Option("--debug", help=_("Show tracebacks for unexpected errors."))] = False,
        version: Annotated[Optional[bool], typer.Option("--version", callback=version_callback, is_eager=True, help=_("Print the version and exit."))] = None,
    ) -> None:
        if lang is not None and lang not in LANGUAGES:
            raise InputError(_("--lang: unknown language '{value}'; use one of {choices}.").format(
                value=lang, choices=", ".join(LANGUAGES)))
        _State.catalogs = list(catalog or [])
        _State.debug = debug

    @app.command(help=_("Rank candidates (model x deployment) for a requirements file or preset.\n\n"
                        "Example: llmpick recommend -r examples/shop-support.yaml --format markdown -o decision.md"))
    def recommend(
        requirements: RequirementsOption = None,
        profile: ProfileOption = None,
        top: Annotated[int, typer.Option("--top", metavar="N", help=_("How many candidates to show."))] = 10,
        output_format: Annotated[OutputFormat, typer.Option("--format", "-f", help=_("Output format."))] = OutputFormat.table,
        output: Annotated[Optional[Path], typer.Option("--output", "-o", metavar="PATH", help=_("Write to this file instead of stdout."))] = None,
        verbose: Annotated[bool, typer.Option("--verbose", "-v", help=_("List every exclusion in the table output."))] = False,
    ) -> None:
        from llmpick.engine import recommend as rank
        from llmpick.serialize import recommendation_dict

        if top < 1:
            raise InputError(_("--top must be at least 1, got {value}.").format(value=top))
        index = _index()
        needs = _requirements(requirements, profile, index)
        result = rank(needs, index, today=_today())
        data = recommendation_dict(result, top)
        if output_format is OutputFormat.json:
            _emit(_json(data), output, protect=requirements)
        elif output_format is OutputFormat.markdown:
            from llmpick.render.markdown import render_report

            _emit(render_report(data, result), output, protect=requirements)
        else:
            from llmpick.render import terminal

            if output is None or str(output) == "-":
                terminal.recommendation(_console(), data, verbose=verbose)
            else:
                _emit(_table_text(terminal.recommendation, data, verbose=verbose), output, protect=requirements)

    @app.command(help=_("Put models side by side; with -r or --profile, score them under those requirements.\n\n"
                        "Example: llmpick compare qwen3-32b qwen3-8b --profile cn-customer-service"))
    def compare(
        models: Annotated[list[str], typer.Argument(metavar="MODEL...", help=_("Two or more model ids."))],
        requirements: RequirementsOption = None,
        profile: ProfileOption = None,
        output_format: Annotated[OutputFormat, typer.Option("--format", "-f", help=_("Output format."))] = OutputFormat.table,
        output: Annotated[Optional[Path], typer.Option("--output", "-o", metavar="PATH", help=_("Write to this file instead of stdout."))] = None,
    ) -> None:
        from llmpick.comparison import compare_models

        if len(models) < 2:
            raise InputError(_("compare needs at least two model ids."))
        index = _index()
        needs = _requirements(requirements, profile, index) if (requirements or profile) else None
        data = compare_models(models, index, needs, today=_today())
        if output_format is OutputFormat.json:
            _emit(_json(data), output, protect=requirements)
        elif output_format is OutputFormat.markdown:
            from llmpick.render.markdown import render_comparison

            _emit(render_comparison(data), output, protect=requirements)
        else:
            from llmpick.render.comparison import render_comparison_table

            if output is None or str(output) == "-":
                render_comparison_table(_console(), data)
            else:
                _emit(_table_text(render_comparison_table, data), output, protect=requirements)

    @app.command(help=_("List the models in the catalog.\n\nExample: llmpick models --format json"))
    def models(
        output_format: Annotated[DataFormat, typer.Option("--format", "-f", help=_("Output format."))] = DataFormat.table,
        verbose: Annotated[bool, typer.Option("--verbose", "-v", help=_("Show the catalog file each model comes from."))] = False,
    ) -> None:
        from llmpick.serialize import model_summary

        index = _index()
        items = [
            model_summary(model, index, index.catalog.origins.get(model.id) if verbose else None)
            for model in sorted(index.catalog.models, key=lambda item: (item.vendor, item.id))
        ]
        if output_format is DataFormat.json:
            _emit(_json(items), None)
        else:
            from llmpick.render import terminal

            terminal.models(_console(), items, verbose=verbose)

    @app.command(help=_("List the requirement presets.\n\nExample: llmpick profiles"))
    def profiles(
        output_format: Annotated[DataFormat, typer.Option("--format", "-f", help=_("Output format."))] = DataFormat.table,
    ) -> None:
        from llmpick.requirements import profile_summaries

        from llmpick.i18n import current_language

        items = profile_summaries(chinese=current_language() == "zh-CN")
        if output_format is DataFormat.json:
            _emit(_json(items), None)
        else:
            from llmpick.render import terminal

            terminal.profiles(_console(), items)

    @app.command(help=_("List the GPUs and other devices in the catalog.\n\nExample: llmpick gpus --format json"))
    def gpus(
        output_format: Annotated[DataFormat, typer.Option("--format", "-f", help=_("Output format."))] = DataFormat.table,
    ) -> None:
        from llmpick.catalog_views import gpu_items

        items = gpu_items(_index())
        if output_format is DataFormat.json:
            _emit(_json(items), None)
        else:
            from llmpick.render import terminal

            terminal.gpus(_console(), items)

    @app.command(help=_("List the task taxonomy and the benchmarks behind each task.\n\nExample: llmpick tasks"))
    def tasks(
        output_format: Annotated[DataFormat, typer.Option("--format", "-f", help=_("Output format."))] = DataFormat.table,
    ) -> None:
        from llmpick.catalog_views import task_items
        from llmpick.i18n import current_language

        items = task_items(_index())
        if output_format is DataFormat.json:
            _emit(_json(items), None)
        else:
            from llmpick.render import terminal

            zh = current_language() == "zh-CN"
            rows = [
                [item["id"], item["name_zh"] if zh else item["name"],
                 ", ".join(f"{name} x{weight:g}" for name, weight in item["benchmarks"].items()),
                 ", ".join(item["capabilities"])]
                for item in items
            ]
            terminal.simple_table(_console(), _("Tasks"), [_("Id"), _("Name"), _("Benchmarks"), _("Capabilities")], rows)

    @app.command(help=_("Memory, fit and decode speed of one model on a GPU set.\n\n"
                        "Example: llmpick fit qwen3-32b --gpu rtx-4090 --context 32768 --precision Q4_K_M"))
    def fit(
        model: Annotated[str, typer.Argument(metavar="MODEL", help=_("Model id."))],
        gpu: Annotated[str, typer.Option("--gpu", metavar="ID", help=_("GPU id from `llmpick gpus`, or `auto` to read this machine."))],
        gpu_count: Annotated[int, typer.Option("--gpu-count", metavar="N", help=_("Number of cards."))] = 1,
        context: Annotated[int, typer.Option("--context", metavar="TOKENS", help=_("Context per stream, in tokens."))] = 8192,
        concurrency: Annotated[int, typer.Option("--concurrency", metavar="N", help=_("Concurrent streams."))] = 1,
        precision: Annotated[str, typer.Option("--precision", metavar="NAME", help=_("native, bf16, fp16, fp8, int8, int4, mxfp4, Q8_0, Q6_K, Q5_K_M, Q4_K_M, Q3_K_M, Q2_K, or auto."))] = "native",
        used_gb: Annotated[float, typer.Option("--used-gb", metavar="GB", help=_("Memory already in use per card, in GB."))] = 0.0,
        kv_dtype: Annotated[str, typer.Option("--kv-dtype", metavar="TYPE", help=_("KV-cache element type: fp16, bf16 or fp8."))] = "fp16",
        output_format: Annotated[DataFormat, typer.Option("--format", "-f", help=_("Output format."))] = DataFormat.table,
    ) -> None:
        from llmpick.fitting import run_fit
        from llmpick.serialize import fit_dict

        estimate = run_fit(_index(), model, gpu, gpu_count=gpu_count, context=context, concurrency=concurrency,
                           precision=precision, used_gb=used_gb, kv_dtype=kv_dtype)
        data = fit_dict(estimate)
        if output_format is DataFormat.json:
            _emit(_json(data), None)
        else:
            from llmpick.render import terminal

            terminal.fit(_console(), data)

    @app.command(help=_("Monthly cost of every way to run one model, with break-even against the API.\n\n"
                        "Example: llmpick cost qwen3-32b --profile cn-customer-service"))
    def cost(
        model: Annotated[str, typer.Argument(metavar="MODEL", help=_("Model id."))],
        requirements: RequirementsOption = None,
        profile: ProfileOption = None,
        output_format: Annotated[DataFormat, typer.Option("--format", "-f", help=_("Output format."))] = DataFormat.table,
    ) -> None:
        from llmpick.comparison import cost_options

        index = _index()
        data = cost_options(model, index, _requirements(requirements, profile, index), today=_today())
        if output_format is DataFormat.json:
            _emit(_json(data), None)
        else:
            from llmpick.render.comparison import render_cost_table

            render_cost_table(_console(), data)

    @app.command(name="license", help=_("License terms of one model and the verdict under your requirements.\n\n"
                                         "Example: llmpick license llama-3.1-70b-instruct --profile cn-customer-service"))
    def license_command(
        model: Annotated[str, typer.Argument(metavar="MODEL", help=_("Model id."))],
        requirements: RequirementsOption = None,
        profile: ProfileOption = None,
        output_format: Annotated[DataFormat, typer.Option("--format", "-f", help=_("Output format."))] = DataFormat.table,
    ) -> None:
        from llmpick.comparison import license_report

        index = _index()
        needs = _requirements(requirements, profile, index) if (requirements or profile) else None
        data = license_report(model, index, needs)
        if output_format is DataFormat.json:
            _emit(_json(data), None)
        else:
            from llmpick.render.comparison import render_license

            render_license(_console(), data)

    @app.command(help=_("Print the JSON Schema of the requirements file, for editors.\n\n"
                        "Example: llmpick schema > requirements.schema.json"))
    def schema() -> None:
        from llmpick.requirements import Requirements

        _emit(_json(Requirements.model_json_schema()), None)

    @app.command(help=_("Write a commented requirements file from a few questions (answers may come from standard input).\n\n"
                        "Example: llmpick init -o requirements.yaml"))
    def init(
        output: Annotated[Path, typer.Option("--output", "-o", metavar="PATH", help=_("File to write."))] = Path("requirements.yaml"),
        force: Annotated[bool, typer.Option("--force", help=_("Overwrite an existing file."))] = False,
    ) -> None:
        from llmpick.wizard import run_wizard

        run_wizard(output, force=force, index=_index())

    catalog_app = typer.Typer(help=_("Check, inspect and update the catalog."), no_args_is_help=True)
    app.add_typer(catalog_app, name="catalog")

    @catalog_app.command("validate", help=_("Check the catalog: schema, ids, duplicates, and a source and date on every fact."))
    def catalog_validate() -> None:
        from llmpick.catalog.audit import audit_catalog
        from llmpick.catalog.loader import load_catalog

        catalog = load_catalog(_State.catalogs, use_cache=False)
        problems = audit_catalog(catalog)
        if problems:
            for problem in problems:
                print(_("Error: {problem}").format(problem=problem), file=sys.stderr)
            raise typer.Exit(1)
        print(_("Catalog valid: {models} models, {vendors} vendors, {licenses} licenses, {gpus} GPUs, {providers} providers.").format(
            models=len(catalog.models), vendors=len({m.vendor for m in catalog.models}), licenses=len(catalog.licenses),
            gpus=len(catalog.gpus), providers=len(catalog.providers)))

    @catalog_app.command("stale", help=_("List catalog facts older than N days.\n\nExample: llmpick catalog stale --days 90"))
    def catalog_stale(
        days: Annotated[int, typer.Option("--days", metavar="N", help=_("Age limit in days."))] = 90,
        output_format: Annotated[DataFormat, typer.Option("--format", "-f", help=_("Output format."))] = DataFormat.table,
    ) -> None:
        from llmpick.catalog.audit import stale_facts

        if days < 0:
            raise InputError(_("--days cannot be negative, got {value}.").format(value=days))

        items = stale_facts(_index().catalog, _today(), days)
        if output_format is DataFormat.json:
            _emit(_json(items), None)
            return
        from llmpick.render import terminal

        rows = [[item["fact"], item["as_of"], str(item["age_days"]), item["source"]] for item in items]
        terminal.simple_table(_console(), _("Facts older than {days} days: {count}").format(days=days, count=len(items)),
                              [_("Fact"), _("As of"), _("Age (days)"), _("Source")], rows)

    @catalog_app.command("sync", help=_("Refresh open-weight facts from the Hugging Face Hub into the overlay catalog.\n\n"
                                        "HF_TOKEN unlocks gated repositories, HF_ENDPOINT selects a mirror, and "
                                        "LLMPICK_HUB_TIMEOUT sets the seconds to wait per request (default 10).\n\n"
                                        "Example: llmpick catalog sync qwen3-32b --dry-run"))
    def catalog_sync(
        models: Annotated[Optional[list[str]], typer.Argument(metavar="[MODEL...]", help=_("Model ids; all open models when omitted."))] = None,
        dry_run: Annotated[bool, typer.Option("--dry-run", help=_("Show the changes without writing."))] = False,
    ) -> None:
        from llmpick.hub import sync_catalog

        sync_catalog(_index(), models or [], dry_run=dry_run, console=_console(stderr=True), out=_console(), today=_today())

    @catalog_app.command("add", help=_("Add an open-weight model from the Hugging Face Hub, marked unreviewed.\n\n"
                                       "Example: llmpick catalog add Qwen/Qwen3-8B"))
    def catalog_add(
        repo: Annotated[str, typer.Argument(metavar="OWNER/NAME", help=_("Hub repository, owner/name."))],
        vendor: Annotated[Optional[str], typer.Option("--vendor", metavar="ID", help=_("Vendor id; guessed from the owner when omitted."))] = None,
    ) -> None:
        from llmpick.hub import add_model

        add_model(_index(), repo, vendor=vendor, console=_console(stderr=True), today=_today())

    return app


def _prescan_language(argv: list[str]) -> str | None:
    for position, argument in enumerate(argv):
        if argument == "--lang" and position + 1 < len(argv):
            return argv[position + 1]
        if argument.startswith("--lang="):
            return argument.split("=", 1)[1]
    return None


def run(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code; domain errors become one `Error:` line."""
    argv = list(sys.argv[1:] if argv is None else argv)
    set_language(detect_language(_prescan_language(argv)))
    configured = os.environ.get(ENV_VARIABLE)
    if configured and normalize_language(configured) is None:
        print(_("Error: {message}").format(message=_("{variable}: unknown language '{value}'; use one of {choices}.").format(
            variable=ENV_VARIABLE, value=configured, choices=", ".join(LANGUAGES))), file=sys.stderr)
        return InputError.exit_code
    app = create_app()
    try:
        app(args=argv, prog_name="llmpick", standalone_mode=True)
    except SystemExit as exc:
        if exc.code is None:
            return 0
        return exc.code if isinstance(exc.code, int) else 1
    except LlmpickError as exc:
        print(_("Error: {message}").format(message=exc.message), file=sys.stderr)
        if exc.hint:
            print(_("Hint: {hint}").format(hint=exc.hint), file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader (for example `head`) closed the pipe; stop quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Exception as exc:  # noqa: BLE001 - the last line of defence before a raw traceback
        if _State.debug or "--debug" in argv:
            raise
        print(_("Error: unexpected failure: {kind}: {message}").format(kind=type(exc).__name__, message=exc), file=sys.stderr)
        print(_("Hint: run again with --debug for the traceback, and report it."), file=sys.stderr)
        return 1
    return 0


def main() -> None:
    sys.exit(run())
