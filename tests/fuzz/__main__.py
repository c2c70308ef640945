"""``python -m tests.fuzz --cases N [--seed S] [--budget SECONDS] [--keep DIR]``: run the fuzz suite long."""

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
    ap.add_argument("--timeout", type=float, default=30.0, help="per-case time limit in s (default 30)")
    ap.add_argument("--rss-limit-mib", type=int, default=2048, help="per-case peak RSS limit (default 2048 MiB)")
    ap.add_argument("--keep", type=Path, default=None, help="copy failing cases into this directory")
    ap.add_argument("-v", "--verbose", action="store_true", help="print each failure as it happens")
    args = ap.parse_args(argv)
    report = run(args.cases, seed=args.seed, budget=args.budget, timeout=args.timeout,
                 rss_limit=args.rss_limit_mib << 20, keep=args.keep, verbose=args.verbose)
    print(report.text())
    return 1 if report.n_failures else 0


if __name__ == "__main__":
    sys.exit(main())
