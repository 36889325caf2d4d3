#!/usr/bin/env bash
# Builds the interview, the booklets and the stress fixture's PDFs (with the booklets' print
# editions, imposed sheets and a wrap cover) and checks each with the
# external tools: qpdf --check (syntax), pdffonts (every font embedded, subset, with a
# ToUnicode map), pdftotext (text comes out); then holds the interview to issue 5's
# typographic bar with typoqual (0 overfull, 0 widows/orphans, ladders <= 2, no hyphen at a
# page break, mean |dev| <= 10 %, hyphenated lines <= 6 %, word space p99 <= 0.38 em); the
# booklets' holes (none over two lines that the build did not announce); checks the tagged PDFs with
# pdfua (the machine-checkable part of PDF/UA-1: no finding on the interview, the booklets
# and the stress book, screen, print and imposed editions and the wrap cover) and shows
# poppler's view of the interview's structure tree; compares folio's tree with Typst's on
# the same text (scripts/typst-tags.py).
# Needs: qpdf, poppler-utils, `pip install pymupdf pdfua typst`. Under CI every tool is
# required; elsewhere a missing one is said loudly and its check fails.
# Usage: scripts/validate-pdf.sh [OUT_DIR]   (default target/validate-pdf)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-target/validate-pdf}"
mkdir -p "$out"
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-1764000000}"
cargo build -q --bin folio
status=0
for book in manuscript tests/fixtures/booklet tests/fixtures/stress tests/fixtures/festival \
  tests/fixtures/programme tests/fixtures/conversations tests/fixtures/mdbook tests/fixtures/manual; do
  name="$(basename "$book")"
  # Every book also gets its print edition (print PDF, imposed booklet) and the festival a
  # perfect-bound run with its wrap cover: every file is checked the same way.
  case "$name" in
    booklet) extra=(--print --crop-marks) ;;
    *) extra=(--print) ;;
  esac
  # The build's warnings are kept: a hole a keep forces must be announced (below).
  target/debug/folio build "$book" --out "$out/$name" --format pdf "${extra[@]}" 2> "$out/$name.log"
  if [ "$name" = festival ]; then
    target/debug/folio build "$book" --out "$out/$name-perfect" --format pdf -q --binding perfect
    cp "$out/$name-perfect"/*-cover.pdf "$out/$name/"
  fi
  for pdf in "$out/$name"/*.pdf; do
    label="$name/$(basename "$pdf")"
    qpdf_out="$(qpdf --check "$pdf" 2>&1)" || { echo "$label: qpdf --check failed"; echo "$qpdf_out"; status=1; }
    bad_fonts="$(pdffonts "$pdf" | tail -n +3 | awk '$(NF-4)!="yes" || $(NF-3)!="yes" || $(NF-2)!="yes"')"
    fonts="$(pdffonts "$pdf" | tail -n +3 | wc -l)"
    words="$(pdftotext "$pdf" - | wc -w)"
    if [ -n "$bad_fonts" ] || [ "$fonts" = 0 ] || [ "$words" -lt 50 ]; then
      echo "$label: fonts not all embedded+subset+unicode, or no text"; echo "$bad_fonts"; status=1
    fi
    echo "$label: qpdf ok, $fonts fonts (emb/sub/uni yes), $words words, $(pdfinfo "$pdf" | awk '/^Pages/{print $2}') pages"
  done
done
# Accessibility: every PDF made above (screen, print, imposed, wrap cover) is tagged; pdfua
# finds nothing (exit 0: no finding at all).
for pdf in "$out"/*/*.pdf; do
  label="$(basename "$(dirname "$pdf")")/$(basename "$pdf")"
  if pdfua check "$pdf" > "$out/pdfua.txt" 2>&1; then
    echo "$label: pdfua: no findings"
  else
    echo "$label: pdfua found something"; cat "$out/pdfua.txt"; status=1
  fi
done
# Poppler reads the structure tree: the interview's parts, headings and paragraphs.
tree="$(pdfinfo -struct-text "$out/manuscript/the-escape-of-the-soul.pdf" 2>/dev/null)"
for role in Document Part H1 P Span; do
  grep -q "^ *$role\b" <<<"$tree" || { echo "pdfinfo -struct-text: no $role in the interview's tree"; status=1; }
done
echo "pdfinfo -struct-text (interview, first lines):"; head -12 <<<"$tree"
python3 scripts/typst-tags.py target/debug/folio || status=1
typoqual="${TYPOQUAL:-../shared/tools/typoqual.py}"
if [ ! -f "$typoqual" ]; then
  echo "typoqual not found at $typoqual: the typographic bar cannot be checked (FAILED)"
  status=1
else
  python3 "$typoqual" "$out/manuscript/the-escape-of-the-soul.pdf" --json > "$out/typoqual.json"
  python3 - "$out/typoqual.json" <<'PY' || status=1
import json, sys
r = json.load(open(sys.argv[1]))
ws, hy, ov, wo = r["word_spacing"], r["hyphenation"], r["overfull"], r["widows_orphans"]
checks = [
    ("mean |dev| from natural <= 10 %", ws["mean_abs_dev_from_natural_pct"] <= 10.0, ws["mean_abs_dev_from_natural_pct"]),
    ("hyphenated lines <= 6 %", hy["hyphenated_pct"] <= 6.0, hy["hyphenated_pct"]),
    ("word space p99 <= 0.38 em", ws["p99_em"] <= 0.38, ws["p99_em"]),
    ("0 overfull lines", ov["lines"] == 0, ov["lines"]),
    ("0 widows", wo["widows"] == 0, wo["widows"]),
    ("0 orphans", wo["orphans"] == 0, wo["orphans"]),
    ("longest ladder <= 2", hy["longest_ladder"] <= 2, hy["longest_ladder"]),
    ("no hyphen at a page break", hy["at_page_break"] == 0, hy["at_page_break"]),
]
for name, ok, value in checks:
    print(f"typoqual interview: {name}: {value} {'ok' if ok else 'FAILED'}")
sys.exit(0 if all(ok for _, ok, _ in checks) else 1)
PY
fi
# Holes (the empty foot of pages that do not end a piece): the interview must have none over
# two lines; the festival booklet's figures are reported (see BENCH.md).
if ! python3 scripts/holes.py "$out/manuscript/the-escape-of-the-soul.pdf" --check > "$out/holes-interview.txt"; then
  echo "holes: the interview has a page with a hole"; status=1
fi
tail -1 "$out/holes-interview.txt"
# The booklets and the mdBook book, screen and print editions: every page over two lines short is one the build
# announced ("the page before this ends N lines short"), page for page.
for name in festival programme conversations mdbook manual; do
  announced="$(grep -c "lines short" "$out/$name.log" || true)"
  for pdf in "$out/$name"/*.pdf; do
    case "$pdf" in *-booklet.pdf|*-cover.pdf) continue ;; esac
    over="$(python3 scripts/holes.py "$pdf" --json | python3 -c 'import json,sys; print(sum(1 for p in json.load(sys.stdin)["pages"] if p["over"]))')"
    echo "holes, $name/$(basename "$pdf"): $over over two lines, $announced announced by the build"
    if [ "$over" != "$announced" ]; then status=1; echo "holes: FAILED"; fi
  done
done
exit $status
