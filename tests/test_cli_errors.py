"""Bad input: one `Error:` line naming the file or value and the fix, a non-zero exit, no traceback."""

import json

import pytest

from llmpick.cli import run


def run_cli(capsys, *args):
    code = run(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_one_line_error(err, *fragments):
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines, "expected an error message"
    assert lines[0].startswith("Error: ")
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in lines[0]


def write(tmp_path, text, name="req.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


VALID = """\
tasks: {qa: 1}
traffic: {requests_per_day: 1000, input_tokens: 500, output_tokens: 200}
"""


def test_missing_file(capsys, tmp_path):
    code, out, err = run_cli(capsys, "recommend", "-r", str(tmp_path / "nope.yaml"))
    assert code == 2
    assert out == ""
    assert_one_line_error(err, "nope.yaml", "file not found")


def test_malformed_yaml(capsys, tmp_path):
    path = write(tmp_path, "tasks: {qa: 1\ntraffic: [")
    code, _out, err = run_cli(capsys, "recommend", "-r", str(path))
    assert code == 2
    assert_one_line_error(err, "req.yaml", "malformed YAML")


def test_unknown_key_suggests_fix(capsys, tmp_path):
    path = write(tmp_path, VALID + "trafic: {requests_per_day: 5}\n")
    code, _out, err = run_cli(capsys, "recommend", "-r", str(path))
    assert code == 2
    assert_one_line_error(err, "req.yaml", "'trafic'", "did you mean 'traffic'")


def test_unknown_nested_key_gives_path(capsys, tmp_path):
    path = write(tmp_path, VALID.replace("output_tokens: 200", "output_tokens: 200, ouptut: 3"))
    code, _out, err = run_cli(capsys, "recommend", "-r", str(path))
    assert code == 2
    assert_one_line_error(err, "traffic.ouptut", "did you mean 'output_tokens'")


def test_wrong_type(capsys, tmp_path):
    path = write(tmp_path, VALID.replace("1000", "many"))
    code, _out, err = run_cli(capsys, "recommend", "-r", str(path))
    assert code == 2
    assert_one_line_error(err, "traffic.requests_per_day", "many")


def test_negative_budget(capsys, tmp_path):
    path = write(tmp_path, VALID + "budget: {monthly: -5, currency: CNY}\n")
    code, _out, err = run_cli(capsys, "recommend", "-r", str(path))
    assert code == 2
    assert_one_line_error(err, "budget.monthly", "greater than 0")


def test_budget_without_currency(capsys, tmp_path):
    path = write(tmp_path, VALID + "budget: {monthly: 500}\n")
    code, _out, err = run_cli(capsys, "recommend", "-r", str(path))
    assert code == 2
    assert_one_line_error(err, "budget.currency", "missing")


def test_unknown_currency(capsys, tmp_path):
    path = write(tmp_path, VALID + "budget: {monthly: 500, currency: JPY}\n")
    code, _out, err = run_cli(capsys, "recommend", "-r", str(path))
    assert code == 2
    assert_one_line_error(err, "budget.currency", "JPY", "CNY")


def test_zero_exchange_rate(capsys, tmp_path):
    path = write(tmp_path, VALID + "exchange_rates: {USD_CNY: 0}\n")
    code, _out, err = run_cli(capsys, "recommend", "-r", str(path))
    assert code == 2
    assert_one_line_error(err, "exchange_rates.USD_CNY")


def test_zero_traffic(capsys, tmp_path):
    path = write(tmp_path, VALID.replace("1000", "0"))
    code, _out, err = run_cli(capsys, "recommend", "-r", str(path))
    assert code == 2
    assert_one_line_error(err, "traffic.requests_per_day")


def test_negative_users(capsys, tmp_path):
    path = write(tmp_path, VALID + "license: {expected_monthly_active_users: -1}\n")
    code, _out, err = run_cli(capsys, "recommend", "-r", str(path))
    assert code == 2
    assert_one_line_error(err, "license.expected_monthly_active_users")


def test_unknown_task(capsys, tmp_path):
    path = write(tmp_path, VALID.replace("qa: 1", "customer_servise: 1"))
    code, _out, err = run_cli(capsys, "recommend", "-r", str(path))
    assert code == 2
    assert_one_line_error(err, "customer_servise", "did you mean 'customer_service'")


def test_unknown_preset(capsys):
    code, _out, err = run_cli(capsys, "recommend", "--profile", "cn-customer-servic")
    assert code == 2
    assert_one_line_error(err, "cn-customer-servic", "cn-customer-service")


def test_unknown_model_id(capsys):
    code, _out, err = run_cli(capsys, "compare", "qwen2.5-7b-instruc", "qwen3-32b")
    assert code == 2
    assert_one_line_error(err, "qwen2.5-7b-instruc", "qwen2.5-7b-instruct")


def test_requirements_and_profile_together(capsys, tmp_path):
    path = write(tmp_path, VALID)
    code, _out, err = run_cli(capsys, "recommend", "-r", str(path), "--profile", "cn-customer-service")
    assert code == 2
    assert_one_line_error(err, "-r FILE", "--profile")


def test_top_level_list_rejected(capsys, tmp_path):
    path = write(tmp_path, "- a\n- b\n")
    code, _out, err = run_cli(capsys, "recommend", "-r", str(path))
    assert code == 2
    assert_one_line_error(err, "req.yaml", "mapping")


def test_unreadable_file(capsys, tmp_path, monkeypatch):
    # Tests run as root in CI, where mode 0 does not stop reads, so the read itself fails here.
    path = write(tmp_path, VALID)
    original = type(path).read_text

    def deny_read(self, *args, **kwargs):
        if self == path:
            raise PermissionError(13, "Permission denied")
        return original(self, *args, **kwargs)

    monkeypatch.setattr(type(path), "read_text", deny_read)
    code, _out, err = run_cli(capsys, "recommend", "-r", str(path))
    assert code == 2
    assert_one_line_error(err, "req.yaml", "cannot be read", "Permission denied")


def test_not_utf8(capsys, tmp_path):
    path = tmp_path / "req.yaml"
    path.write_bytes("tasks: {qa: 1}\nname: 客服\n".encode("gbk"))
    code, _out, err = run_cli(capsys, "recommend", "-r", str(path))
    assert code == 2
    assert_one_line_error(err, "UTF-8")


def test_report_into_missing_folder_writes_nothing(capsys, tmp_path):
    target = tmp_path / "missing" / "report.md"
    code, _out, err = run_cli(capsys, "recommend", "--profile", "cn-customer-service", "--format", "markdown",
                              "-o", str(target))
    assert code == 2
    assert_one_line_error(err, "does not exist")
    assert not target.exists()


@pytest.mark.parametrize("args,fragment", [
    (["fit", "qwen3-32b", "--gpu", "rtx-4090", "--gpu-count", "0"], "--gpu-count"),
    (["fit", "qwen3-32b", "--gpu", "rtx-4090", "--context", "-5"], "--context"),
    (["fit", "qwen3-32b", "--gpu", "rtx-4090", "--concurrency", "0"], "--concurrency"),
    (["fit", "qwen3-32b", "--gpu", "rtx-4091"], "rtx-4090"),
    (["fit", "qwen3-32b", "--gpu", "rtx-4090", "--precision", "q4"], "Q4_K_M"),
    (["fit", "gpt-5", "--gpu", "rtx-4090"], "closed weights"),
    (["fit", "nope-model", "--gpu", "rtx-4090"], "unknown model id 'nope-model'"),
])
def test_fit_bad_input(capsys, args, fragment):
    code, _out, err = run_cli(capsys, *args)
    assert code == 2
    assert_one_line_error(err, fragment)


def test_lang_option_rejects_unknown(capsys):
    code, _out, err = run_cli(capsys, "--lang", "fr", "profiles")
    assert code == 2
    assert_one_line_error(err, "fr", "zh-CN")


def test_boolean_is_not_a_number(capsys, tmp_path):
    path = write(tmp_path, VALID.replace("1000", "true"))
    code, _out, err = run_cli(capsys, "recommend", "-r", str(path))
    assert code == 2
    assert_one_line_error(err, "traffic.requests_per_day", "valid number")


def test_language_name_instead_of_code(capsys, tmp_path):
    path = write(tmp_path, VALID + "languages: {required: [chinese]}\n")
    code, _out, err = run_cli(capsys, "recommend", "-r", str(path))
    assert code == 2
    assert_one_line_error(err, "languages.required[0]", "chinese")


def test_duplicate_key_rejected(capsys, tmp_path):
    path = write(tmp_path, "extends: cn-customer-service\nextends: private-24gb\n")
    code, _out, err = run_cli(capsys, "recommend", "-r", str(path))
    assert code == 2
    assert_one_line_error(err, "req.yaml:2", "duplicate key 'extends'")


def test_zero_task_weights_do_not_dump_the_file(capsys, tmp_path):
    path = write(tmp_path, VALID.replace("qa: 1", "qa: 0"))
    code, _out, err = run_cli(capsys, "recommend", "-r", str(path))
    assert code == 2
    assert_one_line_error(err, "at least one task a weight above 0")
    assert "requests_per_day" not in err


def test_used_memory_above_card_rejected(capsys, tmp_path):
    path = write(tmp_path, VALID + "hardware: {gpus: [{id: rtx-4090, count: 1, used_gb: 30}]}\n")
    code, _out, err = run_cli(capsys, "recommend", "-r", str(path))
    assert code == 2
    assert_one_line_error(err, "req.yaml", "hardware.gpus[0].used_gb", "24")


def test_unknown_gpu_in_file_names_file(capsys, tmp_path):
    path = write(tmp_path, VALID + "hardware: {gpus: [{id: rtx-4091}]}\n")
    code, _out, err = run_cli(capsys, "recommend", "-r", str(path))
    assert code == 2
    assert_one_line_error(err, "req.yaml", "rtx-4091", "rtx-4090")


def test_report_may_not_overwrite_requirements(capsys, tmp_path):
    path = write(tmp_path, VALID)
    code, _out, err = run_cli(capsys, "recommend", "-r", str(path), "--format", "markdown", "-o", str(path))
    assert code == 2
    assert_one_line_error(err, "req.yaml", "requirements file")
    assert path.read_text(encoding="utf-8") == VALID


def test_fit_context_beyond_model_window(capsys):
    code, _out, err = run_cli(capsys, "fit", "qwen3-8b", "--gpu", "b200", "--context", "500000")
    assert code == 2
    assert_one_line_error(err, "500000", "131072")


def test_unknown_language_in_environment(capsys, monkeypatch):
    monkeypatch.setenv("LLMPICK_LANG", "klingon")
    code, _out, err = run_cli(capsys, "profiles")
    assert code == 2
    assert_one_line_error(err, "LLMPICK_LANG", "klingon", "zh-CN")


@pytest.mark.parametrize("text,key", [
    ("requests_per_day: .inf", "traffic.requests_per_day"),
    ("requests_per_day: .nan", "traffic.requests_per_day"),
])
def test_infinite_numbers_rejected(capsys, tmp_path, text, key):
    path = write(tmp_path, VALID.replace("requests_per_day: 1000", text))
    code, _out, err = run_cli(capsys, "recommend", "-r", str(path))
    assert code == 2
    assert_one_line_error(err, key)


def test_more_problems_listed_in_hint(capsys, tmp_path):
    path = write(tmp_path, "tasks: {qa: 1}\ntraffic: {requests_per_day: -1, input_tokens: -2, output_tokens: -3}\n")
    code, _out, err = run_cli(capsys, "recommend", "-r", str(path))
    assert code == 2
    assert_one_line_error(err, "traffic.requests_per_day", "2 more problems")
    hint = err.splitlines()[1]
    assert hint.startswith("Hint: also: ")
    assert "traffic.input_tokens" in hint
    assert "traffic.output_tokens" in hint


def test_yaml_merge_keys_accepted(capsys, tmp_path):
    merged = write(tmp_path, (
        "tasks: {qa: 1}\n"
        "traffic:\n  <<: {requests_per_day: 1000, input_tokens: 500, output_tokens: 200}\n  output_tokens: 100\n"
        "deployment: {mode: api}\n"
    ), name="merged.yaml")
    code, out, err = run_cli(capsys, "recommend", "-r", str(merged), "--format", "json")
    assert code == 0, err
    assert json.loads(out)["requirements"]["traffic"]["output_tokens"] == 100


def test_scientific_notation_and_region_tags_accepted(capsys, tmp_path):
    path = write(tmp_path, VALID.replace("1000", "2e4") + "languages: {required: [zh-CN]}\n")
    code, out, err = run_cli(capsys, "recommend", "-r", str(path), "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["requirements"]["traffic"]["requests_per_day"] == 20000
    assert data["requirements"]["languages"]["required"] == ["zh"]


@pytest.mark.parametrize("profile", ["../catalog/profiles/private-24gb", "/etc/passwd", "x" * 5000])
def test_profile_id_is_not_a_path(capsys, profile):
    code, _out, err = run_cli(capsys, "recommend", "--profile", profile)
    assert code == 2
    assert_one_line_error(err, "unknown preset")


def test_extends_own_file_and_loop(capsys, tmp_path):
    base = write(tmp_path, VALID + "name: Base\n", name="base.yaml")
    child = write(tmp_path, "extends: base.yaml\nname: Child\ntraffic: {output_tokens: 50}\n", name="child.yaml")
    code, out, err = run_cli(capsys, "recommend", "-r", str(child), "--format", "json")
    assert code == 0, err
    data = json.loads(out)["requirements"]
    assert data["name"] == "Child"
    assert data["traffic"]["input_tokens"] == 500
    assert data["traffic"]["output_tokens"] == 50
    base.write_text("extends: child.yaml\n" + VALID, encoding="utf-8")
    code, _out, err = run_cli(capsys, "recommend", "-r", str(child))
    assert code == 2
    assert_one_line_error(err, "extend each other in a loop")
