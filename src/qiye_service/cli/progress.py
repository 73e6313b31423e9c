"""Progress of long work on stderr (issue 26): the one place qiye draws it.

Shown only when stderr is a terminal and --quiet was not given; never on stdout. rich draws
it as the figures come (and turns the spinner of a silent stage) and clears it when the work
ends; under NO_COLOR, or on a terminal that cannot move its cursor (TERM=dumb), it is one plain
line rewritten with a
carriage return, no escape sequence. The services report through services.progress.Progress.
"""

from __future__ import annotations

import os
import shutil
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from itertools import chain, islice
from typing import Any, TypeVar

from qiye_service.i18n import translate
from qiye_service.services.progress import NO_PROGRESS, Progress

T = TypeVar("T")

EVERY = 1000  # rows between two reports of a counted stream
PLAIN_INTERVAL = 0.5  # seconds between two redraws of the plain line
DRAW_INTERVAL = 0.5  # seconds between two redraws of the bar, as figures come
DRAW_SHARE = 0.003  # at most this share of the work's CPU time goes to redrawing the bar
SILENT_AFTER = 1.0  # seconds without figures after which the spinner turns by itself


def wanted(quiet: bool) -> bool:
    """Whether to show progress: stderr is a terminal and --quiet was not given."""
    if quiet:
        return False
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):  # replaced or closed
        return False


def plain_only() -> bool:
    """NO_COLOR (any non-empty value), or a terminal that cannot move its cursor."""
    return bool(os.environ.get("NO_COLOR")) or os.environ.get("TERM", "").lower() in ("dumb", "unknown")


def _clock(seconds: float) -> str:
    seconds = int(seconds + 0.5)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def figures(lang: str, done: int, total: int | None, count: int | None, elapsed: float) -> str:
    """What a stage has done: "12,000 rows 42% about 0:00:31 left", "3,000 / 10,000 …", or a count."""
    parts = []
    if count is None and total is None and not done:
        return ""  # a spinner and its description say it all
    if count is not None:
        parts.append(translate("progress.rows", lang, count=f"{count:,}"))
    elif total is not None:
        parts.append(f"{done:,} / {total:,}")
    else:
        parts.append(f"{done:,}")
    if total:
        share = min(done / total, 1.0)
        parts.append(f"{share:.0%}")
        if 0 < share < 1 and elapsed >= 1:
            parts.append(translate("progress.eta", lang, time=_clock(elapsed * (1 - share) / share)))
    return "  ".join(parts)


class _Shown:
    """Progress drawn on stderr: rich's bar, or a plain line."""

    def __init__(self, lang: str, plain: bool) -> None:
        self.lang = lang
        self.plain = plain
        self.description = ""
        self.total: int | None = None
        self.done = 0
        self.count: int | None = None
        self.started = time.monotonic()
        self.task: Any = None
        self.bar: Any = None
        self._drawn = 0.0
        self._cpu_next = 0.0  # the process's CPU time before which the bar is not redrawn
        self._width = 0
        if not plain:
            from rich.console import Console
            from rich.progress import BarColumn, ProgressColumn, SpinnerColumn, TextColumn
            from rich.progress import Progress as Bar
            from rich.text import Text

            shown = self

            class Figures(ProgressColumn):
                def render(self, task: Any) -> Text:
                    return Text(figures(shown.lang, int(task.completed), None if task.total is None else int(task.total),
                                        task.fields.get("count"), task.elapsed or 0.0))

            console = Console(stderr=True, highlight=False)
            # Drawn from the work's own thread as its figures come (see _keep_turning for the rest):
            # rich's refresh thread, waking five times a second beside a busy export, cost it 8%.
            self.bar = Bar(SpinnerColumn(), TextColumn("{task.description}", markup=False), BarColumn(), Figures(),
                           console=console, transient=True, auto_refresh=False,
                           redirect_stdout=False)  # stdout stays the command's: lines on stderr go above the bar
            self._stop = threading.Event()
            self._keeping = threading.Lock()
            self._keeper: threading.Thread | None = None
            self._figured = False  # whether the stage has reported figures

    def __enter__(self) -> _Shown:
        _ACTIVE.append(self)
        if self.bar is not None:
            self.bar.start()
        return self

    def _keep_turning(self) -> None:
        """A stage that reports nothing (a backup's one step, a commit) still shows it is alive:
        its spinner turns once a second, drawn by this thread. It ends as soon as the stage
        reports figures, which are drawn as they come: a thread waking beside a busy export
        costs it several per cent, the drawing itself a fraction of one."""
        while not self._stop.wait(SILENT_AFTER):
            with self._keeping:
                if self._figured:
                    self._keeper = None
                    return
            if time.monotonic() - self._drawn >= SILENT_AFTER:
                self._refresh()

    def _keep_silent_stage_turning(self) -> None:
        with self._keeping:
            self._figured = False
            if self._keeper is None:
                self._keeper = threading.Thread(target=self._keep_turning, name="qiye-progress", daemon=True)
                self._keeper.start()

    def _refresh(self) -> None:
        """Redraw the bar, and note when the next redraw may come: a redraw costs rich about half
        a millisecond, so it waits for DRAW_INTERVAL seconds and for the work to have used that
        much CPU time over DRAW_SHARE. On a machine busy with other work a second of the clock
        holds less of the command's work, and redrawing by the clock alone cost a long db check
        1-2% (its ratio to no progress)."""
        self._drawn = time.monotonic()
        cpu = time.process_time()
        self.bar.refresh()
        spent = time.process_time() - cpu
        self._cpu_next = cpu + spent + spent / DRAW_SHARE

    def __exit__(self, *exc: object) -> None:
        _ACTIVE.remove(self)
        if self.bar is not None:
            self._stop.set()
            keeper = self._keeper
            if keeper is not None:
                keeper.join()
            self.bar.stop()  # drawn once more as it ended, then cleared
        elif self.description:
            self._draw(force=True)  # likewise
            self.wipe()

    def wipe(self) -> None:
        """Take the plain line off the terminal (it is drawn again at the next figures)."""
        if self._width:
            sys.stderr.write("\r" + " " * self._width + "\r")
            sys.stderr.flush()
            self._width, self._drawn = 0, 0.0

    def step(self, key: str, total: int | None = None, **params: Any) -> None:
        from qiye_service.render import terminal_safe

        # The stage that ends is shown as it ended (a quick one would otherwise pass unseen).
        if self.bar is not None and self.task is not None:
            self._refresh()
        elif self.bar is None and self.description:
            self._draw(force=True)
        self.description = terminal_safe(translate(key, self.lang, **params))
        self.total, self.done, self.count, self.started = total, 0, None, time.monotonic()
        if self.bar is not None:
            if self.task is not None:
                self.bar.remove_task(self.task)
            self.task = self.bar.add_task(self.description, total=total, count=None)
            self._refresh()
            self._keep_silent_stage_turning()
        else:
            self._draw(force=True)

    def __call__(self, done: int, total: int | None = None, **fields: Any) -> None:
        if total is not None:
            self.total = total
        self.done = done
        self.count = fields.get("count", self.count)
        if self.bar is not None:
            self._figured = True
            if self.task is not None:
                self.bar.update(self.task, completed=done, total=self.total, **fields)
                if time.monotonic() - self._drawn >= DRAW_INTERVAL and time.process_time() >= self._cpu_next:
                    self._refresh()
        else:
            self._draw()

    def _draw(self, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._drawn < PLAIN_INTERVAL:
            return
        from rich.cells import cell_len, set_cell_size

        self._drawn = now
        text = f"{self.description}  {figures(self.lang, self.done, self.total, self.count, now - self.started)}".rstrip()
        room = max(shutil.get_terminal_size((80, 24)).columns - 1, 10)
        text = set_cell_size(text, min(cell_len(text), room))
        width = cell_len(text)
        sys.stderr.write("\r" + text + " " * max(self._width - width, 0))
        sys.stderr.flush()
        self._width = max(self._width, width)


_ACTIVE: list[_Shown] = []


def make_room() -> None:
    """Before a message reaches the terminal: the plain line leaves it first (rich's bar moves
    stderr's lines above itself)."""
    for progress in _ACTIVE:
        if progress.bar is None:
            progress.wipe()


@contextmanager
def shown(lang: str, *, quiet: bool = False, key: str | None = None, total: int | None = None,
          **params: Any) -> Iterator[Progress]:
    """Progress for the block, drawn on stderr when wanted, starting with stage `key` if given;
    NO_PROGRESS otherwise. The drawing ends (and is wiped) with the block, however it ends."""
    if not wanted(quiet):
        yield NO_PROGRESS
        return
    with _Shown(lang, plain_only()) as progress:
        if key is not None:
            progress.step(key, total, **params)
        yield progress


def batched(rows: Iterable[T], report: Any, *, every: int = EVERY, end: Any = None) -> Iterator[T]:
    """The rows, calling `report(rows so far)` after each batch of `every` (and once at the end,
    then `end()`, if given), without a Python frame per row."""
    source = iter(rows)
    done = 0

    def batch() -> list[T]:
        nonlocal done
        chunk = list(islice(source, every))
        done += len(chunk)
        report(done)
        if not chunk and end is not None:
            end()
        return chunk

    return chain.from_iterable(iter(batch, []))
