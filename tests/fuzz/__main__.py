"""``python -m tests.fuzz --cases N [--seed S] [--budget SECONDS] [--jobs 2] [--log FILE] [--keep DIR]``: run the fuzz suite long."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    from tests.fuzz.runner import run

    ap = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__)
    ap.add_argument("--cases", type=int, default=500, help="number of cases (default 500)")
    ap.add_argument("--seed", type=int, default=0, help="random seed (default 0, the CI seed)")
    ap.add_argument("--budget", type=float, default=None, help="stop after this many seconds")
    ap.add_argument("--timeout", type=float, default=30.0, help="per-case CPU-time limit in s (default 30)")
    ap.add_argument("--wall-timeout", type=float, default=None, help="per-case wall-time limit in s (default 10 x --timeout)")
    ap.add_argument("--rss-limit-mib", type=int, default=2048, help="per-case peak RSS limit (default 2048 MiB)")
    ap.add_argument("--as-limit-mib", type=int, default=4096,
                    help="address-space limit (RLIMIT_AS) of each case's process (default 4096 MiB)")
    ap.add_argument("--jobs", type=int, default=1, choices=(1, 2), help="worker processes (1 or 2; default 1)")
    ap.add_argument("--log", type=Path, default=None, help="write every case's result to this JSON-lines file")
    ap.add_argument("--keep", type=Path, default=None, help="copy failing cases into this directory")
    ap.add_argument("-v", "--verbose", action="store_true", help="print each failure as it happens")
    args = ap.parse_args(argv)
    report = run(args.cases, seed=args.seed, budget=args.budget, timeout=args.timeout,
                 rss_limit=args.rss_limit_mib << 20, keep=args.keep, verbose=args.verbose,
                 jobs=args.jobs, as_limit=args.as_limit_mib << 20, log=args.log,
                 wall_timeout=args.wall_timeout)
    print(report.text())
    return 1 if report.n_failures else 0


if __name__ == "__main__":
    sys.exit(main())
