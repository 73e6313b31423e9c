"""Shell completion against `python -c "import typer"` (issue 17, point 6: target ≤ 1.5×).

    .venv/bin/python benchmarks/completion.py                 # benchmarks/data/ledger-1m.db
    .venv/bin/python benchmarks/completion.py --db LEDGER     # another ledger (a file or a URL)
    .venv/bin/python benchmarks/completion.py --runs 31

Each case is one Tab as bash does it: the console script run with _QIYE_COMPLETE=complete_bash,
COMP_WORDS and COMP_CWORD, the ledger named by --db on the command line being completed. Cases
and the baseline run interleaved round by round after a warm-up round (run.py's `measure`), and
each figure is the median of the rounds, wall clock and CPU time (user + system) beside it.
The 1,000,000-issue ledger is built by `benchmarks/generate.py` (or `run.py`) when missing.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402
from run import OUT, PYTHON, QIYE, ROOT, Case, measure, write_readme  # noqa: E402

LIMIT = 1.5
BASELINE = 'python -c "import typer"'


def tab(ledger: str, line: str) -> dict[str, str]:
    """The environment typer's script gives the console script for `line` + Tab: bash's, or zsh's
    for a line starting with `zsh:` (which also asks for each candidate's description)."""
    if line.startswith("zsh:"):
        return {"_QIYE_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": f"qiye --db {ledger} {line[4:]}"}
    words = line.split(" ")
    typed = ["qiye", "--db", ledger, *words]
    return {"_QIYE_COMPLETE": "complete_bash", "COMP_WORDS": " ".join(typed), "COMP_CWORD": str(len(typed) - 1)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default=str(generate.sqlite_path(1_000_000)), help="the ledger (default: 1m)")
    parser.add_argument("--runs", type=int, default=21, help="measured rounds (default 21)")
    parser.add_argument("--readme", action="store_true", help="write the table into benchmarks/README.md")
    args = parser.parse_args()
    if "://" not in args.db and not Path(args.db).is_file():
        raise SystemExit(f"{args.db} is missing: build it with `.venv/bin/python benchmarks/generate.py`")
    work = OUT / "work-completion"
    work.mkdir(parents=True, exist_ok=True)
    env = generate.qiye_env(work)
    subprocess.run([PYTHON, "-m", "compileall", "-q", str(ROOT / "src" / "qiye_service")], check=True,
                   env=env, stdout=subprocess.DEVNULL)
    lines = {
        "qiye <Tab> (commands)": "",
        "qiye issue show <Tab> (open issue ids)": "issue show ",
        "qiye issue start 12<Tab> (open ids from 12)": "issue start 12",
        "qiye issue list -e {prefix}<Tab> (enterprise names)": "issue list -e {prefix}",
        "qiye issue list --category <Tab>": "issue list --category ",
        "qiye report summary --dept <Tab>": "report summary --dept ",
        "zsh: qiye issue show 99<Tab> (ids with titles)": "zsh:issue show 99",
    }
    # The first two characters of the ledger's first enterprise, as offered by a completion.
    first = subprocess.run([QIYE], env=env | tab(args.db, "issue list -e "), capture_output=True, text=True)
    prefix = (first.stdout.split() or ["?"])[0][:2]
    cases = [Case(name.format(prefix=prefix), [QIYE], env=env | tab(args.db, line.format(prefix=prefix)))
             for name, line in lines.items()]
    baseline = Case(BASELINE, [PYTHON, "-c", "import typer"], env=env)
    for case in cases:  # each offers something: a figure for an empty answer would flatter
        answer = subprocess.run(case.argv, env=case.env, capture_output=True, text=True, check=True).stdout
        if not answer.strip():
            raise SystemExit(f"{case.name}: no candidates offered")
        case.name += f" [{len(answer.splitlines())} offered]"
    measure([baseline, *cases], args.runs, env)
    lines_out = [f"ledger: {Path(args.db).name if '://' not in args.db else 'PostgreSQL'}; median of {args.runs} "
                 f"rounds; baseline {BASELINE}: {baseline.seconds * 1000:.0f} ms (cpu {baseline.cpu * 1000:.0f} ms)",
                 "", "| Completion | qiye | Ratio | CPU ratio | Target |", "|---|---|---|---|---|"]
    missed = 0
    pg = "://" in args.db  # as run.py: targets are for SQLite; PostgreSQL's figures are for the record
    for case in cases:
        ratio, cpu_ratio = case.seconds / baseline.seconds, case.cpu / baseline.cpu
        missed += ratio > LIMIT and not pg
        target = "" if pg else f"≤ {LIMIT:g}× {'✔' if ratio <= LIMIT else '✘'}"
        lines_out.append(f"| {case.name} | {case.seconds * 1000:.0f} ms | {ratio:.2f}× | {cpu_ratio:.2f}× | {target} |")
    text = "\n".join(lines_out)
    print(text)
    if args.readme:
        write_readme("completion-pg" if pg else "completion", text)
    sys.exit(1 if missed and os.environ.get("QIYE_BENCH_STRICT") else 0)


if __name__ == "__main__":
    main()
