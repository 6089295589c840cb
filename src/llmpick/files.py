"""Atomic file writes: a report or catalog file is either whole or untouched."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from llmpick.errors import InputError
from llmpick.i18n import _


def write_atomic(path: Path, text: str) -> None:
    """Write `text` to a temporary file beside `path`, then rename it over `path`."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(_("{path}: folder {folder} does not exist; create it first.").format(path=path, folder=folder))
    if path.is_dir():
        raise InputError(_("{path}: is a folder; give a file name.").format(path=path))
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise InputError(_("{path}: cannot write ({reason}).").format(path=path, reason=exc.strerror or exc)) from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException as exc:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise InputError(_("{path}: cannot write ({reason}).").format(path=path, reason=exc.strerror or exc)) from None
        raise
