"""`llmpick init` reads its answers from standard input and writes a file that `recommend` accepts."""

import io
import json

import pytest
import yaml

from llmpick.cli import run

ANSWERS = "\n".join([
    "Shop bot",               # product name
    "customer_service,qa",    # tasks
    "zh",                     # required languages
    "en",                     # preferred languages
    "8000",                   # requests per day
    "900",                    # input tokens
    "250",                    # output tokens
    "CNY",                    # currency
    "4000",                   # monthly budget
    "api",                    # deployment
    "cn-mainland",            # region
    "none",                   # GPUs
    "yes",                    # commercial use
    "no",                     # open weights
    "100000",                 # monthly active users
]) + "\n"


def test_init_file_accepted_by_recommend(capsys, tmp_path, monkeypatch):
    target = tmp_path / "requirements.yaml"
    monkeypatch.setattr("sys.stdin", io.StringIO(ANSWERS))
    assert run(["init", "-o", str(target)]) == 0
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# ")
    data = yaml.safe_load(text)
    assert data["tasks"] == {"customer_service": 0.5, "qa": 0.5}
    assert data["budget"] == {"currency": "CNY", "monthly": 4000, "hard": False}
    assert data["license"]["expected_monthly_active_users"] == 100000
    capsys.readouterr()
    assert run(["recommend", "-r", str(target), "--format", "json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["requirements"]["name"] == "Shop bot"
    assert result["ranking"]


def test_init_defaults_on_empty_input(capsys, tmp_path, monkeypatch):
    target = tmp_path / "requirements.yaml"
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert run(["init", "-o", str(target)]) == 0
    data = yaml.safe_load(target.read_text(encoding="utf-8"))
    assert data["tasks"] == {"customer_service": 1.0}
    assert data["traffic"]["requests_per_day"] == 10000


def test_init_rejects_bad_answer_from_pipe(capsys, tmp_path, monkeypatch):
    target = tmp_path / "requirements.yaml"
    monkeypatch.setattr("sys.stdin", io.StringIO("Bot\nnot_a_task\n"))
    assert run(["init", "-o", str(target)]) == 2
    err = capsys.readouterr().err
    assert "Error: invalid answer 'not_a_task'" in err
    assert not target.exists()


def test_init_keeps_existing_file(capsys, tmp_path, monkeypatch):
    target = tmp_path / "requirements.yaml"
    target.write_text("keep me\n", encoding="utf-8")
    monkeypatch.setattr("sys.stdin", io.StringIO(ANSWERS))
    assert run(["init", "-o", str(target)]) == 2
    assert target.read_text(encoding="utf-8") == "keep me\n"
    assert "--force" in capsys.readouterr().err


@pytest.mark.parametrize("answer", ["-5", "0", "lots"])
def test_init_rejects_bad_traffic(capsys, tmp_path, monkeypatch, answer):
    lines = ANSWERS.splitlines()
    lines[4] = answer
    monkeypatch.setattr("sys.stdin", io.StringIO("\n".join(lines) + "\n"))
    assert run(["init", "-o", str(tmp_path / "r.yaml")]) == 2
    assert "Requests per day" in capsys.readouterr().err


def test_init_name_with_quotes_round_trips(capsys, tmp_path, monkeypatch):
    target = tmp_path / "requirements.yaml"
    monkeypatch.setattr("sys.stdin", io.StringIO('Bot "A" \'B\' \\ 客服\n'))
    assert run(["init", "-o", str(target)]) == 0
    data = yaml.safe_load(target.read_text(encoding="utf-8"))
    assert data["name"] == 'Bot "A" \'B\' \\ 客服'
