"""`catalog sync` and `catalog add` against a local replay of the Hugging Face Hub.

The real huggingface_hub client talks to an HTTP server on 127.0.0.1 that serves the
hand-written responses in tests/fixtures/hub (see its README). A socket guard fails
any test that tries to reach another address.
"""

from __future__ import annotations

import atexit
import datetime as dt
import hashlib
import io
import json
import os
import shutil
import socket
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, urlsplit

# huggingface_hub reads these once, at import. HF_HOME points at an empty folder, so
# no stored token or user cache takes part. The default endpoint is a closed local
# port, so a request made without HF_ENDPOINT fails instead of leaving the machine.
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
os.environ["HF_HUB_OFFLINE"] = "0"
os.environ["HF_HOME"] = tempfile.mkdtemp(prefix="llmpick-test-hf-home-")
atexit.register(shutil.rmtree, os.environ["HF_HOME"], ignore_errors=True)
os.environ["HF_ENDPOINT"] = "http://127.0.0.1:9"

import pytest  # noqa: E402
import yaml  # noqa: E402
from rich.console import Console  # noqa: E402

import llmpick.catalog.loader as loader  # noqa: E402
from llmpick import cli, engine  # noqa: E402
from llmpick.catalog.index import CatalogIndex  # noqa: E402
from llmpick.catalog.loader import load_catalog, overlay_path  # noqa: E402
from llmpick.catalog.schema import Model  # noqa: E402
from llmpick.errors import HubError, InputError, NotFoundError  # noqa: E402
from llmpick.hub import add_model, sync_catalog  # noqa: E402
from llmpick.hub_client import PROGRESS_MIN_MODELS, _progress, hub_timeout  # noqa: E402
from llmpick.hub_facts import architecture_fields, catalog_license_id, license_tag, HubRepo  # noqa: E402
from llmpick.requirements import Requirements  # noqa: E402

FIXTURES = Path(__file__).parent / "fixtures" / "hub"
REPOSITORY_ROOT = Path(__file__).resolve().parents[1]
TODAY = dt.date(2026, 3, 2)
QWEN = "Qwen/Qwen2.5-7B-Instruct"
LLAMA = "meta-llama/Llama-3.1-8B-Instruct"
QWEN_SHA = "a09a35458c702b33eeacc393d103063234e8bc28"
TOKEN = "hf_testTokenThatMustNeverBePrinted0123"


# --- A local Hub -----------------------------------------------------------------


class HubReplay:
    """Serves the fixture repositories the way the Hub does, and records every request.

    `faults` maps a repository to the name of a file in fixtures/hub/errors, which its
    `/api/models` route then returns, or to a number of seconds to sleep first.
    """

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        """Method, path with query, and headers with lower-case names, in arrival order."""
        self.faults: dict[str, str | float] = {}
        self.token: str | None = None
        """The token of an account that has accepted the gated repositories' terms."""
        self.lock = threading.Lock()

    def record(self, method: str, path: str, headers: dict[str, str]) -> None:
        with self.lock:
            self.requests.append((method, path, headers))

    def paths(self, method: str | None = None) -> list[str]:
        return [path for seen_method, path, _headers in self.requests if method in (None, seen_method)]


def _error_response(name: str, repo: str) -> tuple[int, dict[str, str], bytes]:
    recorded = json.loads((FIXTURES / "errors" / f"{name}.json").read_text(encoding="utf-8"))
    headers = {key: value.replace("{repo}", repo) for key, value in recorded["headers"].items()}
    body = json.dumps(recorded["body"]).replace("{repo}", repo).encode()
    return recorded["status"], headers, body


def _git_blob_sha1(body: bytes) -> str:
    """The ETag the Hub gives a file kept in git (not LFS): the git blob id."""
    return hashlib.sha1(b"blob %d\x00" % len(body) + body).hexdigest()


def _make_handler(replay: HubReplay) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
            pass

        def do_GET(self) -> None:
            self._answer(send_body=True)

        def do_HEAD(self) -> None:
            self._answer(send_body=False)

        def _answer(self, send_body: bool) -> None:
            path = urlsplit(self.path).path
            replay.record(self.command, self.path, {key.lower(): value for key, value in self.headers.items()})
            parts = path.strip("/").split("/")
            if parts[:2] == ["api", "models"] and len(parts) >= 4:
                self._model_info("/".join(parts[2:4]), send_body)
            elif parts[:3] == ["api", "resolve-cache", "models"] and len(parts) == 7:
                self._resolve_cache("/".join(parts[3:5]), parts[5], "/".join(parts[6:]), send_body)
            elif len(parts) >= 5 and parts[2] == "resolve":
                self._resolve("/".join(parts[:2]), parts[3], "/".join(parts[4:]), send_body)
            else:
                self._send(*_error_response("repo_not_found", path), send_body=send_body)

        def _model_info(self, repo: str, send_body: bool) -> None:
            fault = replay.faults.get(repo)
            if isinstance(fault, (int, float)):
                time.sleep(fault)
            elif isinstance(fault, str):
                self._send(*_error_response(fault, repo), send_body=send_body)
                return
            info = FIXTURES / repo / "model_info.json"
            if not info.is_file():
                self._send(*_error_response("repo_not_found", repo), send_body=send_body)
                return
            self._send(200, {"Content-Type": "application/json; charset=utf-8"}, info.read_bytes(), send_body=send_body)

        def _denied(self, repo: str) -> tuple[int, dict[str, str], bytes] | None:
            """Return the Hub's error for a file request in a gated repository without an accepted token, or None."""
            info = json.loads((FIXTURES / repo / "model_info.json").read_text(encoding="utf-8"))
            if not info.get("gated"):
                return None
            authorization = self.headers.get("Authorization")
            if authorization is None:
                return _error_response("gated_repo", repo)
            if authorization != f"Bearer {replay.token}":
                return _error_response("gated_repo_no_access", repo)
            return None

        def _resolve(self, repo: str, revision: str, filename: str, send_body: bool) -> None:
            """Redirect to the commit-pinned resolve-cache address, as the Hub does for files kept in git."""
            if not (FIXTURES / repo / "model_info.json").is_file():
                self._send(*_error_response("repo_not_found", repo), send_body=send_body)
                return
            denied = self._denied(repo)
            if denied is not None:
                self._send(*denied, send_body=send_body)
                return
            sha = json.loads((FIXTURES / repo / "model_info.json").read_text(encoding="utf-8"))["sha"]
            if revision not in ("main", sha):
                self._send(404, {"X-Error-Code": "RevisionNotFound", "X-Error-Message": "Invalid rev id: " + revision},
                           b'{"error":"Invalid rev id"}', send_body=send_body)
                return
            body = self._file(repo, filename)
            if body is None:
                self._send(404, {"X-Error-Code": "EntryNotFound", "X-Error-Message": "Entry not found", "X-Repo-Commit": sha},
                           b'{"error":"Entry not found"}', send_body=send_body)
                return
            original = quote(f"/{repo}/resolve/{revision}/{filename}", safe="")
            etag = quote(f'"{_git_blob_sha1(body)}"', safe="")
            location = f"/api/resolve-cache/models/{repo}/{sha}/{filename}?{original}=&etag={etag}"
            message = f"Temporary Redirect. Redirecting to {location}".encode()
            self._send(307, {"Location": location, "X-Repo-Commit": sha, "Content-Type": "text/plain; charset=utf-8"},
                       message, send_body=send_body)

        def _resolve_cache(self, repo: str, sha: str, filename: str, send_body: bool) -> None:
            denied = self._denied(repo)
            if denied is not None:
                self._send(*denied, send_body=send_body)
                return
            body = self._file(repo, filename)
            if body is None:
                self._send(*_error_response("repo_not_found", repo), send_body=send_body)
                return
            headers = {
                "Content-Type": "application/json; charset=utf-8" if filename.endswith(".json") else "text/plain",
                "ETag": f'"{_git_blob_sha1(body)}"',
                "X-Repo-Commit": sha,
                "Accept-Ranges": "bytes",
            }
            self._send(200, headers, body, send_body=send_body)

        def _file(self, repo: str, filename: str) -> bytes | None:
            if filename != "config.json":
                return None
            path = FIXTURES / repo / "config.json"
            return path.read_bytes() if path.is_file() else None

        def _send(self, status: int, headers: dict[str, str], body: bytes, *, send_body: bool) -> None:
            try:
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if send_body:
                    self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # The client gave up first, as in the timeout test.

    return Handler


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:  # noqa: ANN001 - socketserver's signature
        pass


@pytest.fixture(autouse=True)
def local_network_only(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Fail any connection or name lookup that is not for 127.0.0.1."""
    attempts: list[object] = []
    real_connect = socket.socket.connect
    real_getaddrinfo = socket.getaddrinfo

    def guarded_connect(self: socket.socket, address: object) -> None:
        if self.family in (socket.AF_INET, socket.AF_INET6) and isinstance(address, tuple) and address[0] != "127.0.0.1":
            attempts.append(address)
            raise AssertionError(f"test tried to connect to {address}")
        return real_connect(self, address)

    def guarded_getaddrinfo(host: object, *args: object, **kwargs: object) -> object:
        if host not in ("127.0.0.1", b"127.0.0.1"):
            attempts.append(host)
            raise AssertionError(f"test tried to look up {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket, "getaddrinfo", guarded_getaddrinfo)
    yield attempts
    assert attempts == []


@pytest.fixture()
def hub(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> HubReplay:
    replay = HubReplay()
    server = _QuietServer(("127.0.0.1", 0), _make_handler(replay))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    replay.endpoint = f"http://127.0.0.1:{server.server_address[1]}"
    monkeypatch.setenv("HF_ENDPOINT", replay.endpoint)
    monkeypatch.setenv("LLMPICK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("LLMPICK_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("LLMPICK_HUB_TIMEOUT", raising=False)
    for variable in ("HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HF_OIDC_RESOURCE"):
        monkeypatch.delenv(variable, raising=False)
    (tmp_path / "data").mkdir()
    yield replay
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


# --- A minimal catalog -----------------------------------------------------------

SOURCE = {"source": "https://example.com/test-catalog", "as_of": "2025-06-01"}
QWEN_ENTRY = {
    "id": "qwen2.5-7b-instruct", "name": "Qwen2.5 7B Instruct", "weights": "open", "license": "apache-2.0",
    "hf_repo": QWEN,
    "params": {**SOURCE, "total_b": 7.61, "active_b": 7.61},
    "architecture": {**SOURCE, "model_type": "qwen2", "layers": 28, "hidden_size": 3584, "attention_heads": 28,
                     "kv_heads": 4, "head_dim": 128, "native_dtype": "bf16"},
}
LLAMA_ENTRY = {
    "id": "llama-3.1-8b-instruct", "name": "Llama 3.1 8B Instruct", "weights": "open", "license": "llama-3.1",
    "hf_repo": LLAMA,
    "params": {**SOURCE, "total_b": 8.03, "active_b": 8.03},
    "architecture": {**SOURCE, "model_type": "llama", "layers": 32, "hidden_size": 4096, "attention_heads": 32,
                     "kv_heads": 8, "head_dim": 128, "vocab_size": 128256, "native_dtype": "bf16"},
}
LICENSES = [
    {**SOURCE, "id": "apache-2.0", "name": "Apache License 2.0", "spdx": "Apache-2.0", "open_weights": True,
     "commercial_use": True},
    {**SOURCE, "id": "llama-3.1", "name": "Llama 3.1 Community License", "open_weights": True,
     "commercial_use": True, "mau_limit": 700000000, "threshold_effect": "separate_license_required"},
]


def write_catalog(root: Path, *, qwen: bool = True, licenses: list[dict] | None = None) -> Path:
    """Write a small valid catalog: Qwen and Meta, their licenses, one rentable GPU."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "models").mkdir(exist_ok=True)
    for name in ("tasks.yaml", "benchmarks.yaml"):
        shutil.copy(REPOSITORY_ROOT / "catalog" / name, root / name)
    tables = {
        "vendors.yaml": [{"id": "qwen", "name": "Qwen (Alibaba Cloud)", "country": "CN"},
                         {"id": "meta", "name": "Meta", "country": "US"}],
        "licenses.yaml": LICENSES if licenses is None else licenses,
        "gpus.yaml": [{**SOURCE, "id": "l40s", "name": "NVIDIA L40S", "vendor": "nvidia", "kind": "gpu",
                       "memory_gb": 48, "bandwidth_gb_s": 864, "tflops_bf16": 362,
                       "rental": [{**SOURCE, "provider": "runpod", "price_per_hour": 0.86, "currency": "USD"}]}],
        "providers.yaml": [{**SOURCE, "id": "runpod", "name": "RunPod", "regions": ["international", "us"],
                            "serves_mainland_china": False}],
        "exchange_rates.yaml": [{**SOURCE, "base": "USD", "quote": "CNY", "rate": 7.2}],
    }
    for name, items in tables.items():
        (root / name).write_text(yaml.safe_dump(items, sort_keys=False), encoding="utf-8")
    if qwen:
        (root / "models" / "qwen.yaml").write_text(
            yaml.safe_dump({"vendor": "qwen", "models": [QWEN_ENTRY]}, sort_keys=False), encoding="utf-8")
    (root / "models" / "meta.yaml").write_text(
        yaml.safe_dump({"vendor": "meta", "models": [LLAMA_ENTRY]}, sort_keys=False), encoding="utf-8")
    return root


@pytest.fixture()
def catalog_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = write_catalog(tmp_path / "catalog")
    monkeypatch.setattr(loader, "shipped_catalog_dir", lambda: root)
    return root


def make_index() -> CatalogIndex:
    return CatalogIndex(load_catalog(use_cache=False))


def consoles() -> tuple[Console, Console]:
    """A stderr-like and a stdout-like console that record plain text."""
    return (Console(file=io.StringIO(), width=200, color_system=None),
            Console(file=io.StringIO(), width=200, color_system=None))


def text_of(console: Console) -> str:
    return console.file.getvalue()  # type: ignore[attr-defined]


# --- sync ------------------------------------------------------------------------


def test_sync_updates_overlay_and_prints_changes(hub: HubReplay, catalog_root: Path) -> None:
    console, out = consoles()
    report = sync_catalog(make_index(), ["qwen2.5-7b-instruct"], console=console, out=out, today=TODAY)

    printed = text_of(out)
    assert "params.total_b" in printed
    assert "7.61 " in printed
    assert "7.616" in printed
    assert "architecture.vocab_size" in printed
    assert "152064" in printed
    assert "Checked 1 model(s) on the Hub: 3 fact(s) changed in 1 model(s), 0 license difference(s) to review." in printed
    assert {(change.field, change.old, change.new) for change in report.changes} == {
        ("params.total_b", 7.61, 7.616), ("params.active_b", 7.61, 7.616), ("architecture.vocab_size", None, 152064),
    }
    assert report.written == overlay_path()
    # A person may edit the overlay, so it spells every value out instead of using YAML aliases.
    assert "&id" not in overlay_path().read_text(encoding="utf-8")

    # The client read model_info, then config.json at the commit model_info named, through the redirect.
    assert hub.paths("GET")[0] == "/api/models/Qwen/Qwen2.5-7B-Instruct"
    assert f"/{QWEN}/resolve/{QWEN_SHA}/config.json" in hub.paths("HEAD")
    assert any(path.startswith(f"/api/resolve-cache/models/{QWEN}/{QWEN_SHA}/config.json") for path in hub.paths("GET"))

    model = make_index().model("qwen2.5-7b-instruct")
    assert model.params.total_b == 7.616
    assert model.params.active_b == 7.616
    assert model.params.source == f"{hub.endpoint}/{QWEN}"
    assert model.architecture.vocab_size == 152064
    assert model.architecture.sliding_layers == 0
    assert model.architecture.sliding_window is None
    assert model.architecture.source == f"{hub.endpoint}/{QWEN}/blob/{QWEN_SHA}/config.json"
    assert model.architecture.as_of == TODAY
    assert model.hub.downloads == 1843296
    assert model.hub.likes == 781
    assert model.hub.last_modified.isoformat() == "2025-01-12"
    assert model.hub.gated is False
    assert model.hub.license_tag == "apache-2.0"
    assert model.name == "Qwen2.5 7B Instruct"


def test_sync_again_finds_no_changes(hub: HubReplay, catalog_root: Path) -> None:
    sync_catalog(make_index(), ["qwen2.5-7b-instruct"], console=consoles()[0], out=consoles()[1], today=TODAY)
    first = overlay_path().read_text(encoding="utf-8")

    console, out = consoles()
    report = sync_catalog(make_index(), ["qwen2.5-7b-instruct"], console=console, out=out, today=TODAY)

    assert report.changes == ()
    assert "0 fact(s) changed in 0 model(s)" in text_of(out)
    assert overlay_path().read_text(encoding="utf-8") == first


def test_sync_dry_run_writes_nothing(hub: HubReplay, catalog_root: Path) -> None:
    console, out = consoles()
    report = sync_catalog(make_index(), ["qwen2.5-7b-instruct"], dry_run=True, console=console, out=out, today=TODAY)

    assert not overlay_path().exists()
    assert report.written is None
    assert len(report.changes) == 3
    assert "architecture.vocab_size" in text_of(out)
    assert "Dry run" in text_of(console)


def test_sync_keeps_other_overlay_entries(hub: HubReplay, catalog_root: Path) -> None:
    overlay_path().write_text(yaml.safe_dump({"models": [{"id": "llama-3.1-8b-instruct", "note": "kept by hand"}]}),
                              encoding="utf-8")

    sync_catalog(make_index(), ["qwen2.5-7b-instruct"], console=consoles()[0], out=consoles()[1], today=TODAY)

    index = make_index()
    assert index.model("llama-3.1-8b-instruct").note == "kept by hand"
    assert index.model("qwen2.5-7b-instruct").params.total_b == 7.616


def test_sync_unknown_model_id(hub: HubReplay, catalog_root: Path) -> None:
    with pytest.raises(NotFoundError, match="unknown model id 'qwen2.5-7b'"):
        sync_catalog(make_index(), ["qwen2.5-7b"], console=consoles()[0], out=consoles()[1], today=TODAY)
    assert hub.requests == []


def test_sync_repo_not_found_404(hub: HubReplay, catalog_root: Path) -> None:
    hub.faults[QWEN] = "repo_not_found"

    with pytest.raises(HubError) as raised:
        sync_catalog(make_index(), ["qwen2.5-7b-instruct"], console=consoles()[0], out=consoles()[1], today=TODAY)

    assert raised.value.message == (
        "Qwen/Qwen2.5-7B-Instruct was not found on the Hub (HTTP 404). Check the repository name; "
        "for a private repository, set HF_TOKEN."
    )
    assert not overlay_path().exists()


def test_sync_gated_without_token_401(hub: HubReplay, catalog_root: Path) -> None:
    with pytest.raises(HubError) as raised:
        sync_catalog(make_index(), ["llama-3.1-8b-instruct"], console=consoles()[0], out=consoles()[1], today=TODAY)

    assert "meta-llama/Llama-3.1-8B-Instruct is a gated repository" in raised.value.message
    assert "HTTP 401" in raised.value.message
    assert "set HF_TOKEN" in raised.value.message
    assert not overlay_path().exists()
    # model_info of a gated repository is public; only the file request was refused.
    assert hub.paths("GET") == [f"/api/models/{LLAMA}"]
    assert all("authorization" not in headers for _method, _path, headers in hub.requests)


def test_sync_gated_with_wrong_token_403(hub: HubReplay, catalog_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    hub.token = TOKEN
    monkeypatch.setenv("HF_TOKEN", "hf_someoneElsesToken")

    with pytest.raises(HubError) as raised:
        sync_catalog(make_index(), ["llama-3.1-8b-instruct"], console=consoles()[0], out=consoles()[1], today=TODAY)

    assert "gated repository" in raised.value.message
    assert "HTTP 403" in raised.value.message
    assert "hf_someoneElsesToken" not in raised.value.message


def test_sync_gated_with_token_never_prints_it(hub: HubReplay, catalog_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    hub.token = TOKEN
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    console, out = consoles()

    report = sync_catalog(make_index(), [], console=console, out=out, today=TODAY)

    assert report.checked == ("llama-3.1-8b-instruct", "qwen2.5-7b-instruct")
    resolve_headers = [headers for method, path, headers in hub.requests if method == "HEAD" and LLAMA in path]
    assert resolve_headers
    assert all(headers.get("authorization") == f"Bearer {TOKEN}" for headers in resolve_headers)
    assert TOKEN not in text_of(console)
    assert TOKEN not in text_of(out)
    assert TOKEN not in overlay_path().read_text(encoding="utf-8")
    llama = make_index().model("llama-3.1-8b-instruct")
    assert llama.hub.gated == "manual"
    assert llama.hub.license_tag == "llama3.1"
    assert llama.params.total_b == 8.03
    assert ("hub.gated", False, "manual") in {(change.field, change.old, change.new) for change in report.changes}
    # llama3.1 on the Hub is the catalog's llama-3.1, so no license difference is reported.
    assert all(change.field != "license" for change in report.changes)


def test_sync_server_error_500(hub: HubReplay, catalog_root: Path) -> None:
    hub.faults[QWEN] = "server_error"

    with pytest.raises(HubError) as raised:
        sync_catalog(make_index(), ["qwen2.5-7b-instruct"], console=consoles()[0], out=consoles()[1], today=TODAY)

    assert raised.value.message == "the Hub failed while reading Qwen/Qwen2.5-7B-Instruct (HTTP 500). Try again later."
    assert not overlay_path().exists()


def test_sync_timeout(hub: HubReplay, catalog_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLMPICK_HUB_TIMEOUT", "0.5")
    hub.faults[QWEN] = 2.0
    started = time.monotonic()

    with pytest.raises(HubError) as raised:
        sync_catalog(make_index(), ["qwen2.5-7b-instruct"], console=consoles()[0], out=consoles()[1], today=TODAY)

    assert time.monotonic() - started < 2.0
    assert raised.value.message == (
        f"the Hub at {hub.endpoint} did not answer within 0.5 s while reading Qwen/Qwen2.5-7B-Instruct. "
        "Check the network, or raise LLMPICK_HUB_TIMEOUT."
    )
    assert not overlay_path().exists()


def test_sync_unreachable_hub(hub: HubReplay, catalog_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{port}")

    with pytest.raises(HubError) as raised:
        sync_catalog(make_index(), ["qwen2.5-7b-instruct"], console=consoles()[0], out=consoles()[1], today=TODAY)

    assert raised.value.message == (
        f"cannot connect to the Hub at http://127.0.0.1:{port} (ConnectError). Check the network and HF_ENDPOINT."
    )
    assert not overlay_path().exists()


def test_sync_failing_halfway_keeps_overlay(hub: HubReplay, catalog_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    previous = b"# edited by hand\nmodels:\n- id: qwen2.5-7b-instruct\n  note: earlier overlay\n"
    overlay_path().write_bytes(previous)
    hub.token = TOKEN
    monkeypatch.setenv("HF_TOKEN", TOKEN)
    hub.faults[LLAMA] = "server_error"

    with pytest.raises(HubError, match="HTTP 500"):
        sync_catalog(make_index(), ["qwen2.5-7b-instruct", "llama-3.1-8b-instruct"],
                     console=consoles()[0], out=consoles()[1], today=TODAY)

    # The first repository was read in full before the second failed.
    assert any(path.startswith(f"/api/resolve-cache/models/{QWEN}/") for path in hub.paths("GET"))
    assert hub.paths("GET")[-1] == f"/api/models/{LLAMA}"
    assert overlay_path().read_bytes() == previous


def test_sync_reports_license_difference(hub: HubReplay, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mit = {**SOURCE, "id": "mit", "name": "MIT License", "open_weights": True, "commercial_use": True}
    root = write_catalog(tmp_path / "catalog", licenses=[*LICENSES, mit])
    entry = yaml.safe_load((root / "models" / "qwen.yaml").read_text(encoding="utf-8"))
    entry["models"][0]["license"] = "mit"
    (root / "models" / "qwen.yaml").write_text(yaml.safe_dump(entry), encoding="utf-8")
    monkeypatch.setattr(loader, "shipped_catalog_dir", lambda: root)
    console, out = consoles()

    report = sync_catalog(make_index(), ["qwen2.5-7b-instruct"], console=console, out=out, today=TODAY)

    license_changes = [change for change in report.changes if change.field == "license"]
    assert [(change.old, change.new, change.written) for change in license_changes] == [("mit", "Hub: apache-2.0", False)]
    assert "(not written: review by hand)" in text_of(out)
    assert "1 license difference(s) to review" in text_of(out)
    assert make_index().model("qwen2.5-7b-instruct").license == "mit"


def test_cli_sync_dry_run(hub: HubReplay, catalog_root: Path, capsys: pytest.CaptureFixture[str],
                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLMPICK_TODAY", TODAY.isoformat())

    code = cli.run(["catalog", "sync", "qwen2.5-7b-instruct", "--dry-run"])

    captured = capsys.readouterr()
    assert code == 0
    assert "architecture.vocab_size" in captured.out
    assert "Dry run" in captured.err
    assert not overlay_path().exists()


def test_cli_sync_hub_error_exit_code(hub: HubReplay, catalog_root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    hub.faults[QWEN] = "server_error"

    code = cli.run(["catalog", "sync", "qwen2.5-7b-instruct"])

    captured = capsys.readouterr()
    assert code == 1
    assert captured.err.strip() == "Error: the Hub failed while reading Qwen/Qwen2.5-7B-Instruct (HTTP 500). Try again later."


def test_progress_bar_shown_from_four_models() -> None:
    with_bar = Console(file=io.StringIO(), width=100, force_terminal=True, color_system=None)
    with _progress(with_bar, PROGRESS_MIN_MODELS) as advance:
        for number in range(PROGRESS_MIN_MODELS):
            advance(f"owner/model-{number}")
    without_bar = Console(file=io.StringIO(), width=100, force_terminal=True, color_system=None)
    with _progress(without_bar, PROGRESS_MIN_MODELS - 1) as advance:
        advance("owner/model-0")

    assert f"{PROGRESS_MIN_MODELS}/{PROGRESS_MIN_MODELS}" in text_of(with_bar)
    assert text_of(without_bar) == ""


def test_hub_timeout_rejects_invalid_value(monkeypatch: pytest.MonkeyPatch) -> None:
    for text in ("soon", "0", "-1", "nan"):
        monkeypatch.setenv("LLMPICK_HUB_TIMEOUT", text)
        with pytest.raises(InputError, match=f"LLMPICK_HUB_TIMEOUT must be a number of seconds above 0, got '{text}'"):
            hub_timeout()
    monkeypatch.setenv("LLMPICK_HUB_TIMEOUT", "2.5")
    assert hub_timeout() == 2.5
    assert hub_timeout(1.0) == 1.0


# --- add -------------------------------------------------------------------------


@pytest.fixture()
def catalog_without_qwen(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = write_catalog(tmp_path / "catalog", qwen=False)
    monkeypatch.setattr(loader, "shipped_catalog_dir", lambda: root)
    return root


def test_add_model_entry_loads_and_ranks(hub: HubReplay, catalog_without_qwen: Path) -> None:
    console, _out = consoles()

    added = add_model(make_index(), QWEN, console=console, today=TODAY)

    assert isinstance(added, Model)
    assert "Added 'qwen2.5-7b-instruct'" in text_of(console)
    index = make_index()
    model = index.model("qwen2.5-7b-instruct")
    assert model == added
    assert index.catalog.origins["qwen2.5-7b-instruct"] == str(overlay_path())
    assert model.name == "Qwen2.5-7B-Instruct"
    assert model.vendor == "qwen"
    assert model.license == "apache-2.0"
    assert model.weights == "open"
    assert model.hf_repo == QWEN
    assert model.unreviewed is True
    assert model.offerings == []
    assert model.params.total_b == 7.616
    assert model.params.active_b == 7.616
    assert (model.architecture.layers, model.architecture.attention_heads, model.architecture.kv_heads) == (28, 28, 4)
    assert model.architecture.hidden_size == 3584
    assert model.architecture.head_dim == 128
    assert model.architecture.native_dtype == "bf16"
    assert model.architecture.experts is None
    assert model.hub.license_tag == "apache-2.0"

    requirements = Requirements.model_validate({
        "tasks": {"customer_service": 1},
        "traffic": {"requests_per_day": 2000, "input_tokens": 1500, "output_tokens": 300},
        "deployment": {"mode": "self_hosted"},
    })
    result = engine.recommend(requirements, index, today=TODAY, with_sensitivity=False)
    candidates = [candidate for candidate in result.ranking if candidate.model.id == "qwen2.5-7b-instruct"]
    assert candidates
    assert candidates[0].deployment.gpu_id == "l40s"
    assert "unreviewed entry added from the Hub: check its license and prices" in candidates[0].duties


def test_add_model_existing_id_rejected(hub: HubReplay, catalog_root: Path) -> None:
    with pytest.raises(InputError, match="model id 'qwen2.5-7b-instruct' already exists"):
        add_model(make_index(), QWEN, console=consoles()[0], today=TODAY)
    assert hub.requests == []
    assert not overlay_path().exists()


def test_add_model_twice_rejected(hub: HubReplay, catalog_without_qwen: Path) -> None:
    add_model(make_index(), QWEN, console=consoles()[0], today=TODAY)
    first = overlay_path().read_bytes()

    with pytest.raises(InputError, match="already exists"):
        add_model(make_index(), QWEN, console=consoles()[0], today=TODAY)
    assert overlay_path().read_bytes() == first


def test_add_model_unknown_license_tag(hub: HubReplay, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_catalog(tmp_path / "catalog", qwen=False, licenses=[LICENSES[1]])
    monkeypatch.setattr(loader, "shipped_catalog_dir", lambda: root)

    with pytest.raises(InputError) as raised:
        add_model(make_index(), QWEN, console=consoles()[0], today=TODAY)

    assert "the Hub license tag 'apache-2.0' matches no catalog license" in raised.value.message
    assert "Add the license to licenses.yaml" in raised.value.message
    assert not overlay_path().exists()


def test_add_model_unknown_owner_needs_vendor(hub: HubReplay, catalog_without_qwen: Path) -> None:
    with pytest.raises(InputError, match="no vendor is known for the Hub owner 'SomeLab'; pass --vendor"):
        add_model(make_index(), "SomeLab/Tiny-1B", console=consoles()[0], today=TODAY)
    assert hub.requests == []


def test_add_model_unknown_vendor_option(hub: HubReplay, catalog_without_qwen: Path) -> None:
    with pytest.raises(InputError, match="unknown vendor id 'alibaba'; add it to vendors.yaml"):
        add_model(make_index(), QWEN, vendor="alibaba", console=consoles()[0], today=TODAY)
    assert hub.requests == []


def test_add_model_missing_repo_404(hub: HubReplay, catalog_without_qwen: Path) -> None:
    with pytest.raises(HubError, match=r"Qwen/Qwen9-1B was not found on the Hub \(HTTP 404\)"):
        add_model(make_index(), "Qwen/Qwen9-1B", console=consoles()[0], today=TODAY)
    assert not overlay_path().exists()


def test_add_model_rejects_malformed_repo(hub: HubReplay, catalog_without_qwen: Path) -> None:
    with pytest.raises(InputError, match="'qwen' is not a Hub repository id; use owner/name"):
        add_model(make_index(), "qwen", console=consoles()[0], today=TODAY)


# --- config.json and license parsing ---------------------------------------------

# Excerpts of real config.json files, reduced to the keys the parser reads.
GPT_OSS_20B = {
    "model_type": "gpt_oss", "num_hidden_layers": 24, "num_attention_heads": 64, "num_key_value_heads": 8,
    "head_dim": 64, "hidden_size": 2880, "vocab_size": 201088, "sliding_window": 128,
    "layer_types": ["sliding_attention", "full_attention"] * 12, "num_local_experts": 32, "num_experts_per_tok": 4,
    "quantization_config": {"quant_method": "mxfp4", "modules_to_not_convert": ["model.layers.*.self_attn"]},
    "torch_dtype": "bfloat16",
}
DEEPSEEK_V3 = {
    "model_type": "deepseek_v3", "num_hidden_layers": 61, "num_attention_heads": 128, "num_key_value_heads": 128,
    "hidden_size": 7168, "vocab_size": 129280, "kv_lora_rank": 512, "qk_rope_head_dim": 64, "qk_nope_head_dim": 128,
    "v_head_dim": 128, "n_routed_experts": 256, "n_shared_experts": 1, "num_experts_per_tok": 8,
    "quantization_config": {"activation_scheme": "dynamic", "fmt": "e4m3", "quant_method": "fp8",
                            "weight_block_size": [128, 128]},
    "torch_dtype": "bfloat16",
}
GEMMA_3_27B = {
    "model_type": "gemma3", "torch_dtype": "bfloat16",
    "text_config": {"model_type": "gemma3_text", "num_hidden_layers": 62, "num_attention_heads": 32,
                    "num_key_value_heads": 16, "head_dim": 128, "hidden_size": 5376, "vocab_size": 262208,
                    "sliding_window": 1024, "sliding_window_pattern": 6},
}


def test_architecture_from_gpt_oss_config() -> None:
    fields, reason = architecture_fields(GPT_OSS_20B, {})
    assert reason is None
    assert fields["native_dtype"] == "mxfp4"
    assert (fields["sliding_window"], fields["sliding_layers"], fields["linear_layers"]) == (128, 12, 0)
    assert fields["experts"] == {"routed": 32, "active": 4, "shared": 0}
    assert fields["mla"] is None
    assert fields["head_dim"] == 64


def test_architecture_from_deepseek_v3_config() -> None:
    fields, reason = architecture_fields(DEEPSEEK_V3, {"BF16": 3918786560, "F8_E4M3": 680571043840, "F32": 41555600})
    assert reason is None
    assert fields["native_dtype"] == "fp8"
    assert fields["mla"] == {"kv_lora_rank": 512, "qk_rope_head_dim": 64}
    assert fields["head_dim"] == 192
    assert fields["experts"] == {"routed": 256, "active": 8, "shared": 1}
    assert (fields["sliding_window"], fields["sliding_layers"]) == (None, 0)
    assert "linear_layers" not in fields


def test_architecture_from_nested_gemma_3_config() -> None:
    fields, reason = architecture_fields(GEMMA_3_27B, {"BF16": 27432406640})
    assert reason is None
    assert fields["model_type"] == "gemma3"
    assert fields["layers"] == 62
    assert fields["native_dtype"] == "bf16"
    assert (fields["sliding_window"], fields["sliding_layers"]) == (1024, 52)


def test_architecture_without_layers_gives_reason() -> None:
    fields, reason = architecture_fields({"model_type": "clip"}, {})
    assert fields is None
    assert reason == "config.json has no num_hidden_layers or num_attention_heads"


@pytest.mark.parametrize(
    ("card", "tags", "expected_tag", "expected_id"),
    [
        ({"license": "llama3.1"}, (), "llama3.1", "llama-3.1"),
        ({}, ("license:apache-2.0",), "apache-2.0", "apache-2.0"),
        ({"license": "other", "license_name": "qwen"}, ("license:other",), "qwen", None),
        ({"license": "MIT"}, (), "mit", None),
        ({}, (), None, None),
    ],
)
def test_license_tag_mapping(card: dict, tags: tuple[str, ...], expected_tag: str | None, expected_id: str | None) -> None:
    repo = HubRepo(repo="owner/name", url="http://127.0.0.1/owner/name", sha=None, tags=tags, card=card)
    assert license_tag(repo) == expected_tag
    assert catalog_license_id(expected_tag, {"apache-2.0", "llama-3.1"}) == expected_id

