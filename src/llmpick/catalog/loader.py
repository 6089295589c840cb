"""Find, merge, check and cache the catalog.

Precedence, lowest first: the shipped catalog, the Hub overlay written by
`catalog sync`, then each `--catalog PATH` in the order given. A later entry with
the same id is merged key by key over the earlier one, so an overlay can patch
one fact. The validated result is cached as JSON, keyed by every file's size and
modification time. The cache is a pickle of the validated objects: loading it
builds no pydantic validators, which would cost more than the rest of a run. It
lives in the user's own cache folder and is rebuilt when any input file changes.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from llmpick import __version__
from llmpick.catalog.schema import (
    BenchmarkDefinition,
    Catalog,
    ExchangeRate,
    Gpu,
    License,
    Model,
    ModelFile,
    Provider,
    TaskDefinition,
    Vendor,
)
from llmpick.errors import InputError
from llmpick.i18n import _
from llmpick.validation import raise_validation_error, read_yaml, suggest, validate_document

# File name -> (catalog section, item class). Models live in models/*.yaml.
TABLE_FILES: dict[str, tuple[str, type]] = {
    "vendors.yaml": ("vendors", Vendor),
    "licenses.yaml": ("licenses", License),
    "gpus.yaml": ("gpus", Gpu),
    "providers.yaml": ("providers", Provider),
    "exchange_rates.yaml": ("exchange_rates", ExchangeRate),
    "tasks.yaml": ("tasks", TaskDefinition),
    "benchmarks.yaml": ("benchmarks", BenchmarkDefinition),
}
SECTIONS = ("models", "vendors", "licenses", "gpus", "providers", "exchange_rates", "tasks", "benchmarks")
OVERLAY_KEYS = frozenset({"vendor", *SECTIONS})


def shipped_catalog_dir() -> Path:
    """Return the catalog folder: inside the installed wheel, or at the repository root for a source checkout."""
    packaged = Path(__file__).resolve().parent.parent / "catalog_data"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "catalog"


def overlay_path() -> Path:
    """Return the path of the overlay that `catalog sync` and `catalog add` write, in the user's data folder."""
    override = os.environ.get("LLMPICK_DATA_DIR")
    if override:
        return Path(override) / "hub-overlay.yaml"
    from platformdirs import user_data_dir

    return Path(user_data_dir("llmpick", appauthor=False)) / "hub-overlay.yaml"


def _cache_dir() -> Path:
    override = os.environ.get("LLMPICK_CACHE_DIR")
    if override:
        return Path(override)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("llmpick", appauthor=False))


def shipped_files(root: Path) -> list[Path]:
    files = [root / name for name in TABLE_FILES]
    files += sorted((root / "models").glob("*.yaml"))
    return files


def _item_key(section: str, item: dict[str, Any]) -> str:
    if section == "exchange_rates":
        return f"{item.get('base')}/{item.get('quote')}"
    return str(item.get("id"))


def deep_merge(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """Merge `patch` over `base` key by key; lists and scalars in `patch` replace."""
    merged = dict(base)
    for key, value in patch.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


class _Collector:
    """Raw catalog entries by section and id, with the file that defined each."""

    def __init__(self) -> None:
        self.items: dict[str, dict[str, dict[str, Any]]] = {section: {} for section in SECTIONS}
        self.origins: dict[str, dict[str, str]] = {section: {} for section in SECTIONS}

    def add(self, section: str, item: dict[str, Any], origin: str, *, patch: bool) -> None:
        key = _item_key(section, item)
        existing = self.items[section].get(key)
        if existing is not None and not patch:
            raise InputError(
                _("{path}: duplicate {section} id '{id}', already defined in {other}.").format(
                    path=origin, section=section, id=key, other=self.origins[section][key]
                )
            )
        self.items[section][key] = deep_merge(existing, item) if existing is not None else item
        self.origins[section][key] = origin


def _load_shipped(root: Path, collector: _Collector) -> None:
    for name, (section, item_class) in TABLE_FILES.items():
        path = root / name
        data = read_yaml(path)
        if not isinstance(data, list):
            raise InputError(_("{path}: expected a list of entries.").format(path=path))
        for index, entry in enumerate(data):
            if not isinstance(entry, dict):
                raise InputError(_("{path}: entry {index} is not a mapping.").format(path=path, index=index))
            try:
                item_class.model_validate(entry)
            except ValidationError as exc:
                raise_validation_error(f"{path} [{index}]", item_class, exc)
            collector.add(section, entry, str(path), patch=False)

    for path in sorted((root / "models").glob("*.yaml")):
        data = read_yaml(path)
        validate_document(path, ModelFile, data)
        for entry in data["models"]:
            collector.add("models", {**entry, "vendor": data["vendor"]}, str(path), patch=False)


def _load_overlay(path: Path, collector: _Collector) -> None:
    """Merge one overlay file: any catalog section, entries matched by id."""
    data = read_yaml(path)
    if data is None:
        return
    if not isinstance(data, dict):
        raise InputError(_("{path}: expected a mapping with keys such as 'models'.").format(path=path))
    for key in data:
        if key not in OVERLAY_KEYS:
            guess = suggest(str(key), OVERLAY_KEYS)
            hint = _(" (did you mean '{guess}'?)").format(guess=guess) if guess else ""
            raise InputError(
                _("{path}: unknown key '{key}'{hint}; allowed keys: {allowed}.").format(
                    path=path, key=key, hint=hint, allowed=", ".join(sorted(OVERLAY_KEYS))
                )
            )
    default_vendor = data.get("vendor")
    for section in SECTIONS:
        entries = data.get(section) or []
        if not isinstance(entries, list):
            raise InputError(_("{path}: '{section}' must be a list.").format(path=path, section=section))
        for index, entry in enumerate(entries):
            if not isinstance(entry, dict) or "id" not in entry and section != "exchange_rates":
                raise InputError(
                    _("{path}: {section}[{index}] needs an 'id'.").format(path=path, section=section, index=index)
                )
            if section == "models" and default_vendor and "vendor" not in entry:
                entry = {**entry, "vendor": default_vendor}
            collector.add(section, entry, str(path), patch=True)


def _build(collector: _Collector) -> Catalog:
    built: dict[str, list[Any]] = {}
    classes = {section: item_class for section, item_class in TABLE_FILES.values()}
    classes["models"] = Model
    for section in SECTIONS:
        item_class = classes[section]
        values = []
        for key, entry in collector.items[section].items():
            try:
                values.append(item_class.model_validate(entry))
            except ValidationError as exc:
                raise_validation_error(f"{collector.origins[section][key]} ({section} '{key}')", item_class, exc)
        built[section] = values
    catalog = Catalog(**built, origins=dict(collector.origins["models"]))
    check_references(catalog)
    return catalog


def check_references(catalog: Catalog) -> None:
    """Reject ids that point nowhere: licenses, vendors, providers, tasks' benchmarks."""
    licenses = {item.id for item in catalog.licenses}
    vendors = {item.id for item in catalog.vendors}
    providers = {item.id for item in catalog.providers}
    benchmarks = {item.id for item in catalog.benchmarks}
    for model in catalog.models:
        origin = catalog.origins.get(model.id, "catalog")
        if model.license not in licenses:
            guess = suggest(model.license, licenses)
            hint = _(" (did you mean '{guess}'?)").format(guess=guess) if guess else ""
            raise InputError(
                _("{path}: model '{model}' uses unknown license id '{license}'{hint}; add it to licenses.yaml.").format(
                    path=origin, model=model.id, license=model.license, hint=hint
                )
            )
        if model.vendor not in vendors:
            raise InputError(
                _("{path}: model '{model}' names unknown vendor '{vendor}'; add it to vendors.yaml.").format(
                    path=origin, model=model.id, vendor=model.vendor
                )
            )
        for offering in model.offerings:
            if offering.provider not in providers:
                raise InputError(
                    _("{path}: model '{model}' is offered by unknown provider '{provider}'; add it to providers.yaml.").format(
                        path=origin, model=model.id, provider=offering.provider
                    )
                )
        for benchmark in model.benchmarks:
            if benchmark.name not in benchmarks:
                raise InputError(
                    _("{path}: model '{model}' has a score for unknown benchmark '{name}'; add it to benchmarks.yaml.").format(
                        path=origin, model=model.id, name=benchmark.name
                    )
                )
        if model.is_open and model.architecture is not None:
            arch = model.architecture
            # All layers may be sliding-window (Mistral 7B v0.1), but the counts cannot exceed the total.
            if arch.sliding_layers + arch.linear_layers + arch.mlp_only_layers > arch.layers:
                raise InputError(
                    _("{path}: model '{model}': sliding, linear and MLP-only layers add up to more than layers.").format(
                        path=origin, model=model.id
                    )
                )
    for task in catalog.tasks:
        for name in task.benchmarks:
            if name not in benchmarks:
                raise InputError(
                    _("tasks.yaml: task '{task}' weights unknown benchmark '{name}'.").format(task=task.id, name=name)
                )


def _fingerprint(files: Iterable[Path]) -> str:
    digest = hashlib.sha256(f"{__version__}|{sys.version_info[:2]}".encode())
    # The schema's own file is part of the key, so a changed model class never meets an old pickle.
    for path in (Path(__file__).with_name("schema.py"), *files):
        try:
            stat = path.stat()
        except OSError:
            continue
        digest.update(f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:24]


def _write_cache(path: Path, catalog: Catalog) -> None:
    """Write the cache atomically; a failure only costs speed, so it is ignored."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_bytes(pickle.dumps(catalog, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(temporary, path)
    except OSError:
        pass


def load_catalog(extra: Sequence[Path] = (), *, use_overlay: bool = True, use_cache: bool = True) -> Catalog:
    """Load the shipped catalog, the Hub overlay and the `extra` files, validated and checked."""
    root = shipped_catalog_dir()
    layers = [path for path in extra]
    overlay = overlay_path() if use_overlay else None
    if overlay is not None and overlay.is_file():
        layers.insert(0, overlay)
    for path in extra:
        if not path.is_file():
            raise InputError(_("{path}: catalog file not found.").format(path=path))

    files = shipped_files(root) + layers
    cache_file = _cache_dir() / f"catalog-{_fingerprint(files)}.pickle" if use_cache else None
    if cache_file is not None and cache_file.is_file():
        try:
            cached = pickle.loads(cache_file.read_bytes())  # noqa: S301 - our own file, see the module note
            if isinstance(cached, Catalog):
                return cached
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
            pass  # A damaged or outdated cache is rebuilt below.

    collector = _Collector()
    _load_shipped(root, collector)
    for path in layers:
        _load_overlay(path, collector)
    catalog = _build(collector)
    if cache_file is not None:
        _write_cache(cache_file, catalog)
    return catalog
