#!/usr/bin/env python3
"""Two (or more) folio binaries side by side on one book, as processes, alternating.

    scripts/ab.py OLD NEW                       # the interview (manuscript/), PDF, 100 rounds
    scripts/ab.py OLD NEW --rounds 40 --book target/bench-novel --format all

Each round runs every binary once, in turn, so a slow spell of the machine falls on all of
them alike; it prints each one's quartiles and mean of the wall clock (ms). This is how the
changes in BENCH.md were measured against the binary before them: keep a copy of the old
`target/release/folio` (e.g. in /tmp) before rebuilding.
"""
import argparse
import statistics
import subprocess
import tempfile
import time

parser = argparse.ArgumentParser()
parser.add_argument("binaries", nargs="+")
parser.add_argument("--rounds", type=int, default=100)
parser.add_argument("--book", default="manuscript")
parser.add_argument("--format", default="pdf")
args = parser.parse_args()

times = {b: [] for b in args.binaries}
with tempfile.TemporaryDirectory() as out:
    for _ in range(args.rounds):
        for b in args.binaries:
            cmd = [b, "build", args.book, "--format", args.format, "--out", out, "--quiet"]
            t = time.perf_counter()
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
            times[b].append((time.perf_counter() - t) * 1000)

for b, v in times.items():
    q = statistics.quantiles(v, n=4)
    print(f"{b}: p25 {q[0]:.2f}  median {q[1]:.2f}  p75 {q[2]:.2f}  mean {statistics.mean(v):.2f} ms"
          f"  ({len(v)} runs)")
