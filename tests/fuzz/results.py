"""Fuzz runs accumulated piece by piece: each run (its own seed) appends one JSON line to a
results file; `--tally` sums the lines per pair. A piece is replayed by its seed and pairs."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from sqlrun.atomic import write_atomic


def append(path: str, seed: int, stats, kinds: dict) -> None:
    """One line for this run: per pair its outcome counts and seconds, and its failure kinds."""
    line = {
        "seed": seed,
        "pairs": {f"{s}:{t}": {"counts": dict(c), "seconds": round(stats.seconds[s, t], 1)}
                  for (s, t), c in sorted(stats.counts.items())},
        "kinds": [[*kind, count] for kind, count in kinds.items()],
    }
    file = Path(path)
    old = file.read_text() if file.exists() else ""
    write_atomic(str(file), old + json.dumps(line, ensure_ascii=False) + "\n")


def tally(path: str) -> str:
    """Per pair: the seeds run, queries (not counting invalid ones), outcomes and queries/s."""
    seeds, counts, seconds = {}, {}, Counter()
    for text in Path(path).read_text().splitlines():
        line = json.loads(text)
        for pair, got in line["pairs"].items():
            seeds.setdefault(pair, []).append(line["seed"])
            counts.setdefault(pair, Counter()).update(got["counts"])
            seconds[pair] += got["seconds"]
    rows = ["| pair | seeds | queries | queries/s | outcomes |", "|---|---|---|---|---|"]
    for pair in sorted(counts):
        ran = sum(v for k, v in counts[pair].items() if k != "invalid")
        rate = ran / seconds[pair] if seconds[pair] else 0.0
        rows.append(f"| {pair.replace(':', ' -> ')} | {_ranges(seeds[pair])} | {ran:,} | {rate:.1f} |"
                    f" {dict(sorted(counts[pair].items()))} |")
    return "\n".join(rows) + "\n"


def _ranges(seeds: list[int]) -> str:
    """1, 2, 3, 7 -> '1-3, 7'."""
    out, ordered = [], sorted(set(seeds))
    for seed in ordered:
        if out and seed == out[-1][1] + 1:
            out[-1][1] = seed
        else:
            out.append([seed, seed])
    return ", ".join(f"{a}-{b}" if a != b else f"{a}" for a, b in out)
