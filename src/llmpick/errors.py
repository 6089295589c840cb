"""Domain exceptions. The CLI entry point turns them into one `Error:` line."""

from __future__ import annotations


class LlmpickError(Exception):
    """A failure the user can fix; `message` is already translated."""

    exit_code = 1

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class InputError(LlmpickError):
    """Invalid user input: a requirements file, an option value or a catalog file."""

    exit_code = 2


class NotFoundError(InputError):
    """An id (model, GPU, preset, license) that the catalog does not contain."""


class HubError(LlmpickError):
    """The Hugging Face Hub could not be read."""
