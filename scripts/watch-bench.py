#!/usr/bin/env python3
"""`folio watch` as a user runs it, against `folio build` as a process (issue 23, "Faster").

    scripts/watch-bench.py                      # the novel, 9 rounds
    scripts/watch-bench.py --rounds 15 --book manuscript --file 01-the-escape-of-the-soul.md
    scripts/watch-bench.py --against OLD_BINARY # two binaries side by side, alternating

Needs `target/release/folio` and the novel (`cargo bench --bench build -- --generate-only`
writes it to `target/bench-novel/`). The book is copied to a scratch folder; one
`folio watch` runs on the copy for the whole benchmark, as the README shows it. Each round,
alternating so slow spells fall on all of them alike:

1. **cold**: `folio build COPY --out OTHER` as a process (wall clock, PDF + EPUB);
2. **word**: one word of one paragraph changed (`the` → `a`, and back the next round);
   the time is what watch prints ("Rebuilt in N ms");
3. **touch**: the same file saved without a change (watch says "nothing rebuilt").

Then, as many rounds again, **relayout**: an edit that sets every page again (the book's
`lang` toggled between en-GB and en-US: another dictionary for every piece), timed the
same way, each beside a cold build of the same text.

It prints the medians, word / cold and relayout / cold. `SOURCE_DATE_EPOCH` is fixed so
the outputs do not depend on the files' times.
"""
import argparse
import os
import queue
import re
import shutil
import statistics
import subprocess
import tempfile
import threading
import time

parser = argparse.ArgumentParser()
parser.add_argument("--rounds", type=int, default=9)
parser.add_argument("--book", default="target/bench-novel")
parser.add_argument("--file", default="12-chapter.md")
parser.add_argument("--binary", default="target/release/folio")
parser.add_argument("--against", metavar="OLD_BINARY",
                    help="a second binary, run side by side: each round times both, alternating")
parser.add_argument("--timings", action="store_true",
                    help="print watch's stage timings of each rebuild (folio watch --timings)")
parser.add_argument("--no-relayout", action="store_true",
                    help="only the one-word edit (for perf record)")
args = parser.parse_args()

# How long to wait for watch to answer a save before giving up (a cold novel is ~0.3 s).
ANSWER_TIMEOUT_S = 30
# Saves closer together than watch's debounce (120 ms) would be joined into one rebuild.
SETTLE_S = 0.3

env = dict(os.environ, SOURCE_DATE_EPOCH="1764000000")
scratch = tempfile.mkdtemp(prefix="folio-watch-bench-")


class Watched:
    """One `folio watch` of its own copy of the book, and a cold build beside it."""

    def __init__(self, binary, name):
        self.binary, self.name = binary, name
        self.book = os.path.join(scratch, name, "book")
        shutil.copytree(args.book, self.book)
        self.out_watch = os.path.join(scratch, name, "out-watch")
        self.out_cold = os.path.join(scratch, name, "out-cold")
        self.piece = os.path.join(self.book, args.file)
        self.toml = os.path.join(self.book, "book.toml")
        self.proc = subprocess.Popen(
            [binary, "watch", self.book, "--out", self.out_watch]
            + (["--timings"] if args.timings else []),
            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env)
        self.lines = queue.Queue()
        threading.Thread(target=lambda: [self.lines.put(l) for l in self.proc.stderr],
                         daemon=True).start()
        self.cold, self.word, self.touch, self.relayout, self.cold_relayout = [], [], [], [], []

    def answer(self):
        """The next line watch prints about a build: its time in ms, or None for no rebuild."""
        deadline = time.time() + ANSWER_TIMEOUT_S
        while time.time() < deadline:
            try:
                line = self.lines.get(timeout=1)
            except queue.Empty:
                continue
            if args.timings and "stages (ms)" in line:
                print(f"{self.name}: {line.strip()}")
            m = re.search(r"(?:Rebuilt|Built) in (\d+) ms", line)
            if m:
                return int(m.group(1))
            if "nothing rebuilt" in line:
                return None
            if "error" in line:
                raise SystemExit(f"watch reported an error: {line}")
        raise SystemExit("watch did not answer")

    def save(self, path, text):
        time.sleep(SETTLE_S)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        return self.answer()

    def cold_build(self):
        t = time.perf_counter()
        subprocess.run([self.binary, "build", self.book, "--out", self.out_cold, "--quiet"],
                       check=True, env=env, stdout=subprocess.DEVNULL)
        return (time.perf_counter() - t) * 1000

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


runs = [Watched(args.binary, "new" if args.against else "watch")]
if args.against:
    runs.append(Watched(args.against, "old"))
original = open(runs[0].piece, encoding="utf-8").read()
body = original.find("\n\n")
at = body + original[body:].index(" the ")
edited = original[:at] + " a " + original[at + 5:]
toml_text = open(runs[0].toml, encoding="utf-8").read()
lang_line = next(l for l in toml_text.splitlines() if l.startswith("lang = "))
other_lang = 'lang = "en-US"' if "en-GB" in lang_line else 'lang = "en-GB"'
for w in runs:
    w.answer()  # the first build
try:
    for r in range(args.rounds + 1):  # round 0 warms up
        for w in (runs if r % 2 == 0 else runs[::-1]):
            c = w.cold_build()
            wd = w.save(w.piece, edited if r % 2 == 0 else original)
            tc = w.save(w.piece, edited if r % 2 == 0 else original)
            if r > 0:
                w.cold.append(c)
                w.word.append(wd)
                w.touch.append(tc)
    for w in runs:
        w.save(w.piece, original)
    # Relayouts after the edits (each sets every piece; the next word edit after one sets
    # its whole piece again): a cold build of the same text beside each.
    for r in range(0 if args.no_relayout else args.rounds + 1):
        for w in (runs if r % 2 == 0 else runs[::-1]):
            rl = w.save(w.toml, toml_text.replace(lang_line, other_lang) if r % 2 == 0
                        else toml_text)
            c = w.cold_build()
            if r > 0:
                w.relayout.append(rl)
                w.cold_relayout.append(c)
finally:
    for w in runs:
        w.stop()
    shutil.rmtree(scratch, ignore_errors=True)

med = statistics.median
for w in runs:
    print(f"{w.name}: {w.binary}, {args.book}, {args.rounds} rounds, medians (ms):")
    print(f"  cold build (process)   {med(w.cold):7.1f}   (min {min(w.cold):.1f}, max {max(w.cold):.1f})")
    print(f"  watch, one word        {med(w.word):7.1f}   {100 * med(w.word) / med(w.cold):5.1f} % of cold"
          f"   (per round: {w.word})")
    if w.relayout:
        print(f"  cold build, same text  {med(w.cold_relayout):7.1f}")
        print(f"  watch, relayout (lang) {med(w.relayout):7.1f}"
              f"   {100 * med(w.relayout) / med(w.cold_relayout):5.1f} % of cold"
              f"   (max {max(w.relayout)})")
    print(f"  watch, saved unchanged "
          f"{'nothing rebuilt' if all(t is None for t in w.touch) else w.touch}")
