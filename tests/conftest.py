"""Test isolation: no user overlay, no shared cache, a fixed date, English, no network."""

import os

import pytest

# huggingface_hub reads these at import time; no test may reach the real Hub.
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("LLMPICK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("LLMPICK_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("LLMPICK_TODAY", "2026-12-04")
    monkeypatch.setenv("COLUMNS", "200")
    from llmpick.i18n import set_language

    # set_language writes LANGUAGE for typer's gettext domain, and detect_language
    # reads LANGUAGE before LANG, so the variables are cleared after the reset.
    set_language("en")
    for variable in ("LLMPICK_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    yield
    set_language("en")
