#!/usr/bin/env bash
# folio against Typst on the same novel, measured side by side in one run (BENCH.md).
#
#   scripts/bench.sh            # 5 rounds
#   ROUNDS=9 scripts/bench.sh
#
# Needs: cargo, python3 with `typst` and `pypandoc-binary` (pip install typst pypandoc-binary);
# `pymupdf` for the typographic report (pip install pymupdf) and the typoqual tool at
# $TYPOQUAL (default ../shared/tools/typoqual.py).
#
# Steps: build folio in release; generate the novel (benches/build/novel.rs, fixed seed)
# into target/bench-novel; convert its chapters with pandoc into one Typst file whose
# preamble matches folio's page; then time, alternating within each round:
#   1. `target/release/folio build <novel> --format pdf` (whole process, wall clock), and
#      the same with both outputs (`--format all`);
#   2. `python3 -c 'import typst; typst.compile(...)'`, wall clock of the process and the
#      time inside Python around `typst.compile` (so the interpreter's start-up is out);
#   3. `target/release/folio build manuscript --format pdf` (the interview), 20 times a
#      round (a run is some 12 ms, where this machine's noise is a few ms), and
#      `folio --version` as often: the floor of starting and ending the process.
# One warm-up round is not counted; medians and ratios come from the other rounds.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
ROUNDS=${ROUNDS:-5}
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
WORK=$TARGET/bench-typst
TYPOQUAL=${TYPOQUAL:-$ROOT/../shared/tools/typoqual.py}

cargo build --release --bin folio 2>&1 | tail -1
cargo bench --bench build -- --generate-only 2>&1 | tail -1
FOLIO=$TARGET/release/folio
NOVEL=$TARGET/bench-novel

if ! python3 -c 'import typst, pypandoc' 2>/dev/null; then
    echo "typst or pypandoc-binary missing (pip install typst pypandoc-binary): Typst is skipped" >&2
    HAVE_TYPST=0
else
    HAVE_TYPST=1
fi

rm -rf "$WORK"
mkdir -p "$WORK"
if [ "$HAVE_TYPST" = 1 ]; then
    PANDOC=$(python3 -c 'import pypandoc; print(pypandoc.get_pandoc_path())')
    # One Markdown file for pandoc: each chapter's front-matter title as a level-1 heading,
    # folio's `*term*{lang=es}` as pandoc's `[*term*]{lang=es}` span.
    python3 - "$NOVEL" "$WORK/novel.md" <<'PY'
import pathlib, re, sys
src, dst = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
out = []
for f in sorted(src.glob("*.md")):
    text = f.read_text()
    _, front, body = text.split("---\n", 2)
    title = re.search(r'^title: "(.*)"$', front, re.M).group(1)
    body = re.sub(r"\*([^*]+)\*\{lang=([a-z-]+)\}", r"[*\1*]{lang=\2}", body)
    out.append(f"# {title}\n\n{body}")
dst.write_text("\n".join(out))
PY
    "$PANDOC" -f markdown -t typst "$WORK/novel.md" -o "$WORK/body.typ"
    # folio's page: A5, margins inner 15 / outer 21 / top 17 / bottom 24 mm, EB Garamond
    # 10.5 pt on 13.5 pt (the line box is the em, 1em + 3pt leading = 13.5 pt baseline to
    # baseline), justified, hyphenated, 1 em indent, no space between paragraphs, chapters
    # on a new page, folios at the foot.
    cat > "$WORK/novel.typ" <<'TYP'
#set document(title: "The Great Movement")
#set page(width: 148mm, height: 210mm,
  margin: (inside: 15mm, outside: 21mm, top: 17mm, bottom: 24mm),
  numbering: "1")
#set text(font: "EB Garamond", size: 10.5pt, lang: "en", region: "GB", hyphenate: true,
  top-edge: 1em, bottom-edge: 0em, number-type: "old-style")
#set par(justify: true, leading: 3pt, spacing: 3pt, first-line-indent: 1em)
#show heading.where(level: 1): it => { pagebreak(weak: true); v(4em); align(center, text(size: 1.6em, it.body)); v(2em) }
#show heading.where(level: 2): it => { v(13.5pt); align(center, text(style: "italic", it.body)); v(13.5pt) }
#include "body.typ"
TYP
fi

python3 - "$ROUNDS" "$FOLIO" "$NOVEL" "$ROOT/manuscript" "$WORK" "$ROOT/fonts" "$HAVE_TYPST" <<'PY'
import statistics, subprocess, sys, time
rounds, folio, novel, interview, work, fonts, have_typst = sys.argv[1:]
rounds, have_typst = int(rounds), have_typst == "1"

def run_folio(book, out, fmt="pdf"):
    t = time.perf_counter()
    subprocess.run([folio, "build", book, "--out", out, "--format", fmt, "--quiet"], check=True)
    return time.perf_counter() - t

TYPST = f"""
import time, typst
t = time.perf_counter()
typst.compile("{work}/novel.typ", output="{work}/novel.pdf", root="{work}", font_paths=["{fonts}"])
print(time.perf_counter() - t)
"""
def run_typst():
    t = time.perf_counter()
    p = subprocess.run([sys.executable, "-c", TYPST], check=True, capture_output=True, text=True)
    return time.perf_counter() - t, float(p.stdout.split()[-1])

# Runs of the interview (and of `folio --version`) per round: one run of 12 ms says little
# on a machine whose noise is a few ms; twenty give a median that holds.
INTERVIEW_RUNS = 20

def run_version():
    t = time.perf_counter()
    subprocess.run([folio, "--version"], check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t

res = {"folio novel": [], "folio novel, PDF+EPUB": [], "typst novel (process)": [], "typst novel (compile)": [], "folio interview": [], "folio --version": []}
for r in range(rounds + 1):
    a = run_folio(novel, f"{work}/folio-novel")
    a2 = run_folio(novel, f"{work}/folio-novel-both", "all")
    b = run_typst() if have_typst else None
    c, v = [], []
    for _ in range(INTERVIEW_RUNS):
        c.append(run_folio(interview, f"{work}/folio-interview"))
        v.append(run_version())
    if r == 0:
        continue  # warm-up
    res["folio novel"].append(a)
    res["folio novel, PDF+EPUB"].append(a2)
    if b:
        res["typst novel (process)"].append(b[0])
        res["typst novel (compile)"].append(b[1])
    res["folio interview"].extend(c)
    res["folio --version"].extend(v)

print(f"\n{rounds} rounds (+1 warm-up), alternating; medians of wall-clock seconds")
for k, v in res.items():
    if v:
        if len(v) > rounds:  # the short runs: one decimal, and the spread as quartiles
            q = statistics.quantiles(v, n=4)
            print(f"  {k:<24} {statistics.median(v)*1000:8.1f} ms   (quartiles {q[0]*1000:.1f}, {q[2]*1000:.1f}; {len(v)} runs)")
        else:
            print(f"  {k:<24} {statistics.median(v)*1000:8.0f} ms   (min {min(v)*1000:.0f}, max {max(v)*1000:.0f})")
if have_typst:
    f = statistics.median(res["folio novel"])
    print(f"  ratio typst compile / folio process  {statistics.median(res['typst novel (compile)'])/f:5.1f}x")
    print(f"  ratio typst process / folio process  {statistics.median(res['typst novel (process)'])/f:5.1f}x")
    both = statistics.median(res["folio novel, PDF+EPUB"])
    print(f"  ratio typst compile / folio PDF+EPUB {statistics.median(res['typst novel (compile)'])/both:5.1f}x")
    # The same ratio per round, to show the spread.
    per = [t / f_ for t, f_ in zip(res["typst novel (compile)"], res["folio novel"])]
    print(f"  per-round compile ratios  {' '.join(f'{x:.1f}' for x in per)}")
PY

if [ -f "$TYPOQUAL" ] && python3 -c 'import pymupdf' 2>/dev/null; then
    for pdf in "$WORK"/folio-novel/*.pdf "$WORK/novel.pdf"; do
        [ -f "$pdf" ] || continue
        echo
        echo "== typoqual $pdf"
        python3 "$TYPOQUAL" "$pdf"
    done
else
    echo "typoqual skipped (no $TYPOQUAL or no pymupdf)" >&2
fi
