"""Read YAML files and turn parse and validation failures into one-line `InputError`s.

Each message names the file, the key path and the fix, with a "did you mean" for unknown keys.
"""

from __future__ import annotations

import difflib
import types
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from llmpick.errors import InputError
from llmpick.i18n import _, join


def read_yaml(path: Path) -> Any:
    """Parse one YAML file, raising `InputError` for a missing, unreadable or malformed file."""
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(
            _("{path}: file not found. Check the path, or run `llmpick profiles` to list presets.").format(
                path=path
            )
        ) from None
    except IsADirectoryError:
        raise InputError(_("{path}: is a folder, not a YAML file.").format(path=path)) from None
    except UnicodeDecodeError:
        raise InputError(_("{path}: is not UTF-8 text. Save it as UTF-8.").format(path=path)) from None
    except OSError as exc:
        raise InputError(
            _("{path}: cannot be read ({reason}).").format(path=path, reason=exc.strerror or exc)
        ) from None

    try:
        return yaml.load(text, Loader=_unique_key_loader())  # noqa: S506 - a SafeLoader subclass
    except DuplicateKeyError as exc:
        raise InputError(
            _("{path}:{line}: duplicate key '{key}'; keep one of them.").format(path=path, line=exc.line, key=exc.key)
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}:{mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(
            _("{path}{where}: malformed YAML ({problem}). Fix the syntax at that line.").format(
                path=path, where=where, problem=problem
            )
        ) from None


class DuplicateKeyError(Exception):
    def __init__(self, key: str, line: int) -> None:
        super().__init__(key)
        self.key = key
        self.line = line


_LOADER: type | None = None


def _unique_key_loader() -> type:
    """Build a safe loader (the C one when available) that rejects a key given twice in one mapping.

    PyYAML keeps the last of two equal keys without a word, so `extends:` written twice
    would silently pick one preset.
    """
    global _LOADER
    if _LOADER is None:
        import yaml

        base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

        class UniqueKeyLoader(base):  # type: ignore[misc, valid-type]
            def construct_mapping(self, node, deep=False):  # noqa: ANN001, ANN202 - PyYAML's signature
                seen = set()
                for key_node, _value_node in node.value:
                    if key_node.tag == "tag:yaml.org,2002:merge":
                        continue  # A `<<:` merge key; keys it brings in may be overridden.
                    key = self.construct_object(key_node, deep=deep)
                    if key in seen:
                        raise DuplicateKeyError(str(key), key_node.start_mark.line + 1)
                    seen.add(key)
                return super().construct_mapping(node, deep=deep)

        _LOADER = UniqueKeyLoader
    return _LOADER


def format_location(loc: tuple[Any, ...]) -> str:
    """Render a pydantic location as `traffic.requests_per_day` or `models[3].params`."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or "(top level)"


def _unwrap(annotation: Any) -> list[Any]:
    """Return the classes an annotation may hold, looking through Optional, list and dict."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        found: list[Any] = []
        for arg in typing.get_args(annotation):
            found.extend(_unwrap(arg))
        return found
    if origin in (list, tuple, set, frozenset):
        args = typing.get_args(annotation)
        return _unwrap(args[0]) if args else []
    if origin is dict:
        args = typing.get_args(annotation)
        return _unwrap(args[1]) if len(args) == 2 else []
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    return [annotation]


def model_at(root: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """Find the pydantic model class that owns the key at the end of `loc`."""
    current: list[Any] = [root]
    for part in loc:
        if isinstance(part, int):
            continue
        following: list[Any] = []
        for cls in current:
            if isinstance(cls, type) and issubclass(cls, BaseModel):
                field = cls.model_fields.get(part)
                if field is not None:
                    following.extend(_unwrap(field.annotation))
            else:
                # A dict key (task id, benchmark id) keeps the value type.
                following.append(cls)
        current = following
    for cls in current:
        if isinstance(cls, type) and issubclass(cls, BaseModel):
            return cls
    return None


def suggest(word: str, choices: typing.Iterable[str]) -> str | None:
    """Return the closest choice to a mistyped `word`, also matching against each choice's first word."""
    options = list(choices)
    matches = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if matches:
        return matches[0]
    heads = {option.split("_")[0]: option for option in reversed(options)}
    matches = difflib.get_close_matches(word, list(heads), n=1, cutoff=0.6)
    return heads[matches[0]] if matches else None


def _bound_messages() -> dict[str, tuple[str, str]]:
    """Map pydantic's range error types to the context key holding the limit, and the translated rule."""
    return {
        "greater_than": ("gt", _("it must be greater than {limit}")),
        "greater_than_equal": ("ge", _("it must be at least {limit}")),
        "less_than": ("lt", _("it must be less than {limit}")),
        "less_than_equal": ("le", _("it must be at most {limit}")),
    }


def describe_error(root: type[BaseModel], error: dict[str, Any]) -> str:
    """Describe one pydantic error in one sentence: the key path, what is wrong, and the fix."""
    loc = tuple(error["loc"])
    key = format_location(loc)
    kind = error["type"]
    value = error.get("input")

    if kind == "extra_forbidden":
        owner = model_at(root, loc[:-1]) if len(loc) > 1 else root
        allowed = sorted(owner.model_fields) if owner else []
        guess = suggest(str(loc[-1]), allowed)
        if guess:
            return _("unknown key '{key}' (did you mean '{guess}'?)").format(key=key, guess=guess)
        return _("unknown key '{key}'; allowed keys here: {allowed}").format(key=key, allowed=", ".join(allowed))

    if kind == "missing":
        return _("required key '{key}' is missing; add it").format(key=key)

    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        return _("'{key}' has the invalid value {value!r}; use one of {expected}").format(
            key=key, value=value, expected=expected
        )

    if kind == "string_pattern_mismatch" and "languages" in loc:
        return _("'{key}' = {value!r} is not a language code; use ISO 639-1 codes such as zh or en").format(
            key=key, value=value
        )

    bounds = _bound_messages()
    if kind in bounds:
        context_key, rule = bounds[kind]
        limit = error.get("ctx", {}).get(context_key)
        return _("'{key}' = {value!r} is out of range: {detail}").format(
            key=key, value=value, detail=rule.format(limit=limit)
        )

    if kind == "finite_number":
        return _("'{key}' = {value!r} is not a finite number; give a real amount").format(key=key, value=value)

    if not loc:
        # A check across several keys: its input is the whole file, too long to repeat.
        return str(error["msg"]).removeprefix("Value error, ")
    return _("'{key}' is invalid: {detail} (got {value!r})").format(key=key, detail=error["msg"], value=value)


def raise_validation_error(path: Path | str, root: type[BaseModel], exc: ValidationError) -> typing.NoReturn:
    errors = exc.errors(include_url=False)
    first = describe_error(root, errors[0])
    more = ""
    hint = None
    if len(errors) > 1:
        more = " " + _("({count} more problems in this file)").format(count=len(errors) - 1)
        hint = _("also: {problems}").format(problems=join(describe_error(root, error) for error in errors[1:4]))
    raise InputError(_("{path}: {problem}.").format(path=path, problem=first) + more, hint=hint) from None


def require_mapping(path: Path | str, data: Any) -> dict[str, Any]:
    """Return parsed YAML as a mapping (empty for an empty file), or raise for a list or a scalar."""
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputError(
            _("{path}: expected a mapping of keys at the top level, found {kind}.").format(
                path=path, kind=type(data).__name__
            )
        )
    return data


def validate_document(path: Path | str, root: type[BaseModel], data: Any) -> Any:
    """Validate parsed YAML against `root`, raising a one-line `InputError` on failure."""
    data = require_mapping(path, data)
    try:
        return root.model_validate(data)
    except ValidationError as exc:
        raise_validation_error(path, root, exc)
