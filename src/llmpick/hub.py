"""`catalog sync` and `catalog add`: read open-weight facts from the Hugging Face Hub into the overlay.

Both commands read every repository first and write the overlay once at the end,
with `write_atomic`. A failure at any repository therefore leaves the previous
overlay byte for byte.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from llmpick.catalog.index import CatalogIndex
from llmpick.catalog.loader import deep_merge, overlay_path
from llmpick.catalog.schema import Model
from llmpick.errors import HubError, InputError
from llmpick.files import write_atomic
from llmpick.hub_client import read_repos
from llmpick.hub_facts import (
    FactChange,
    HubRepo,
    architecture_changes,
    architecture_fields,
    catalog_license_id,
    format_value,
    license_tag,
    total_params_b,
    vendor_for_owner,
)
from llmpick.i18n import _
from llmpick.validation import read_yaml

if TYPE_CHECKING:
    from rich.console import Console

REPO_PATTERN = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")
MODEL_ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
OVERLAY_HEADER = (
    "# Written by `llmpick catalog sync` and `llmpick catalog add`. Each model entry is merged\n"
    "# by id over the shipped catalog. These commands rewrite the file and drop comments.\n"
)


@dataclass(frozen=True)
class SyncReport:
    """Result of `sync_catalog`: the models checked, the changes found and the overlay written."""

    checked: tuple[str, ...]
    changes: tuple[FactChange, ...]
    notes: tuple[str, ...]
    written: Path | None
    """The overlay written, or None for a dry run or when no model was checked."""


def _hub_stats(repo: HubRepo, today: dt.date) -> dict[str, Any]:
    return {
        "source": repo.url,
        "as_of": today,
        "downloads": repo.downloads,
        "likes": repo.likes,
        "last_modified": repo.last_modified.date() if repo.last_modified else None,
        "gated": repo.gated,
        "license_tag": license_tag(repo),
    }


def _architecture(repo: HubRepo, today: dt.date) -> tuple[dict[str, Any] | None, str | None]:
    """Build the architecture block from config.json, or return None and the reason it cannot be built."""
    if repo.config is None:
        return None, _("the repository has no config.json")
    found, reason = architecture_fields(repo.config, repo.safetensors_parameters)
    if found is None:
        return None, reason
    return {"source": repo.config_url, "as_of": today, **found}, None


def _sync_entry(model: Model, repo: HubRepo, today: dt.date, license_ids: set[str]) -> tuple[dict[str, Any], list[FactChange], list[str]]:
    """Build the overlay entry that refreshes `model` from `repo`, with its changes and notes.

    Every fact the Hub settles is written with today's `as_of`, changed or not, so
    `catalog stale` counts it as checked. The license is only compared, because a
    license change needs a person to read the new terms.
    """
    entry: dict[str, Any] = {"id": model.id, "vendor": model.vendor}
    changes: list[FactChange] = []
    notes: list[str] = []

    architecture, reason = _architecture(repo, today)
    if architecture is None:
        notes.append(_("{id}: architecture not checked: {reason}.").format(id=model.id, reason=reason))
    else:
        changes.extend(architecture_changes(model, architecture))
        entry["architecture"] = architecture

    total = total_params_b(repo)
    if total is None:
        notes.append(_("{id}: parameters not checked: the Hub has no safetensors metadata.").format(id=model.id))
    else:
        params: dict[str, Any] = {"source": repo.url, "as_of": today, "total_b": total}
        old_total = model.params.total_b if model.params else None
        if old_total != total:
            changes.append(FactChange(model.id, "params.total_b", old_total, total))
        # Dense models activate every parameter; the active share of an MoE model is not in the metadata.
        if architecture is not None and architecture["experts"] is None:
            params["active_b"] = total
            old_active = model.params.active_b if model.params else None
            if old_active != total:
                changes.append(FactChange(model.id, "params.active_b", old_active, total))
        entry["params"] = params

    stats = _hub_stats(repo, today)
    old_gated = model.hub.gated if model.hub else False
    if old_gated != stats["gated"]:
        changes.append(FactChange(model.id, "hub.gated", old_gated, stats["gated"]))
    entry["hub"] = stats

    tag = stats["license_tag"]
    if tag is not None and catalog_license_id(tag, license_ids) != model.license:
        changes.append(FactChange(model.id, "license", model.license, _("Hub: {tag}").format(tag=tag), written=False))
    return entry, changes, notes


def _validate_entry(base: dict[str, Any], entry: dict[str, Any], repo: str) -> Model:
    """Check that `entry`, merged over `base` as the loader will merge it, is a valid Model."""
    try:
        return Model.model_validate(deep_merge(base, entry))
    except ValidationError as exc:
        first = exc.errors()[0]
        location = ".".join(str(part) for part in first["loc"])
        raise HubError(
            _("{repo}: the Hub facts do not fit the catalog schema at {location} ({problem}).").format(
                repo=repo, location=location or "(top level)", problem=first["msg"])
        ) from None


def _models_to_sync(index: CatalogIndex, model_ids: Sequence[str]) -> list[Model]:
    """Return the requested models in the given order, or every open model with an `hf_repo`, sorted by id."""
    if not model_ids:
        return sorted((model for model in index.catalog.models if model.is_open and model.hf_repo), key=lambda model: model.id)
    models: list[Model] = []
    for model_id in model_ids:
        model = index.model(model_id)
        if not model.is_open or not model.hf_repo:
            raise InputError(
                _("model '{id}' has no hf_repo in the catalog, so the Hub has nothing to check.").format(id=model.id)
            )
        if model not in models:
            models.append(model)
    return models


def _print_changes(out: Console, changes: Sequence[FactChange]) -> None:
    from llmpick.render import terminal

    rows = []
    for change in changes:
        new = format_value(change.new)
        if not change.written:
            new += " " + _("(not written: review by hand)")
        rows.append([change.model_id, change.field, format_value(change.old), new])
    terminal.simple_table(out, _("Changes from the Hub"), [_("Model"), _("Field"), _("Catalog"), _("Hub")], rows)


def sync_catalog(
    index: CatalogIndex,
    model_ids: Sequence[str],
    *,
    dry_run: bool = False,
    console: Console,
    out: Console,
    today: dt.date | None = None,
    timeout: float | None = None,
) -> SyncReport:
    """Refresh open-weight facts from the Hub and write them to the overlay.

    Prints the differences to `out` and progress to `console`. With `dry_run`, writes
    nothing. Raises `HubError` when any repository cannot be read, before writing.
    """
    today = today or dt.date.today()
    models = _models_to_sync(index, model_ids)
    if not models:
        out.print(_("No open-weight model in the catalog names an hf_repo, so there is nothing to sync."), markup=False)
        return SyncReport((), (), (), None)

    repos = read_repos([model.hf_repo or "" for model in models], console, timeout)

    license_ids = set(index.licenses)
    entries = []
    changes: list[FactChange] = []
    notes: list[str] = []
    for model, repo in zip(models, repos, strict=True):
        entry, model_changes, model_notes = _sync_entry(model, repo, today, license_ids)
        _validate_entry(model.model_dump(), entry, repo.repo)
        entries.append(entry)
        changes.extend(model_changes)
        notes.extend(model_notes)

    if changes:
        _print_changes(out, changes)
    for note in notes:
        out.print(note, markup=False, highlight=False)
    written = [change for change in changes if change.written]
    reviews = len(changes) - len(written)
    out.print(
        _("Checked {models} model(s) on the Hub: {changed} fact(s) changed in {changed_models} model(s), "
          "{reviews} license difference(s) to review.").format(
            models=len(models), changed=len(written), changed_models=len({change.model_id for change in written}),
            reviews=reviews),
        markup=False, highlight=False,
    )

    path = overlay_path()
    if dry_run:
        console.print(_("Dry run: {path} was not changed.").format(path=path), markup=False, highlight=False)
        return SyncReport(tuple(model.id for model in models), tuple(changes), tuple(notes), None)
    _write_overlay(path, entries)
    console.print(_("Wrote {path}").format(path=path), markup=False, highlight=False)
    return SyncReport(tuple(model.id for model in models), tuple(changes), tuple(notes), path)


def _check_new_model(index: CatalogIndex, repo: str, vendor: str | None) -> tuple[str, str]:
    """Return the new model's id and vendor, or raise `InputError` before any Hub request."""
    if not REPO_PATTERN.match(repo):
        raise InputError(_("'{repo}' is not a Hub repository id; use owner/name, such as Qwen/Qwen3-8B.").format(repo=repo))
    owner, name = repo.split("/")
    model_id = name.lower()
    if not MODEL_ID_PATTERN.match(model_id):
        raise InputError(
            _("the repository name '{name}' does not make a valid model id (lower-case letters, digits, '.', '_' "
              "and '-'); add the model to a catalog file by hand.").format(name=name)
        )
    if model_id in index.models:
        raise InputError(
            _("model id '{id}' already exists in the catalog ({origin}); refresh it with `llmpick catalog sync {id}`.").format(
                id=model_id, origin=index.catalog.origins.get(model_id, "catalog"))
        )
    for model in index.catalog.models:
        if model.hf_repo and model.hf_repo.lower() == repo.lower():
            raise InputError(
                _("{repo} is already in the catalog as model '{id}'; refresh it with `llmpick catalog sync {id}`.").format(
                    repo=repo, id=model.id)
            )

    vendor_id = vendor or vendor_for_owner(owner)
    if vendor_id is None:
        raise InputError(
            _("no vendor is known for the Hub owner '{owner}'; pass --vendor with a vendor id from vendors.yaml.").format(owner=owner)
        )
    if vendor_id not in index.vendors:
        raise InputError(
            _("unknown vendor id '{vendor}'; add it to vendors.yaml or pass --vendor with one of: {choices}.").format(
                vendor=vendor_id, choices=", ".join(sorted(index.vendors)))
        )
    return model_id, vendor_id


def add_model(
    index: CatalogIndex,
    repo: str,
    *,
    vendor: str | None = None,
    console: Console,
    today: dt.date | None = None,
    timeout: float | None = None,
) -> Model:
    """Create an unreviewed catalog entry for a Hub repository and append it to the overlay.

    Raises `InputError` for an id already in the catalog, an unknown vendor or a
    license the catalog lacks, and `HubError` when the Hub cannot be read.
    """
    today = today or dt.date.today()
    repo = repo.strip()
    model_id, vendor_id = _check_new_model(index, repo, vendor)
    hub_repo = read_repos([repo], console, timeout)[0]

    tag = license_tag(hub_repo)
    if tag is None:
        raise InputError(
            _("{repo} declares no license on the Hub, so llmpick cannot tell its terms. "
              "Add the model to a catalog file by hand.").format(repo=hub_repo.repo)
        )
    license_id = catalog_license_id(tag, set(index.licenses))
    if license_id is None:
        raise InputError(
            _("{repo}: the Hub license tag '{tag}' matches no catalog license. Add the license to licenses.yaml "
              "(or to a 'licenses' list in a --catalog file), then run the command again.").format(
                repo=hub_repo.repo, tag=tag)
        )

    entry: dict[str, Any] = {
        "id": model_id,
        "name": hub_repo.repo.split("/", 1)[1],
        "vendor": vendor_id,
        "weights": "open",
        "license": license_id,
        "hf_repo": hub_repo.repo,
        "hub": _hub_stats(hub_repo, today),
        "unreviewed": True,
    }
    architecture, reason = _architecture(hub_repo, today)
    if architecture is not None:
        entry["architecture"] = architecture
    else:
        console.print(_("{repo}: no architecture block: {reason}.").format(repo=hub_repo.repo, reason=reason),
                      markup=False, highlight=False)
    total = total_params_b(hub_repo)
    if total is not None:
        # NOTE: active_b stays unknown for MoE models, so the estimator counts all weights as read per token.
        dense = architecture is not None and architecture["experts"] is None
        entry["params"] = {"source": hub_repo.url, "as_of": today, "total_b": total, **({"active_b": total} if dense else {})}

    model = _validate_entry({}, entry, hub_repo.repo)
    path = overlay_path()
    _write_overlay(path, [entry])
    console.print(
        _("Added '{id}' to {path}, marked unreviewed. Check its license, context window and prices before relying on it.").format(
            id=model.id, path=path),
        markup=False, highlight=False,
    )
    return model


def _read_overlay(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    data = read_yaml(path)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputError(_("{path}: expected a mapping with keys such as 'models'.").format(path=path))
    if not isinstance(data.get("models") or [], list):
        raise InputError(_("{path}: 'models' must be a list.").format(path=path))
    return data


def _write_overlay(path: Path, entries: Sequence[dict[str, Any]]) -> None:
    """Merge `entries` by id into the overlay at `path` and replace the file atomically."""
    import yaml

    data = _read_overlay(path)
    models = list(data.get("models") or [])
    positions = {entry.get("id"): position for position, entry in enumerate(models) if isinstance(entry, dict)}
    for entry in entries:
        position = positions.get(entry["id"])
        if position is None:
            positions[entry["id"]] = len(models)
            models.append(entry)
        else:
            models[position] = deep_merge(models[position], entry)
    data["models"] = models

    class Dumper(yaml.SafeDumper):
        # Entries share one `as_of` date object; aliases (&id001) would make the file hard to edit.
        def ignore_aliases(self, data: Any) -> bool:
            return True

    text = yaml.dump(data, Dumper=Dumper, sort_keys=False, allow_unicode=True)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(_("{path}: cannot create the folder ({reason}).").format(path=path.parent, reason=exc.strerror or exc)) from None
    write_atomic(path, OVERLAY_HEADER + text)
