"""``python -m tests.fuzz.summary LOG.jsonl ...``: one Markdown table by format and outcome over runs' ``--log`` files."""

from __future__ import annotations

import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

OUTCOMES = ("ok", "error", "raw", "hang", "memory", "crash")


def summarize(logs: list[Path]) -> str:
    """Counts by format and outcome, the largest peak RSS per format, and every failure with its case and run."""
    counts: dict[str, Counter] = defaultdict(Counter)
    rss: dict[str, int] = defaultdict(int)
    cpu: list[float] = []
    failures: list[str] = []
    for log in logs:
        for line in log.read_text().splitlines():
            r = json.loads(line)
            counts[r["format"]][r["outcome"]] += 1
            rss[r["format"]] = max(rss[r["format"]], int(r.get("peak_rss", 0)))
            cpu.append(float(r.get("cpu", 0.0)))
            if r["outcome"] not in ("ok", "error"):
                failures.append(f"- {log.name} case {r['case']} [{r['format']}] {r['outcome']}: {r.get('signature')} "
                                f"({', '.join(r.get('notes', []))})")
    rows = ["| format | " + " | ".join(OUTCOMES) + " | max peak RSS (MiB) |", "|---" * (len(OUTCOMES) + 2) + "|"]
    total: Counter = Counter()
    for fmt in sorted(counts):
        total.update(counts[fmt])
        rows.append(f"| {fmt} | " + " | ".join(str(counts[fmt][o]) for o in OUTCOMES) + f" | {rss[fmt] / 2**20:.0f} |")
    rows.append("| **total** | " + " | ".join(f"**{total[o]}**" for o in OUTCOMES)
                + f" | **{max(rss.values(), default=0) / 2**20:.0f}** |")
    cpu.sort()
    if cpu:
        rows.append(f"\n{sum(total.values())} cases; CPU per case median {cpu[len(cpu) // 2]:.2f} s, max {cpu[-1]:.1f} s")
    return "\n".join(rows + (["", *failures] if failures else []))


if __name__ == "__main__":
    print(summarize([Path(p) for p in sys.argv[1:]]))
