#!/usr/bin/env python3
"""`folio watch` as a user runs it, against `folio build` as a process (issue 23, "Faster").

    scripts/watch-bench.py                      # the novel, 9 rounds
    scripts/watch-bench.py --rounds 15 --book manuscript --file 01-the-escape-of-the-soul.md

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
book = os.path.join(scratch, "book")
shutil.copytree(args.book, book)
out_watch = os.path.join(scratch, "out-watch")
out_cold = os.path.join(scratch, "out-cold")
piece = os.path.join(book, args.file)
toml = os.path.join(book, "book.toml")
original = open(piece, encoding="utf-8").read()
body = original.find("\n\n")
at = body + original[body:].index(" the ")
edited = original[:at] + " a " + original[at + 5:]
toml_text = open(toml, encoding="utf-8").read()

proc = subprocess.Popen(
    [args.binary, "watch", book, "--out", out_watch] + (["--timings"] if args.timings else []),
    stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env)
lines = queue.Queue()
threading.Thread(target=lambda: [lines.put(l) for l in proc.stderr], daemon=True).start()


def answer():
    """The next line watch prints about a build: its time in ms, or None for no rebuild."""
    deadline = time.time() + ANSWER_TIMEOUT_S
    while time.time() < deadline:
        try:
            line = lines.get(timeout=1)
        except queue.Empty:
            continue
        if args.timings and "stages (ms)" in line:
            print(line.strip())
        m = re.search(r"(?:Rebuilt|Built) in (\d+) ms", line)
        if m:
            return int(m.group(1))
        if "nothing rebuilt" in line:
            return None
        if "error" in line:
            raise SystemExit(f"watch reported an error: {line}")
    raise SystemExit("watch did not answer")


def save(path, text):
    time.sleep(SETTLE_S)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return answer()


def cold_build():
    t = time.perf_counter()
    subprocess.run([args.binary, "build", book, "--out", out_cold, "--quiet"],
                   check=True, env=env, stdout=subprocess.DEVNULL)
    return (time.perf_counter() - t) * 1000


lang_line = next(l for l in toml_text.splitlines() if l.startswith("lang = "))
other_lang = 'lang = "en-US"' if "en-GB" in lang_line else 'lang = "en-GB"'
answer()  # the first build
cold, word, relayout, touch, cold_relayout = [], [], [], [], []
try:
    for r in range(args.rounds + 1):  # round 0 warms up
        c = cold_build()
        w = save(piece, edited if r % 2 == 0 else original)
        tc = save(piece, edited if r % 2 == 0 else original)
        if r > 0:
            cold.append(c)
            word.append(w)
            touch.append(tc)
    save(piece, original)
    # Relayouts after the edits (each sets every piece; the next word edit after one sets
    # its whole piece again): a cold build of the same text beside each.
    for r in range(0 if args.no_relayout else args.rounds + 1):
        rl = save(toml, toml_text.replace(lang_line, other_lang) if r % 2 == 0 else toml_text)
        c = cold_build()
        if r > 0:
            relayout.append(rl)
            cold_relayout.append(c)
finally:
    proc.terminate()
    proc.wait()
    shutil.rmtree(scratch, ignore_errors=True)

med = statistics.median
print(f"{args.book}, {args.rounds} rounds, medians (ms):")
print(f"  cold build (process)   {med(cold):7.1f}   (min {min(cold):.1f}, max {max(cold):.1f})")
print(f"  watch, one word        {med(word):7.1f}   {100 * med(word) / med(cold):5.1f} % of cold"
      f"   (per round: {word})")
if relayout:
    print(f"  cold build, same text  {med(cold_relayout):7.1f}")
    print(f"  watch, relayout (lang) {med(relayout):7.1f}"
          f"   {100 * med(relayout) / med(cold_relayout):5.1f} % of cold   (max {max(relayout)})")
print(f"  watch, saved unchanged {'nothing rebuilt' if all(t is None for t in touch) else touch}")
