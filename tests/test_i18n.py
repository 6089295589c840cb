"""Both languages: catalogs complete and compiled, Chinese chosen by --lang, LLMPICK_LANG or the locale."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from llmpick.cli import run
from llmpick.i18n import LOCALE_DIR, detect_language

PLACEHOLDER = re.compile(r"\{[a-z_]*(?:![rs])?(?::[^}]*)?\}")
DOMAINS = ("llmpick", "messages")


def load_po(domain):
    with open(LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / f"{domain}.po", "rb") as stream:
        return read_po(stream)


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_message_translated(domain):
    catalog = load_po(domain)
    untranslated = [message.id for message in catalog if message.id and not message.string]
    assert untranslated == []
    fuzzy = [message.id for message in catalog if message.id and message.fuzzy]
    assert fuzzy == []


def test_template_messages_all_in_catalog():
    with open(LOCALE_DIR / "llmpick.pot", "rb") as stream:
        template = read_po(stream)
    catalog = load_po("llmpick")
    missing = [message.id for message in template if message.id and message.id not in catalog]
    assert missing == []


@pytest.mark.parametrize("domain", DOMAINS)
def test_translations_keep_placeholders(domain):
    for message in load_po(domain):
        if not message.id:
            continue
        assert sorted(PLACEHOLDER.findall(message.id)) == sorted(PLACEHOLDER.findall(message.string)), message.id


@pytest.mark.parametrize("domain", DOMAINS)
def test_compiled_catalog_matches_source(domain):
    source = {message.id: message.string for message in load_po(domain) if message.id}
    with open(LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / f"{domain}.mo", "rb") as stream:
        compiled = {message.id: message.string for message in read_mo(stream) if message.id}
    assert compiled == source


def test_source_strings_extracted(tmp_path):
    """The .pot must list every message in the code; run pybabel extract to refresh it."""
    root = Path(__file__).resolve().parents[1]
    fresh = tmp_path / "fresh.pot"
    subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", str(root / "babel.cfg"), "-k", "N_",
         "--no-location", "--sort-output", "-o", str(fresh), str(root / "src")],
        check=True, capture_output=True,
    )
    with open(fresh, "rb") as stream:
        expected = {message.id for message in read_po(stream) if message.id}
    with open(LOCALE_DIR / "llmpick.pot", "rb") as stream:
        shipped = {message.id for message in read_po(stream) if message.id}
    assert expected == shipped


@pytest.mark.parametrize("environ,expected", [
    ({"LANG": "zh_CN.UTF-8"}, "zh-CN"),
    ({"LANG": "en_US.UTF-8"}, "en"),
    ({"LLMPICK_LANG": "zh-CN", "LANG": "en_US.UTF-8"}, "zh-CN"),
    ({"LC_ALL": "zh_TW.UTF-8"}, "zh-CN"),
    ({"LANG": "C"}, "en"),
    ({}, "en"),
])
def test_detect_language(environ, expected):
    assert detect_language(None, environ) == expected


def test_explicit_option_wins():
    assert detect_language("en", {"LANG": "zh_CN.UTF-8"}) == "en"


def test_locale_gives_chinese_table(capsys, monkeypatch):
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    assert run(["recommend", "--profile", "cn-customer-service"]) == 0
    out = capsys.readouterr().out
    assert "排名" in out
    assert "月费用" in out
    assert "Ranking for" not in out


def test_env_variable_gives_chinese_error(capsys, monkeypatch):
    monkeypatch.setenv("LLMPICK_LANG", "zh-CN")
    assert run(["recommend", "--profile", "no-such-preset"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("错误：")
    assert "no-such-preset" in err


def test_chinese_help(capsys):
    assert run(["--lang", "zh-CN", "fit", "--help"]) == 0
    out = capsys.readouterr().out
    assert "选项" in out
    assert "显存" in out or "GPU" in out


@pytest.mark.parametrize("preset", ["cn-customer-service", "crossborder-translation", "bulk-classification",
                                    "private-24gb"])
@pytest.mark.parametrize("language,headings", [
    ("en", ("# LLM decision report", "## Summary", "## Excluded", "## Sensitivity", "## Sources")),
    ("zh-CN", ("# 大模型选型报告", "## 摘要", "## 排除的候选", "## 敏感性", "## 来源")),
])
def test_report_for_each_preset_in_both_languages(capsys, tmp_path, preset, language, headings):
    target = tmp_path / f"{preset}.{language}.md"
    code = run(["--lang", language, "recommend", "--profile", preset, "--format", "markdown", "-o", str(target)])
    assert code == 0, capsys.readouterr().err
    text = target.read_text(encoding="utf-8")
    for heading in headings:
        assert heading in text
    assert "| 1 |" in text


def test_presets_listed_in_chinese(capsys):
    assert run(["--lang", "zh-CN", "profiles", "--format", "json"]) == 0
    names = {item["id"]: item["name"] for item in json.loads(capsys.readouterr().out)}
    assert names["cn-customer-service"] == "中文客服助手（API，中国大陆）"


def test_own_name_wins_over_preset_chinese_name(capsys):
    root = Path(__file__).resolve().parents[1]
    assert run(["--lang", "zh-CN", "recommend", "-r", str(root / "examples" / "shop-support.yaml"), "--top", "1"]) == 0
    out = capsys.readouterr().out
    assert "Support bot for our shop" in out
    assert "中文客服助手" not in out


def test_chinese_counts_use_chinese_units(capsys):
    assert run(["--lang", "zh-CN", "license", "llama-3.1-70b-instruct", "--format", "json"]) == 0
    duties = json.loads(capsys.readouterr().out)["duties"]
    assert any("7 亿月活跃用户" in duty for duty in duties)
    assert not any("百万" in duty for duty in duties)


def test_chinese_report_uses_full_width_punctuation(capsys):
    assert run(["--lang", "zh-CN", "recommend", "--profile", "cn-customer-service", "--format", "markdown"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("# 大模型选型报告：")
    assert "- 货币：CNY" in text
