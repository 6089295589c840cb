"""The main commands end to end on the shipped catalog, through the CLI entry point."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from llmpick.cli import run

ROOT = Path(__file__).resolve().parents[1]
PRESETS = ("cn-customer-service", "crossborder-translation", "bulk-classification", "private-24gb")


def run_cli(capsys, *args):
    code = run(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def recommend_json(capsys, *args):
    code, out, err = run_cli(capsys, "recommend", *args, "--format", "json", "--top", "50")
    assert code == 0, err
    return json.loads(out)


def test_version(capsys):
    code, out, _err = run_cli(capsys, "--version")
    assert code == 0
    assert out.startswith("llmpick ")


def test_recommend_table_for_cn_preset_in_cny(capsys):
    code, out, err = run_cli(capsys, "recommend", "--profile", "cn-customer-service")
    assert code == 0, err
    assert "Ranking for" in out
    assert "CNY" in out
    assert "Month: 30 days" in out


def test_recommend_json_shape(capsys):
    data = recommend_json(capsys, "--profile", "cn-customer-service")
    assert data["ranking"], "expected ranked candidates"
    first = data["ranking"][0]
    for key in ("model", "deployment", "score", "scores", "monthly_cost", "duties"):
        assert key in first
    assert set(first["scores"]) == {"cost", "license", "language", "hardware", "task"}
    assert first["monthly_cost"]["currency"] == "CNY"
    assert isinstance(first["monthly_cost"]["amount"], float)
    scores = [item["score"] for item in data["ranking"]]
    assert scores == sorted(scores, reverse=True)
    for item in data["excluded"]:
        assert set(item) >= {"model", "deployment", "reasons"}
        assert item["reasons"]
    for item in data["ranking"]:
        for criterion in item["criteria"].values():
            assert "evidence" in criterion
            assert "confidence" in criterion


@pytest.mark.parametrize("preset", PRESETS)
def test_every_preset_ranks_three_candidates(capsys, preset):
    data = recommend_json(capsys, "--profile", preset)
    assert len(data["ranking"]) >= 3


def test_cn_public_service_excludes_providers_outside_mainland(capsys):
    data = recommend_json(capsys, "--profile", "cn-customer-service")
    for item in data["ranking"]:
        assert item["deployment_detail"]["region"] == "cn-mainland"
    reasons = [reason for item in data["excluded"] for reason in item["reasons"]]
    assert any("does not serve mainland China" in reason for reason in reasons)


def test_duties_listed_for_ranked_candidates(capsys):
    data = recommend_json(capsys, "--profile", "cn-customer-service")
    assert any(item["duties"] for item in data["ranking"])


def test_markdown_report_written_atomically(capsys, tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    target = folder / "report.md"
    code, out, err = run_cli(capsys, "recommend", "-r", str(ROOT / "examples" / "shop-support.yaml"),
                             "--format", "markdown", "-o", str(target))
    assert code == 0, err
    assert out == ""
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# LLM decision report: Support bot for our shop")
    for heading in ("## Summary", "## Requirements", "## Assumptions", "## Ranking", "## Excluded",
                    "## Sensitivity", "## Cost versus quality", "## Sources"):
        assert heading in text
    assert "Month length: 30 days (720 hours)" in text
    assert "```mermaid" in text
    assert [path.name for path in folder.iterdir()] == ["report.md"]


def test_compare_two_models(capsys):
    code, out, err = run_cli(capsys, "compare", "qwen2.5-7b-instruct", "qwen3-32b")
    assert code == 0, err
    assert "qwen2.5-7b-instruct" in out
    assert "qwen3-32b" in out
    assert "KV bytes/token (fp16)" in out


def test_compare_with_requirements_names_winners(capsys):
    code, out, err = run_cli(capsys, "compare", "qwen2.5-7b-instruct", "qwen3-32b", "--profile", "private-24gb",
                             "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert set(data["winners"]) >= {"overall", "task"}
    assert len(data["models"]) == 2


def test_models_json_lists_fields(capsys):
    code, out, err = run_cli(capsys, "models", "--format", "json")
    assert code == 0, err
    items = json.loads(out)
    assert len(items) >= 100
    assert len({item["vendor"] for item in items}) >= 20
    for item in items:
        assert set(item) >= {"id", "name", "vendor", "weights", "license"}
        assert item["weights"] in ("open", "closed")


def test_profiles_json(capsys):
    code, out, _err = run_cli(capsys, "profiles", "--format", "json")
    assert code == 0
    items = json.loads(out)
    assert {item["id"] for item in items} >= set(PRESETS)
    assert all(item["name"] for item in items)


def test_gpus_json(capsys):
    code, out, _err = run_cli(capsys, "gpus", "--format", "json")
    assert code == 0
    items = json.loads(out)
    assert len(items) >= 8
    for item in items:
        assert set(item) >= {"id", "name", "memory_gb", "bandwidth_gb_s"}


def test_fit_json_fields(capsys):
    code, out, err = run_cli(capsys, "fit", "qwen3-32b", "--gpu", "rtx-4090", "--context", "32768",
                             "--precision", "Q4_K_M", "--used-gb", "16", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    for key in ("fits", "precision", "weights_gb", "kv_cache_gb", "total_gb", "available_gb", "decode_tokens_per_s"):
        assert key in data
    assert data["fits"] is False
    assert data["available_gb"] == pytest.approx(8.0)


def test_fit_with_fake_nvidia_smi(capsys, tmp_path, monkeypatch):
    script = tmp_path / "nvidia-smi"
    script.write_text("#!/bin/sh\necho 'NVIDIA GeForce RTX 4090, 24564, 2048'\n")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    code, out, err = run_cli(capsys, "fit", "qwen2.5-7b-instruct", "--gpu", "auto", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["device"] == "NVIDIA GeForce RTX 4090"
    # 24564 MiB total, 2048 MiB used: 25.757 GB - 2.147 GB free.
    assert data["available_gb"] == pytest.approx((24564 - 2048) * 2**20 / 1e9, abs=0.01)


def test_fit_auto_without_gpu(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    code, _out, err = run_cli(capsys, "fit", "qwen2.5-7b-instruct", "--gpu", "auto")
    assert code == 2
    assert err.startswith("Error: no GPU found")


def test_recommend_compare_fit_agree(capsys):
    fit_code, fit_out, _ = run_cli(capsys, "fit", "qwen2.5-7b-instruct", "--gpu", "rtx-4090", "--context", "16000",
                                   "--precision", "auto", "--format", "json")
    assert fit_code == 0
    fit = json.loads(fit_out)
    data = recommend_json(capsys, "--profile", "private-24gb")
    ranked = [item for item in data["ranking"] if item["model"] == "qwen2.5-7b-instruct"]
    assert ranked, "qwen2.5-7b-instruct should rank for the 24 GB preset"
    assert ranked[0]["fit"]["total_gb"] == fit["total_gb"]
    assert ranked[0]["fit"]["precision"] == fit["precision"]
    code, out, _ = run_cli(capsys, "compare", "qwen2.5-7b-instruct", "qwen3-32b", "--profile", "private-24gb",
                           "--format", "json")
    compared = json.loads(out)["candidates"]["qwen2.5-7b-instruct"]
    assert compared["fit"]["total_gb"] == fit["total_gb"]


def test_cost_json_options(capsys):
    code, out, err = run_cli(capsys, "cost", "qwen3-32b", "--profile", "cn-customer-service", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["options"]
    for option in data["options"]:
        assert {"deployment", "monthly_cost", "cost_per_1000_requests"} <= set(option)
    assert data["days_per_month"] == 30


def test_license_json(capsys):
    code, out, err = run_cli(capsys, "license", "qwen2.5-3b-instruct", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["allowed"] is False
    assert data["violations"]
    assert {"license", "allowed", "violations", "duties"} <= set(data)


def test_schema_is_json_schema(capsys):
    code, out, _err = run_cli(capsys, "schema")
    assert code == 0
    schema = json.loads(out)
    assert schema["title"] == "Requirements"
    assert "traffic" in schema["properties"]
    traffic = schema["$defs"]["Traffic"]["properties"]
    assert "system prompt" in traffic["input_tokens"]["description"]
    assert schema["$defs"]["Budget"]["properties"]["currency"]["description"]


def test_catalog_validate_passes(capsys):
    code, out, err = run_cli(capsys, "catalog", "validate")
    assert code == 0, err
    assert out.startswith("Catalog valid:")


def test_catalog_stale_json(capsys):
    code, out, _err = run_cli(capsys, "catalog", "stale", "--days", "90", "--format", "json")
    assert code == 0
    items = json.loads(out)
    assert all(item["age_days"] > 90 for item in items)


def test_piping_into_head_prints_no_traceback():
    command = f"{sys.executable} -m llmpick models | head -n 2"
    completed = subprocess.run(command, shell=True, capture_output=True, text=True, timeout=60,
                               env={**os.environ, "COLUMNS": "120"})
    assert "Traceback" not in completed.stderr
    assert completed.stdout.count("\n") == 2


def test_python_module_entry_point():
    completed = subprocess.run([sys.executable, "-m", "llmpick", "--version"], capture_output=True, text=True,
                               timeout=60)
    assert completed.returncode == 0
    assert completed.stdout.startswith("llmpick ")


def test_heavy_libraries_imported_only_where_used():
    code = (
        "import sys, io, contextlib\n"
        "from llmpick.cli import run\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    run(['recommend', '--profile', 'cn-customer-service'])\n"
        "print(sorted(name for name in ('huggingface_hub', 'jinja2', 'genai_prices', 'babel') if name in sys.modules))\n"
    )
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout.strip() == "[]"


ODD_MODEL = """\
vendor: openai
models:
  - id: odd-name
    name: "[red]Odd|Name"
    weights: closed
    license: openai-terms
    context: {max_tokens: 128000, source: test, as_of: 2026-12-01}
    languages: {declared: [en, zh], source: test, as_of: 2026-12-01}
    offerings:
      - {provider: openai, region: international, currency: USD, input: 0.01, output: 0.02,
         source: test, as_of: 2026-12-01}
"""
ODD_NEEDS = """\
name: "Team [bold]A|B"
tasks: {qa: 1}
deployment: {mode: api}
traffic: {requests_per_day: 1000, input_tokens: 500, output_tokens: 200}
budget: {currency: USD}
"""


def test_catalog_text_escaped_in_terminal_and_markdown(capsys, tmp_path):
    catalog = tmp_path / "odd.yaml"
    catalog.write_text(ODD_MODEL, encoding="utf-8")
    needs = tmp_path / "needs.yaml"
    needs.write_text(ODD_NEEDS, encoding="utf-8")
    code, out, err = run_cli(capsys, "--catalog", str(catalog), "recommend", "-r", str(needs), "--top", "200")
    assert code == 0, err
    assert "[red]Odd|Name" in out
    assert "Team [bold]A|B" in out
    code, out, err = run_cli(capsys, "--catalog", str(catalog), "recommend", "-r", str(needs), "--top", "200",
                             "--format", "markdown")
    assert code == 0, err
    assert "[red]Odd\\|Name" in out
    assert "Team [bold]A\\|B" in out
    lines = out.splitlines()
    header = next(line for line in lines if line.startswith("| # |"))
    row = next(line for line in lines if "Odd" in line and line.startswith("|"))
    cells = re.split(r"(?<!\\)\|", row)
    assert len(cells) == len(re.split(r"(?<!\\)\|", header))


def test_models_verbose_shows_origin_and_sources(capsys, tmp_path):
    catalog = tmp_path / "odd.yaml"
    catalog.write_text(ODD_MODEL, encoding="utf-8")
    code, out, err = run_cli(capsys, "--catalog", str(catalog), "models", "--verbose", "--format", "json")
    assert code == 0, err
    items = {item["id"]: item for item in json.loads(out)}
    assert items["odd-name"]["origin"] == str(catalog)
    assert items["odd-name"]["sources"]["context"] == {"source": "test", "as_of": "2026-12-01"}
    assert items["qwen3-32b"]["origin"].endswith("qwen.yaml")


def test_narrow_terminal_keeps_numbers_whole(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    assert run(["recommend", "--profile", "cn-customer-service", "--top", "3", "--format", "json"]) == 0
    expected = json.loads(capsys.readouterr().out)["ranking"][0]
    assert run(["recommend", "--profile", "cn-customer-service", "--top", "3"]) == 0
    out = capsys.readouterr().out
    assert all(len(line) <= 80 for line in out.splitlines())
    assert "…" not in out
    assert f"{expected['score']:.3f}" in out
    assert f"{expected['monthly_cost']['amount']:,.0f} CNY" in out
    assert "Per-criterion scores are hidden" in out
