"""How long work says how far it has got (issue 26): a plain callback, no typer, no rich.

A service that can take seconds on a large ledger takes a `progress` argument and calls, per
chunk and never per row, `progress.step(key, total)` when a stage begins (`key` a catalogue
entry such as "progress.check_history"; `total` None when unknown) and `progress(done)` as it
goes. The CLI draws it (cli/progress.py) or, for scripts and pipes, ignores it (NO_PROGRESS).
"""

from __future__ import annotations

from typing import Any, Protocol


class Progress(Protocol):
    def step(self, key: str, total: int | None = None, **params: Any) -> None:
        """A new stage of the work begins: `total` units (None: unknown)."""

    def __call__(self, done: int, total: int | None = None, **fields: Any) -> None:
        """`done` units of the current stage are done (the total, if it has become known;
        `count=`: how many rows that is, when `done` counts something else, such as bytes)."""


class _Silent:
    """Progress nobody watches: both calls cost a method call and nothing else."""

    def step(self, key: str, total: int | None = None, **params: Any) -> None:
        pass

    def __call__(self, done: int, total: int | None = None, **fields: Any) -> None:
        pass


NO_PROGRESS: Progress = _Silent()
