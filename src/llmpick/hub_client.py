"""Read repositories from the Hugging Face Hub with huggingface_hub, and translate its failures.

huggingface_hub is imported inside the functions, because importing it at module
level would slow down `llmpick --help`.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from llmpick import __version__
from llmpick.errors import HubError, InputError
from llmpick.hub_facts import HubRepo, gated_value
from llmpick.i18n import _

if TYPE_CHECKING:
    from rich.console import Console

DEFAULT_ENDPOINT = "https://huggingface.co"
TIMEOUT_VARIABLE = "LLMPICK_HUB_TIMEOUT"
# Seconds per request, the same as huggingface_hub 2.4's DEFAULT_ETAG_TIMEOUT.
DEFAULT_TIMEOUT_S = 10.0
# Fewer models than this finish too fast for a progress bar to help.
PROGRESS_MIN_MODELS = 4


def hub_endpoint() -> str:
    """Return the Hub address: HF_ENDPOINT when set, read at call time so a mirror applies."""
    return (os.environ.get("HF_ENDPOINT") or DEFAULT_ENDPOINT).rstrip("/")


def hub_timeout(timeout: float | None = None) -> float:
    """Return the per-request timeout in seconds: `timeout`, else LLMPICK_HUB_TIMEOUT, else 10."""
    if timeout is not None:
        return timeout
    text = os.environ.get(TIMEOUT_VARIABLE)
    if not text:
        return DEFAULT_TIMEOUT_S
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not math.isfinite(value) or value <= 0:
        raise InputError(
            _("{variable} must be a number of seconds above 0, got '{value}'.").format(variable=TIMEOUT_VARIABLE, value=text)
        )
    return value


def _import_hub() -> Any:
    """Import huggingface_hub with telemetry off.

    The library reads HF_HUB_DISABLE_TELEMETRY once, at import. When something else
    imported it first, the constant is set directly, because with telemetry on,
    huggingface_hub 2.4 also fetches an agent registry from its import-time endpoint,
    which may not be the HF_ENDPOINT this command uses.
    """
    os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
    import huggingface_hub
    from huggingface_hub import constants

    constants.HF_HUB_DISABLE_TELEMETRY = True
    return huggingface_hub


class _HubReader:
    """Reader of repositories through huggingface_hub's HfApi, which raises `HubError` on failure.

    The token comes from huggingface_hub itself (HF_TOKEN, or the `hf auth login` file).
    llmpick never reads, prints or logs it.
    """

    def __init__(self, endpoint: str, timeout: float, cache_dir: str) -> None:
        hub = _import_hub()
        self.endpoint = endpoint
        self.timeout = timeout
        # A private cache folder, so that an unreachable Hub fails instead of
        # huggingface_hub quietly returning a config.json cached by an earlier run.
        self.cache_dir = cache_dir
        self.api = hub.HfApi(endpoint=endpoint, library_name="llmpick", library_version=__version__)

    def read(self, repo: str) -> HubRepo:
        import httpx2

        try:
            info = self.api.model_info(repo, timeout=self.timeout, files_metadata=False)
            canonical = info.id or repo
            config = self._read_config(canonical, info.sha)
        except (httpx2.HTTPError, OSError, ValueError) as exc:
            raise _hub_error(exc, repo, self.endpoint, self.timeout) from exc

        card = info.card_data.to_dict() if info.card_data is not None else {}
        safetensors = info.safetensors
        return HubRepo(
            repo=canonical,
            url=f"{self.endpoint}/{canonical}",
            sha=info.sha,
            tags=tuple(info.tags or ()),
            card=card,
            gated=gated_value(info.gated),
            downloads=info.downloads,
            likes=info.likes,
            last_modified=info.last_modified,
            safetensors_parameters=dict(safetensors.parameters) if safetensors else {},
            safetensors_total=safetensors.total if safetensors else None,
            config=config,
        )

    def _read_config(self, repo: str, sha: str | None) -> dict[str, Any] | None:
        """Download config.json at the commit `model_info` described, or return None when the repository has none."""
        from huggingface_hub.errors import RemoteEntryNotFoundError
        from huggingface_hub.utils import silent_tqdm

        # NOTE: huggingface_hub 2.4 retries a failed metadata request up to 5 times with
        # backoff, and its GET timeout is HF_HUB_DOWNLOAD_TIMEOUT (10 s by default). A
        # flaky Hub can therefore hold this call much longer than `timeout`.
        try:
            path = self.api.hf_hub_download(
                repo, "config.json", revision=sha or "main", cache_dir=self.cache_dir,
                etag_timeout=self.timeout, tqdm_class=silent_tqdm,
            )
        except RemoteEntryNotFoundError:
            return None
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise HubError(_("{repo}: config.json on the Hub is not valid JSON ({reason}).").format(repo=repo, reason=exc)) from None
        if not isinstance(data, dict):
            raise HubError(_("{repo}: config.json on the Hub is not a JSON object.").format(repo=repo))
        return data


def _status_code(exc: BaseException) -> int | None:
    response = getattr(exc, "response", None)
    return getattr(response, "status_code", None)


def _hub_error(exc: BaseException, repo: str, endpoint: str, timeout: float) -> HubError:
    """Translate a huggingface_hub or httpx2 failure into one `HubError` that names the failure and the next step."""
    import httpx2
    from huggingface_hub.errors import (
        GatedRepoError,
        HFValidationError,
        HfHubHTTPError,
        LocalEntryNotFoundError,
        OfflineModeIsEnabled,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    # hf_hub_download raises LocalEntryNotFoundError for a failed metadata request, with
    # the more specific network or HTTP error as its cause.
    if isinstance(exc, LocalEntryNotFoundError) and exc.__cause__ is not None:
        exc = exc.__cause__

    status = _status_code(exc)
    if isinstance(exc, OfflineModeIsEnabled):
        return HubError(_("HF_HUB_OFFLINE is set, so the Hub cannot be read. Unset it and run the command again."))
    if isinstance(exc, GatedRepoError):
        return HubError(
            _("{repo} is a gated repository and the Hub refused access (HTTP {status}). Accept its terms on the Hub, "
              "then set HF_TOKEN to a token of an account that has access.").format(repo=repo, status=status)
        )
    if isinstance(exc, RepositoryNotFoundError):
        return HubError(
            _("{repo} was not found on the Hub (HTTP {status}). Check the repository name; "
              "for a private repository, set HF_TOKEN.").format(repo=repo, status=status)
        )
    if isinstance(exc, RevisionNotFoundError):
        return HubError(_("{repo}: the Hub has no such revision (HTTP {status}).").format(repo=repo, status=status))
    if isinstance(exc, HfHubHTTPError):
        if status in (401, 403):
            return HubError(
                _("the Hub refused access to {repo} (HTTP {status}). Check that HF_TOKEN is a valid token "
                  "with access to the repository.").format(repo=repo, status=status)
            )
        if status == 429:
            return HubError(_("the Hub rate-limited the requests for {repo} (HTTP 429). Wait a few minutes, "
                              "or set HF_TOKEN for a higher limit.").format(repo=repo))
        return HubError(
            _("the Hub failed while reading {repo} (HTTP {status}). Try again later.").format(repo=repo, status=status)
        )
    if isinstance(exc, httpx2.TimeoutException):
        return HubError(
            _("the Hub at {endpoint} did not answer within {timeout:g} s while reading {repo}. Check the network, "
              "or raise {variable}.").format(endpoint=endpoint, timeout=timeout, repo=repo, variable=TIMEOUT_VARIABLE)
        )
    if isinstance(exc, httpx2.TransportError):
        return HubError(
            _("cannot connect to the Hub at {endpoint} ({reason}). Check the network and HF_ENDPOINT.").format(
                endpoint=endpoint, reason=exc.__class__.__name__)
        )
    if isinstance(exc, HFValidationError):
        return HubError(_("'{repo}' is not a valid Hub repository id; use owner/name.").format(repo=repo))
    return HubError(_("could not read {repo} from the Hub at {endpoint} ({reason}).").format(
        repo=repo, endpoint=endpoint, reason=exc))


@contextmanager
def _progress(console: Console, total: int) -> Iterator[Callable[[str], None]]:
    """Yield a function that advances a progress bar on `console` by one repository."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    progress = Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
        console=console, transient=True, disable=total < PROGRESS_MIN_MODELS,
    )
    with progress:
        task = progress.add_task(_("Reading the Hub"), total=total)

        def advance(label: str) -> None:
            progress.update(task, advance=1, description=label)

        yield advance


def read_repos(repos: Sequence[str], console: Console, timeout: float | None) -> list[HubRepo]:
    """Read every repository in order, showing progress on `console`.

    The first failure raises `HubError`, and the repositories read before it are discarded.
    """
    seconds = hub_timeout(timeout)
    endpoint = hub_endpoint()
    results = []
    with tempfile.TemporaryDirectory(prefix="llmpick-hub-") as cache_dir:
        reader = _HubReader(endpoint, seconds, cache_dir)
        with _progress(console, len(repos)) as advance:
            for repo in repos:
                results.append(reader.read(repo))
                advance(repo)
    return results
