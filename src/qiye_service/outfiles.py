"""Files qiye writes where the user points (export and report --out, db backup) and the
temporaries beside them: never over the ledger, its -wal/-shm/-journal files or any SQLite
database; never through a name someone could guess or plant; whole, or not at all.

No typer, no rich: the CLI asks whether to replace a file and passes the answer in.
"""

from __future__ import annotations

import errno
import io
import os
import secrets
import stat
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, Any, TextIO

from qiye_service.db import SQLITE_MAGIC
from qiye_service.errors import InvalidValue, OutputFailed

SIDECARS = ("-wal", "-shm", "-journal")
# A failed write as people read it (the catalogue's cause.* texts), by errno; others keep the
# system's own words.
CAUSES = {errno.ENOSPC: "disk_full", errno.EDQUOT: "quota", errno.EFBIG: "too_large", errno.EROFS: "read_only",
          errno.EACCES: "denied", errno.EPERM: "denied", errno.ENOENT: "no_folder", errno.ENOTDIR: "no_folder",
          errno.ENAMETOOLONG: "name_too_long"}

# A full disk, a quota or a size limit met while writing something other than the output itself.
SCRATCH_FULL = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})

# A new file, never an existing one nor through a symlink.
CREATE_NEW = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)

# True: replace an existing file; False: refuse; a callback: ask it (the CLI's prompt).
Overwrite = bool | Callable[[Path], bool]


def cause(exc: OSError) -> str:
    """Why a write failed: a cause code the catalogue says in the user's language, else the system's words."""
    return CAUSES.get(exc.errno or 0, exc.strerror or str(exc))


def write_failed(target: Path, exc: OSError) -> OutputFailed:
    """The error for an output that could not be written, naming it and why."""
    return OutputFailed("error.output_write", path=str(target), cause=cause(exc))


# --- which file, and may it be written --------------------------------------------------------


def check_target(path: Path, *, ledger: Path | None, overwrite: Overwrite = False) -> Path:
    """The real file an output named `path` goes to (symlinks followed), once it may be written.

    Never the ledger, its -wal/-shm/-journal or an SQLite database (a ledger or a backup), not
    even when `overwrite` is True; another existing file only when `overwrite` is True or, as
    a callback, answers yes. Refusals are user errors (exit 1) and write nothing.
    """
    target = Path(os.path.realpath(path))
    try:
        refuse_protected(target, ledger, shown=path)
        found = os.stat(target)
    except FileNotFoundError:
        return target
    except OSError as exc:
        raise write_failed(path, exc) from None
    if stat.S_ISDIR(found.st_mode):
        raise InvalidValue("error.output_is_dir", path=str(path))
    if not stat.S_ISREG(found.st_mode):
        raise InvalidValue("error.output_not_file", path=str(path))
    if overwrite is True:
        return target
    if overwrite is False:
        raise InvalidValue("error.output_exists", path=str(path))
    if not overwrite(path):
        raise InvalidValue("error.output_declined", path=str(path))
    return target


def refuse_protected(target: Path, ledger: Path | None, *, shown: Path | None = None) -> None:
    """InvalidValue when `target` (a real path) is the ledger or one of its companion files (by
    device and inode, or by folder and name for one not there now), or an SQLite database."""
    shown = shown or target
    if ledger is not None:
        here, folder = _identity(target), _identity(target.parent)
        real = Path(os.path.realpath(ledger))
        for base in {Path(ledger).absolute(), real}:
            for name in (base, *(Path(f"{base}{suffix}") for suffix in SIDECARS)):
                same_name = name.name == target.name and folder is not None and _identity(name.parent) == folder
                if same_name or (here is not None and _identity(name) == here):
                    raise InvalidValue("error.output_is_ledger", path=str(shown), ledger=str(real))
    try:
        if not stat.S_ISREG(os.stat(target).st_mode):
            return  # a folder or a device: the caller says why it will not do (and a FIFO would block)
        with open(target, "rb") as handle:
            header = handle.read(len(SQLITE_MAGIC))
    except FileNotFoundError:
        return
    if header == SQLITE_MAGIC:
        raise InvalidValue("error.output_is_database", path=str(shown))


def _identity(path: Path, *, follow: bool = True) -> tuple[int, int] | None:
    try:
        found = os.stat(path) if follow else os.lstat(path)
    except OSError:
        return None
    return found.st_dev, found.st_ino


# --- temporaries --------------------------------------------------------------------------------


class Temporary:
    """A new empty file (mode 0600) beside `target`, under a random name created with O_EXCL, so
    nothing planted in advance can be followed or overwritten. With `private_folder` it is made
    instead inside a new folder of mode 0700 in the system's temporary folder, where no one else
    can even see the names SQLite derives from it (its -journal); `target` only lends the name.

    Before it exists it is noted in qiye's own registry, so that what a killed qiye left behind
    is removed by the next one (sweep_unfinished). `remove()` deletes it, with SQLite's
    -journal/-wal/-shm of that name, only while it is still the file made here (same inode):
    never a file qiye did not create. As a context manager it is removed on the way out
    unless it was renamed into place.
    """

    def __init__(self, target: Path, *, private_folder: bool = False) -> None:
        sweep_unfinished()
        self.folder = Path(tempfile.gettempdir()) / f"qiye-{secrets.token_hex(8)}" if private_folder else None
        # The start of the name is for people who find it after a crash; the random part makes it ours.
        self.path = (self.folder or target.parent) / f".{target.name[:64]}.{secrets.token_hex(8)}.qiye-tmp"
        self.renamed = False
        # Noted before it exists: a kill at any moment from here on leaves a note proving it qiye's.
        self._note = _note_unfinished(self.path, self.folder)
        try:
            if self.folder is not None:
                os.mkdir(self.folder, 0o700)
            self.fd: int | None = os.open(self.path, CREATE_NEW, 0o600)
        except BaseException:
            self._forget(folder_made=self.folder is not None and self.folder.is_dir())
            raise
        found = os.fstat(self.fd)
        self._made = (found.st_dev, found.st_ino)

    def __enter__(self) -> Temporary:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.remove()

    def close(self) -> None:
        if self.fd is not None:
            fd, self.fd = self.fd, None
            os.close(fd)

    def remove(self) -> None:
        with suppress(OSError):
            self.close()
        if not self.renamed and _identity(self.path, follow=False) == self._made:
            with suppress(FileNotFoundError):
                self.path.unlink()
        self._forget(folder_made=self.folder is not None)

    def _forget(self, *, folder_made: bool) -> None:
        _remove_companions(self.path, self.folder if folder_made else None)
        if self._note is not None:
            with suppress(OSError):
                self._note.unlink()
            self._note = None

    def rename_over(self, target: Path) -> None:
        """Flush the file to disk and rename it over `target` in one step."""
        fd = self.fd if self.fd is not None else os.open(self.path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            if fd != self.fd:
                os.close(fd)
        self.close()
        os.replace(self.path, target)
        self.renamed = True
        sync_directory(target.parent)

    def publish(self, target: Path, *, ledger: Path | None, private: bool = False) -> None:
        """Put the finished file in place as `target`: mode 0600 when `private` (backups),
        else the replaced file's mode, else what the umask allows. OSError becomes OutputFailed."""
        try:
            os.chmod(self.path, 0o600 if private else _ordinary_mode(target))
            # Checked again: the folder may have changed while the output was written.
            refuse_protected(target, ledger)
            self.rename_over(target)
        except OSError as exc:
            raise write_failed(target, exc) from None


def _remove_companions(path: Path, folder: Path | None) -> None:
    """Remove the SQLite files named after qiye's temporary `path`, and its private `folder` once empty."""
    for suffix in SIDECARS:
        with suppress(FileNotFoundError):
            os.unlink(f"{path}{suffix}")
    if folder is not None:
        with suppress(OSError):
            folder.rmdir()


# --- what a killed qiye left behind -------------------------------------------------------------
# Each temporary is noted, from just before it is created until it is gone, as one small JSON
# file in a folder only this user can write (under qiye's config folder): the process and the
# random path. A note whose process is gone proves which file was qiye's (no one could have
# known that name before the note), so that file and its SQLite companions can go; a file
# merely named like a qiye temporary is never touched.


def _registry(*, create: bool = False) -> Path | None:
    """qiye's folder of notes, when it is one only this user can write to."""
    from qiye_service.config import config_dir

    folder = config_dir() / "unfinished"
    try:
        if create:
            folder.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # the config folder too: private
            folder.mkdir(mode=0o700, exist_ok=True)
        found = os.lstat(folder)
    except OSError:
        return None
    if not stat.S_ISDIR(found.st_mode) or found.st_uid != os.getuid() or found.st_mode & 0o022:
        return None
    return folder


def _note_unfinished(path: Path, folder: Path | None) -> Path | None:
    """Note a temporary about to be made (best effort: without a registry, what a kill -9 leaves stays)."""
    import json

    registry = _registry(create=True)
    if registry is None:
        return None
    note = {"pid": os.getpid(), "path": str(path), "folder": str(folder) if folder is not None else None}
    try:
        fd, name = tempfile.mkstemp(prefix=f"{os.getpid()}-", suffix=".json", dir=registry)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(note, handle)
    except OSError:
        return None
    return Path(name)


def sweep_unfinished() -> None:
    """Remove what killed qiye processes left behind: each noted temporary whose process is
    gone, with its SQLite companions and private folder."""
    import json

    registry = _registry()
    if registry is None:
        return
    try:
        notes = list(registry.iterdir())
    except OSError:
        return
    for entry in notes:
        try:
            if entry.lstat().st_uid != os.getuid() or not entry.is_file():
                continue
            note = json.loads(entry.read_text(encoding="utf-8"))
            if _alive(int(note["pid"])):
                continue
            path = Path(note["path"])
            with suppress(FileNotFoundError):
                if stat.S_ISREG(os.lstat(path).st_mode):
                    path.unlink()
            _remove_companions(path, Path(note["folder"]) if note["folder"] else None)
            entry.unlink()
        except (OSError, ValueError, KeyError, TypeError):
            continue


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # someone else's process
    return True


def _ordinary_mode(target: Path) -> int:
    try:
        return stat.S_IMODE(os.stat(target).st_mode)
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def sync_directory(directory: Path) -> None:
    """Make a rename in `directory` durable (where the platform allows it)."""
    with suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


# --- writing through a handle -------------------------------------------------------------------


class _Guarded(io.RawIOBase):
    """The temporary's descriptor. The first failed write is kept; once the output is given up,
    writes are dropped, so a library that writes again while it is cleaned up (ZipFile's
    __del__, a text wrapper's close) cannot add an unraisable second error to ours."""

    def __init__(self, fd: int) -> None:
        super().__init__()
        self._fd = fd
        self.error: OSError | None = None
        self.dropping = False

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        if self.dropping:
            return len(data)
        try:
            return os.write(self._fd, data)
        except OSError as exc:
            self.error, self.dropping = exc, True
            raise

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        return 0 if self.dropping else os.lseek(self._fd, offset, whence)


@contextmanager
def written(target: Path, *, ledger: Path | None, binary: bool = False) -> Iterator[IO[Any]]:
    """A text (UTF-8, newlines as written) or binary handle on a temporary beside `target`,
    renamed over it when the block ends well. A failed write (a full disk, a size limit) is an
    OutputFailed naming `target`; on any failure or Ctrl-C nothing is left behind."""
    try:
        temp = Temporary(target)
    except OSError as exc:
        raise write_failed(target, exc) from None
    assert temp.fd is not None
    guard = _Guarded(temp.fd)
    buffered = io.BufferedWriter(guard, 1 << 16)
    handle: IO[Any] = buffered if binary else io.TextIOWrapper(buffered, encoding="utf-8", newline="")
    failure: OutputFailed | None = None
    try:
        yield handle
        handle.flush()
        temp.publish(target, ledger=ledger)
    except BaseException as exc:
        guard.dropping = True
        if guard.error is not None and not isinstance(exc, KeyboardInterrupt):
            failure = OutputFailed("error.output_write", path=str(target), cause=cause(guard.error))
        elif isinstance(exc, OSError) and exc.errno in SCRATCH_FULL:
            # Not our file: openpyxl streams each sheet through a file in the temporary folder.
            failure = OutputFailed("error.output_scratch", path=str(target), folder=tempfile.gettempdir(),
                                   cause=cause(exc))
        else:
            raise
        # Raised below, outside this block: the error must not keep the failed write's frames
        # (and the row streams and open zip files they hold) alive past the caller's cleanup.
        guard.error = None
    finally:
        guard.dropping = True  # the descriptor is closed now: a stray late write must not reach its reused number
        temp.remove()
    if failure is not None:
        raise failure


@contextmanager
def standard_output() -> Iterator[TextIO]:
    """sys.stdout, flushed at the end. A failed write (a full disk behind `>`) is an error, and
    stdout then goes to /dev/null, so the interpreter's own last flush cannot print a traceback."""
    failed: OutputFailed | None = None
    try:
        yield sys.stdout
        sys.stdout.flush()
    except BrokenPipeError:
        raise  # the reader left (`| head`): the CLI ends quietly
    except OSError as exc:
        failed = stdout_failed(exc)
    if failed is not None:
        raise failed


def stdout_failed(exc: OSError) -> OutputFailed:
    """The error for a failed write to stdout; stdout then goes to /dev/null, so the
    interpreter's own last flush cannot print a traceback."""
    silence_stdout()
    return OutputFailed("error.stdout_write", cause=cause(exc))


def silence_stdout() -> None:
    """Send what is left of stdout, the interpreter's last flush included, to /dev/null (as
    Python's documentation advises for SIGPIPE), after a write to it failed: a full disk behind
    `>`, or a reader that left (`| head`)."""
    with suppress(OSError, ValueError, io.UnsupportedOperation):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
