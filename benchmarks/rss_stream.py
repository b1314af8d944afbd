"""Peak memory and time of ``maskaug augment`` against input size: does memory stay flat as rows grow?

    python benchmarks/rss_stream.py --data ../shared/data/sst2_cased/test.jsonl --rows 10000 200000 1000000 \
        --method mask --format jsonl parquet --work runs/rss

Builds each input by repeating the data's texts (with their other columns) up to ``--rows`` rows (JSONL, in
``--work``; not committed), then runs the built-in model's ``maskaug augment INPUT -o OUT --n 1 --quiet`` once
per (rows, method, output format) in its own process, and reads that process's peak RSS
(``resource.getrusage(RUSAGE_CHILDREN)``, reset by running each in a fresh child) and wall time. Prints one
JSON line per run and a Markdown table with the growth of peak RSS from the smallest to the largest input.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path


def build_input(data: Path, rows: int, work: Path) -> Path:
    out = work / f"input-{rows}.jsonl"
    if out.is_file():
        return out
    base = [line for line in data.read_text(encoding="utf-8").split("\n") if line.strip()]
    tmp = out.with_suffix(".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        for i in range(rows):
            fh.write(base[i % len(base)] + "\n")
    tmp.replace(out)
    return out


CHILD = """
import resource, subprocess, sys, time, json
t0 = time.perf_counter()
rc = subprocess.run(sys.argv[1:]).returncode
secs = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({"rc": rc, "seconds": round(secs, 1), "peak_rss_mb": round(peak)}))
"""


def run(inp: Path, out: Path, method: str, extra: list[str]) -> dict:
    out.unlink(missing_ok=True)
    cmd = [sys.executable, "-m", "maskaug.cli", "augment", str(inp), "-o", str(out), "--n", "1", "--method", method,
           "--quiet", "--overwrite", "--restart", *extra]
    res = subprocess.run([sys.executable, "-c", CHILD, *cmd], capture_output=True, text=True, check=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--rows", type=int, nargs="+", default=[10_000, 200_000, 1_000_000])
    ap.add_argument("--method", nargs="+", default=["mask"])
    ap.add_argument("--format", nargs="+", default=["jsonl", "parquet"])
    ap.add_argument("--work", type=Path, default=Path("runs/rss"))
    ap.add_argument("--extra", nargs=argparse.REMAINDER, default=[], help="more maskaug augment flags")
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    results = []
    log = args.work / "results.jsonl"
    done = {}
    if log.is_file():  # resume: each run is minutes to hours
        for line in log.read_text().splitlines():
            r = json.loads(line)
            done[(r["rows"], r["method"], r["format"])] = r
    for method in args.method:
        for fmt in args.format:
            for rows in args.rows:
                if (rows, method, fmt) in done:
                    r = done[(rows, method, fmt)]
                else:
                    inp = build_input(args.data, rows, args.work)
                    t0 = time.time()
                    r = {"rows": rows, "method": method, "format": fmt,
                         **run(inp, args.work / f"out-{rows}-{method}.{fmt}", method, args.extra)}
                    r["per_1k_rows_s"] = round(1000 * r["seconds"] / rows, 3)
                    r["started"] = time.strftime("%Y-%m-%d %H:%M", time.localtime(t0))
                    with open(log, "a") as fh:
                        fh.write(json.dumps(r) + "\n")
                print(json.dumps(r), flush=True)
                results.append(r)
    print("\n| method | output | rows | peak RSS MB | wall s | s per 1k rows |\n|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['method']} | {r['format']} | {r['rows']:,} | {r['peak_rss_mb']} | {r['seconds']} | "
              f"{r['per_1k_rows_s']} |")
    for method in args.method:
        for fmt in args.format:
            mine = sorted((r for r in results if r["method"] == method and r["format"] == fmt), key=lambda r: r["rows"])
            if len(mine) > 1:
                print(f"{method} -> {fmt}: peak RSS {mine[0]['peak_rss_mb']} MB at {mine[0]['rows']:,} rows, "
                      f"{mine[-1]['peak_rss_mb']} MB at {mine[-1]['rows']:,} rows "
                      f"(growth {mine[-1]['peak_rss_mb'] - mine[0]['peak_rss_mb']:+d} MB)")


if __name__ == "__main__":
    main()
