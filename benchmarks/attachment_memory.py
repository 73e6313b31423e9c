"""Peak memory of evidence (issue 23 point 7): attaching and getting back a large file.

    .venv/bin/python benchmarks/attachment_memory.py               # 100 MB, SQLite and PostgreSQL
    .venv/bin/python benchmarks/attachment_memory.py --size 50     # another size, in MB
    .venv/bin/python benchmarks/attachment_memory.py --no-pg       # SQLite only

Each command runs as a process of the console script (`.venv/bin/qiye`) under `/usr/bin/time -f %M`,
which prints the child's peak resident set size (Linux starts a child's `ru_maxrss` at the size of
the process that forked it, so `wait4` from this script would report this script's own size). The
same is measured for `python -c pass` (the interpreter alone) and `qiye --version` (qiye's start-up)
in the same run. The file is random bytes (nothing compresses), the limit is raised with `qiye
config set attach.max_size`, and every copy that comes back is compared with the original's SHA-256.
PostgreSQL: `--pg URL` (default postgresql+psycopg://postgres@127.0.0.1:5432/test), in a schema of
its own that is dropped afterwards. The target (issue 23): under 150 MB on both backends.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
QIYE = Path(sys.executable).with_name("qiye")
TIME = "/usr/bin/time"
CHUNK = 1 << 20
TARGET_MB = 150


def peak(args: list[str], env: dict[str, str], *, stdout: int | None = subprocess.DEVNULL) -> tuple[float, float]:
    """(peak RSS in MB, wall seconds) of one run of `args`; fails loudly when the command does."""
    started = time.perf_counter()
    done = subprocess.run([TIME, "-f", "%M", *args], env=env, stdout=stdout, stderr=subprocess.PIPE, text=True)
    took = time.perf_counter() - started
    lines = done.stderr.strip().splitlines()
    if done.returncode != 0 or not lines or not lines[-1].strip().isdigit():
        raise SystemExit(f"{' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
    return int(lines[-1]) / 1024, took


def digest(path: Path) -> str:
    sha = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            sha.update(chunk)
    return sha.hexdigest()


def make_file(path: Path, megabytes: int) -> None:
    with open(path, "wb") as handle:
        for _ in range(megabytes):
            handle.write(os.urandom(CHUNK))


def qiye(env: dict[str, str], *args: str) -> None:
    subprocess.run([str(QIYE), *args], env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def measure(name: str, db: str, folder: Path, big: Path, megabytes: int) -> list[tuple[str, float, float]]:
    """Set up a ledger at `db` with one issue, then attach `big` and get it back three ways."""
    env = {**os.environ, "QIYE_DB": db, "QIYE_CONFIG_DIR": str(folder / f"config-{name}"), "QIYE_USER": "bench",
           "QIYE_LANG": "en", "NO_COLOR": "1"}
    qiye(env, "init")
    qiye(env, "enterprise", "add", "蓝思科技")
    qiye(env, "issue", "add", "二期厂房消防验收", "-e", "蓝思科技", "-c", "fire-acceptance")
    qiye(env, "config", "set", "attach.max_size", f"{megabytes * 2}MB")
    rows = []
    rows.append((f"{name}: issue attach ({megabytes} MB)", *peak([str(QIYE), "issue", "attach", "1", str(big)], env)))
    out = folder / f"{name}-out.bin"
    rows.append((f"{name}: attachment get --out", *peak([str(QIYE), "attachment", "get", "1", "--out", str(out)], env)))
    assert digest(out) == digest(big), "attachment get --out gave different bytes"
    out.unlink()
    piped = folder / f"{name}-stdout.bin"
    with open(piped, "wb") as handle:
        rows.append((f"{name}: attachment get > file", *peak([str(QIYE), "attachment", "get", "1"], env, stdout=handle)))
    assert digest(piped) == digest(big), "attachment get to stdout gave different bytes"
    piped.unlink()
    rows.append((f"{name}: db check", *peak([str(QIYE), "db", "check"], env)))
    backup = folder / f"{name}-backup.db"
    rows.append((f"{name}: db backup", *peak([str(QIYE), "db", "backup", str(backup)], env)))
    if name == "postgresql":  # the move into PostgreSQL: the SQLite file's rows copied in
        rows.append((f"{name}: db restore (from a file)", *peak([str(QIYE), "db", "restore", str(backup), "--yes"],
                                                               env)))
    backup.unlink()
    return rows


def pg_schema(url: str) -> tuple[str, str]:
    """A fresh schema on the server at `url`: (the URL that uses it, the schema's name)."""
    import psycopg

    plain = url.replace("postgresql+psycopg://", "postgresql://")
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public")
        conn.execute(f'CREATE SCHEMA "{schema}"')
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-csearch_path%3D{schema}", schema


def drop_schema(url: str, schema: str) -> None:
    import psycopg

    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=100, help="the file's size in MB (default 100)")
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/test")
    parser.add_argument("--no-pg", action="store_true", help="SQLite only")
    options = parser.parse_args()
    if not Path(TIME).exists():
        raise SystemExit(f"{TIME} is needed (Debian/Ubuntu: apt-get install time)")
    folder = Path(tempfile.mkdtemp(prefix="qiye-attach-bench-"))
    try:
        big = folder / "acceptance-scan.bin"
        make_file(big, options.size)
        env = {**os.environ, "QIYE_CONFIG_DIR": str(folder / "config"), "QIYE_DB": str(folder / "unused.db")}
        rows = [("python -c pass", *peak([sys.executable, "-c", "pass"], env)),
                ("qiye --version", *peak([str(QIYE), "--version"], env))]
        rows += measure("sqlite", str(folder / "ledger.db"), folder, big, options.size)
        if not options.no_pg:
            url, schema = pg_schema(options.pg)
            try:
                rows += measure("postgresql", url, folder, big, options.size)
            finally:
                drop_schema(options.pg, schema)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    load = os.getloadavg()
    print(f"Peak memory (max RSS) per process; target under {TARGET_MB} MB. "
          f"Load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} CPUs.")
    width = max(len(row[0]) for row in rows)
    print(f"{'command':<{width}}  {'peak RSS':>9}  {'wall':>7}")
    worst = 0.0
    for label, megabytes, seconds in rows:
        print(f"{label:<{width}}  {megabytes:>6.1f} MB  {seconds:>6.2f}s")
        if ":" in label:
            worst = max(worst, megabytes)
    print(f"highest qiye figure: {worst:.1f} MB ({'under' if worst < TARGET_MB else 'OVER'} the {TARGET_MB} MB target)")


if __name__ == "__main__":
    main()
