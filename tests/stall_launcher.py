"""Runs `qiye ARGS` (test-only) with the work held still at a chosen point, so a test in a
pseudo-terminal can press Ctrl-C mid-work deterministically instead of racing a fast command.

QIYE_TEST_STALL names the point:
  "progress.KEY"         right after the stage KEY is drawn on the terminal;
  "progress.KEY figures" right after the first figures of stage KEY are drawn;
  "module:function"      just before that function (or "module:Class.method") is called (the progress so far is drawn).
There the process touches QIYE_TEST_STALLED (the test waits for it) and sleeps: the terminal's
SIGINT interrupts the sleep with KeyboardInterrupt in the main thread, as a user's Ctrl-C would.
"""

from __future__ import annotations

import functools
import importlib
import os
import sys
import time
from pathlib import Path
from typing import Any

STALL_SECONDS = 60


def stall() -> None:
    Path(os.environ["QIYE_TEST_STALLED"]).touch()
    time.sleep(STALL_SECONDS)
    raise SystemExit("the launcher was not interrupted")


def hold_at_progress(key: str, figures: bool) -> None:
    from qiye_service.cli import progress

    real_step, real_call = progress._Shown.step, progress._Shown.__call__
    stage: dict[str, Any] = {"key": None, "held": False}

    def draw(shown: Any) -> None:
        if shown.bar is not None:
            shown._refresh()
        else:
            shown._draw(force=True)

    def step(self: Any, step_key: str, total: int | None = None, **params: Any) -> None:
        real_step(self, step_key, total, **params)
        stage["key"] = step_key
        if step_key == key and not figures and not stage["held"]:
            stage["held"] = True
            draw(self)
            stall()

    def call(self: Any, done: int, total: int | None = None, **fields: Any) -> None:
        real_call(self, done, total, **fields)
        if stage["key"] == key and figures and not stage["held"]:
            stage["held"] = True
            draw(self)
            stall()

    progress._Shown.step = step  # type: ignore[method-assign]
    progress._Shown.__call__ = call  # type: ignore[method-assign]


def hold_before(target: str) -> None:
    module_name, path = target.split(":")
    owner: Any = importlib.import_module(module_name)
    *outer, name = path.split(".")  # "Class.method" too
    for part in outer:
        owner = getattr(owner, part)
    real = getattr(owner, name)

    @functools.wraps(real)
    def held(*args: Any, **kwargs: Any) -> Any:
        stall()
        return real(*args, **kwargs)

    setattr(owner, name, held)


def main() -> None:
    point = os.environ["QIYE_TEST_STALL"]
    if ":" in point:
        hold_before(point)
    else:
        key, _, figures = point.partition(" ")
        hold_at_progress(key, figures == "figures")
    from qiye_service.cli import main as qiye

    sys.argv[0] = "qiye"
    qiye()


if __name__ == "__main__":
    main()
