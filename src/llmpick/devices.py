"""Read this machine's GPUs for `--gpu auto`: nvidia-smi on Linux, sysctl on Apple silicon."""

from __future__ import annotations

import platform
import shutil
import subprocess
from dataclasses import dataclass

from llmpick.catalog.schema import Gpu
from llmpick.errors import InputError
from llmpick.i18n import _

MIB = 2**20


@dataclass(frozen=True)
class LocalGpu:
    name: str
    memory_gb: float
    used_gb: float


def query_nvidia_smi() -> list[LocalGpu] | None:
    """GPUs reported by nvidia-smi, or `None` when it is not installed."""
    executable = shutil.which("nvidia-smi")
    if executable is None:
        return None
    try:
        completed = subprocess.run(
            [executable, "--query-gpu=name,memory.total,memory.used", "--format=csv,noheader,nounits"],
            capture_output=True, text=True, timeout=15, check=True,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise InputError(_("nvidia-smi failed ({reason}); pass --gpu ID instead.").format(reason=exc)) from None
    found = []
    for line in completed.stdout.splitlines():
        parts = [part.strip() for part in line.split(",")]
        if len(parts) != 3:
            continue
        name, total_mib, used_mib = parts
        try:
            found.append(LocalGpu(name, float(total_mib) * MIB / 1e9, float(used_mib) * MIB / 1e9))
        except ValueError:
            continue
    return found


def query_apple() -> list[LocalGpu] | None:
    if platform.system() != "Darwin" or platform.machine() != "arm64":
        return None
    try:
        brand = subprocess.run(["sysctl", "-n", "machdep.cpu.brand_string"], capture_output=True, text=True,
                               timeout=5, check=True).stdout.strip()
        memory = int(subprocess.run(["sysctl", "-n", "hw.memsize"], capture_output=True, text=True,
                                    timeout=5, check=True).stdout.strip())
    except (OSError, subprocess.SubprocessError, ValueError):
        return None
    return [LocalGpu(brand, memory / 1e9, 0.0)]


def _normalize(name: str) -> str:
    return "".join(character for character in name.lower() if character.isalnum())


def match_catalog(local: LocalGpu, gpus: list[Gpu]) -> Gpu | None:
    """Find the catalog GPU whose name the reported name contains, trying the longest names first."""
    reported = _normalize(local.name)
    for gpu in sorted(gpus, key=lambda item: -len(item.name)):
        short = _normalize(gpu.name.replace("NVIDIA", "").replace("GeForce", ""))
        if short and short in reported:
            return gpu
    return None


def detect(gpus: list[Gpu]) -> tuple[Gpu, LocalGpu, int]:
    """Return the catalog entry for the local GPU type, its reading with the most memory in use, and the card count."""
    local = query_nvidia_smi()
    if local is None:
        local = query_apple()
    if not local:
        raise InputError(_("no GPU found on this machine (no nvidia-smi, not Apple silicon); pass --gpu ID."))
    first = local[0]
    gpu = match_catalog(first, gpus)
    if gpu is None:
        raise InputError(
            _("this machine's GPU '{name}' is not in the catalog; pass --gpu ID with the closest model.").format(
                name=first.name
            )
        )
    same = [item for item in local if item.name == first.name]
    busiest = max(same, key=lambda item: item.used_gb)
    return gpu, busiest, len(same)
