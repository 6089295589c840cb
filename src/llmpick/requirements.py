"""The requirements file: its schema, presets (`extends`) and loading."""

from __future__ import annotations

import datetime as dt
import re
import typing
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BeforeValidator,
    ConfigDict,
    Field,
    NonNegativeFloat,
    NonNegativeInt,
    PositiveFloat,
    PositiveInt,
    model_validator,
)

from llmpick.catalog.loader import deep_merge, shipped_catalog_dir
from llmpick.catalog.schema import Currency, Region, Strict
from llmpick.errors import InputError, NotFoundError
from llmpick.i18n import _
from llmpick.validation import read_yaml, require_mapping, suggest, validate_document

CRITERIA = ("cost", "license", "language", "hardware", "task")
LANGUAGE_CODE = r"^[a-z]{2,3}$"


def _base_language(value: Any) -> Any:
    """Reduce a tag such as zh-CN or zh_Hans to its ISO 639-1 code (zh); the catalog lists base codes."""
    if isinstance(value, str):
        return value.replace("_", "-").split("-")[0].lower()
    return value


LanguageCode = Annotated[str, BeforeValidator(_base_language), Field(pattern=LANGUAGE_CODE)]


class Input(Strict):
    # Infinity and NaN parse from YAML (.inf, .nan) but make every cost meaningless.
    model_config = ConfigDict(allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _booleans_are_not_numbers(cls, data: Any) -> Any:
        """Turn YAML's true/false into text where a number belongs, so the field's own check rejects it.

        Pydantic would otherwise read `true` as 1 in a number field, and the error then
        names the key, which a check here at the model level could not.
        """
        if not isinstance(data, dict):
            return data
        cleaned = dict(data)
        for name, field in cls.model_fields.items():
            if name not in cleaned or bool in (field.annotation, *typing.get_args(field.annotation)):
                continue
            value = cleaned[name]
            if isinstance(value, bool):
                cleaned[name] = str(value).lower()
            elif isinstance(value, dict):
                cleaned[name] = {key: str(item).lower() if isinstance(item, bool) else item for key, item in value.items()}
        return cleaned


class LanguageNeeds(Input):
    required: list[LanguageCode] = Field(default_factory=list, description="ISO 639-1 codes such as zh or en. A model whose vendor lists its languages without one of these is excluded.")
    preferred: list[LanguageCode] = Field(default_factory=list, description="Codes that raise the language score when supported.")


class Deployment(Input):
    mode: Literal["api", "self_hosted", "either"] = "either"
    region: Region | None = Field(None, description="Region of the API endpoint or the servers; `None` accepts any region.")
    users_in: Region | None = Field(None, description="Region of the product's users; license territory limits are checked against it.")
    public_service_cn: bool = Field(False, description="The product is a generative AI service offered to the public in mainland China.")
    providers: list[str] | None = Field(None, description="Only these API providers, when set.")


class Traffic(Input):
    requests_per_day: PositiveFloat
    input_tokens: PositiveInt = Field(description="Input tokens per request, including the system prompt and retrieved context.")
    output_tokens: PositiveInt
    cached_input_share: float = Field(default=0.0, ge=0, le=1, description="Share of input tokens billed at the cached-input price.")
    peak_factor: float = Field(default=3.0, ge=1, description="Peak hourly load divided by the daily average; sizes self-hosted capacity.")
    monthly_active_users: PositiveInt | None = None
    chinese_input_chars: NonNegativeInt = Field(0, description="Chinese characters per request on top of `input_tokens`, counted in each model's own tokens.")
    chinese_output_chars: NonNegativeInt = 0


class Budget(Input):
    currency: Currency = Field(description="Currency of the budget and of every cost shown.")
    monthly: PositiveFloat | None = None
    hard: bool = Field(False, description="True: candidates over `monthly` are excluded. False: they only score lower.")


class GpuSet(Input):
    id: str
    count: PositiveInt = 1
    used_gb: NonNegativeFloat = Field(0.0, description="Memory already in use on each card, in GB; it is not available to the model.")


class Hardware(Input):
    gpus: list[GpuSet] = Field(default_factory=list, description="GPU sets you have or will rent; each is one alternative. Empty: llmpick picks rentable GPUs.")
    ownership: Literal["rent", "own"] = "rent"
    utilization: float = Field(default=0.6, gt=0, le=1, description="Share of the month the GPUs do useful work; self-hosted cost per request grows as it falls.")
    amortization_months: PositiveInt = 36
    electricity_price_per_kwh: PositiveFloat | None = Field(None, description="For owned GPUs, in the budget currency.")
    precision: str = Field("auto", description="`auto` picks the highest-quality precision that fits; or a name such as `Q4_K_M`, `fp8`, `native`.")
    kv_cache_dtype: Literal["fp16", "bf16", "fp8"] = "fp16"


class LicenseNeeds(Input):
    commercial_use: bool = True
    open_weights: bool = Field(False, description="True: only models whose weights you can download.")
    expected_monthly_active_users: NonNegativeInt | None = None
    fine_tune: bool = False
    redistribute_weights: bool = False
    distill_outputs: bool = Field(False, description="You plan to train other models on this model's outputs.")


class ContextNeeds(Input):
    min_tokens: PositiveInt | None = Field(None, description="Candidates with a shorter context window are excluded; the KV cache is sized at this many tokens.")


class Weights(Input):
    cost: NonNegativeFloat = 0.25
    license: NonNegativeFloat = 0.15
    language: NonNegativeFloat = 0.2
    hardware: NonNegativeFloat = 0.1
    task: NonNegativeFloat = 0.3

    @model_validator(mode="after")
    def _some_weight(self) -> Weights:
        if sum(self.as_dict().values()) <= 0:
            raise ValueError("at least one weight must be above 0")
        return self

    def as_dict(self) -> dict[str, float]:
        return {name: getattr(self, name) for name in CRITERIA}


class RateOverrides(Input):
    USD_CNY: PositiveFloat | None = None
    EUR_CNY: PositiveFloat | None = None
    EUR_USD: PositiveFloat | None = None
    as_of: dt.date | None = None


class Requirements(Input):
    """A company's requirements for the model its product runs on."""

    extends: str | None = None
    name: str | None = None
    description: str | None = None
    name_zh: str | None = Field(None, description="Chinese name, shown when the language is zh-CN.")
    description_zh: str | None = None
    tasks: dict[str, NonNegativeFloat] = Field(description="Task id -> weight. Run `llmpick tasks` for the ids.")
    languages: LanguageNeeds = Field(default_factory=LanguageNeeds)
    deployment: Deployment = Field(default_factory=Deployment)
    traffic: Traffic
    budget: Budget | None = None
    hardware: Hardware = Field(default_factory=Hardware)
    license: LicenseNeeds = Field(default_factory=LicenseNeeds)
    context: ContextNeeds = Field(default_factory=ContextNeeds)
    weights: Weights = Field(default_factory=Weights)
    exchange_rates: RateOverrides | None = None

    @model_validator(mode="after")
    def _some_task(self) -> Requirements:
        if not any(weight > 0 for weight in self.tasks.values()):
            raise ValueError("tasks: give at least one task a weight above 0")
        return self

    @property
    def currency(self) -> str:
        return self.budget.currency if self.budget else "USD"

    @property
    def context_tokens(self) -> int:
        """Tokens held per stream: the required context, else one request's input plus output."""
        if self.context.min_tokens:
            return self.context.min_tokens
        return self.traffic.input_tokens + self.traffic.output_tokens


def profiles_dir() -> Path:
    return shipped_catalog_dir() / "profiles"


def profile_ids() -> list[str]:
    return sorted(path.stem for path in profiles_dir().glob("*.yaml"))


PROFILE_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


def profile_path(profile_id: str) -> Path:
    path = profiles_dir() / f"{profile_id}.yaml"
    # An id is a name, never a path: "../x" must not read a file outside the presets.
    if not PROFILE_ID.match(profile_id) or not path.is_file():
        ids = profile_ids()
        guess = suggest(profile_id, ids)
        hint = _(" Did you mean '{guess}'?").format(guess=guess) if guess else ""
        if profile_id.endswith((".yaml", ".yml")):
            hint = _(" For a requirements file, use -r {path}.").format(path=profile_id)
        raise NotFoundError(
            _("unknown preset '{id}'.{hint} Presets: {choices}.").format(
                id=profile_id[:80], hint=hint, choices=", ".join(ids)
            )
        )
    return path


def _parent_path(path: Path, parent: Any) -> Path:
    """Resolve an `extends` value: a .yaml file relative to `path`, or a preset id."""
    if not isinstance(parent, str):
        raise InputError(
            _("{path}: 'extends' must be a preset id such as cn-customer-service, or a .yaml file.").format(path=path)
        )
    if parent.endswith((".yaml", ".yml")):
        parent_path = (path.parent / parent).resolve()
        if not parent_path.is_file():
            raise InputError(_("{path}: extends: {parent} not found.").format(path=path, parent=parent_path))
        return parent_path
    try:
        return profile_path(parent)
    except NotFoundError as exc:
        raise InputError(f"{path}: extends: {exc.message}") from None


def _resolve_raw(path: Path, seen: tuple[str, ...] = ()) -> dict[str, Any]:
    """Read a requirements document and merge it over the file or preset it extends, recursively."""
    data = require_mapping(path, read_yaml(path))
    parent = data.get("extends")
    if parent is None:
        return data

    parent_path = _parent_path(path, parent)
    if str(parent_path) in seen:
        raise InputError(_("{path}: files extend each other in a loop: {chain}.").format(
            path=path, chain=" -> ".join((*seen, str(parent_path)))
        ))
    base = _resolve_raw(parent_path, (*seen, str(path.resolve()), str(parent_path)))

    own = {key: value for key, value in data.items() if key != "extends"}
    # A file that renames the preset keeps its own name in every language.
    for key in ("name", "description"):
        if key in own and f"{key}_zh" not in own:
            base.pop(f"{key}_zh", None)
    merged = deep_merge(base, own)
    merged["extends"] = parent
    return merged


def load_requirements(path: Path | None = None, profile: str | None = None) -> Requirements:
    """Load a requirements file or a preset; exactly one of the two must be given."""
    if (path is None) == (profile is None):
        raise InputError(
            _("give a requirements file with -r FILE or a preset with --profile ID (not both)."),
            hint=_("Run `llmpick profiles` to list presets, or `llmpick init` to write a file."),
        )
    source = path if path is not None else profile_path(profile or "")
    raw = _resolve_raw(source)
    return validate_document(source, Requirements, raw)


def profile_summaries(chinese: bool = False) -> list[dict[str, str]]:
    """Return the id, name and description of each shipped preset, in Chinese where given and asked for."""
    summaries = []
    for profile_id in profile_ids():
        data = read_yaml(profiles_dir() / f"{profile_id}.yaml") or {}
        name = (chinese and data.get("name_zh")) or data.get("name") or profile_id
        description = (chinese and data.get("description_zh")) or data.get("description") or ""
        summaries.append({"id": profile_id, "name": name, "description": description})
    return summaries
