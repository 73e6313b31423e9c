"""Errors the user can act on, each with its exit code (DESIGN §7).

An error carries a catalogue key and its parameters, so the CLI can say it in the
user's language; `str()` gives the English text for logs and tests.
"""

from __future__ import annotations

from typing import Any


class QiyeError(Exception):
    """A failure the user can fix; exit code 1 unless a subclass says otherwise."""

    exit_code = 1

    def __init__(self, key: str, /, **params: Any) -> None:
        self.key = key
        self.params = params
        super().__init__(key)

    def message(self, lang: str = "en") -> str:
        from qiye_service.i18n import translate

        return translate(self.key, lang, **self.params)

    def __str__(self) -> str:
        return self.message("en")


class NotFound(QiyeError):
    """An id or name that names nothing."""


class InvalidValue(QiyeError):
    """A value that does not parse or is out of range."""


class Conflict(QiyeError):
    """A value that clashes with stored data (a duplicate name, say)."""


class InvalidTransition(QiyeError):
    """A status change the workflow does not allow."""


class BadFile(QiyeError):
    """An input file that cannot be read or has bad rows."""


class DatabaseUnavailable(QiyeError):
    """The database cannot be opened, is locked past the timeout, or is corrupt."""

    exit_code = 3


class OutputFailed(QiyeError):
    """A file qiye was asked to write could not be written (a full disk, no permission); nothing was."""
