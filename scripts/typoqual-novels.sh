#!/usr/bin/env bash
# Typographic quality on two novel-length texts at the issue's settings (6 x 9 in, 1 in
# margins, 11/14 pt): the benchmark's generated novel (200,000 words) and Pride and
# Prejudice (scripts/austen.py, from Debian's r-cran-janeaustenr). Builds each with folio
# (release) and prints typoqual's headline figures (BENCH.md, "Spacing and hyphenation").
# Usage: scripts/typoqual-novels.sh [FOLIO_BINARY]   (default: build target/release/folio)
# Needs: python3 with pymupdf, apt-get and dpkg-deb (or AUSTEN_DEB=path to the .deb).
set -euo pipefail
cd "$(dirname "$0")/.."
TARGET=${CARGO_TARGET_DIR:-target}
WORK=$TARGET/typoqual-novels
TYPOQUAL=${TYPOQUAL:-../shared/tools/typoqual.py}
[ -f "$TYPOQUAL" ] || { echo "typoqual.py not found (set TYPOQUAL=path)" >&2; exit 2; }
FOLIO=${1:-}
if [ -z "$FOLIO" ]; then
    cargo build --release --bin folio 2>&1 | tail -1
    FOLIO=$TARGET/release/folio
fi
cargo bench --bench build -- --generate-only 2>&1 | tail -1
rm -rf "$WORK"
mkdir -p "$WORK"
cp -r "$TARGET/bench-novel" "$WORK/novel"
# The generated novel at the same settings as Pride and Prejudice.
sed -n '/^\[pdf\]/,$p' <(python3 - <<'PY'
import importlib.util, sys
spec = importlib.util.spec_from_file_location("austen", "scripts/austen.py")
m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
print(m.TOML)
PY
) >> "$WORK/novel/book.toml"
python3 scripts/austen.py "$WORK/austen" ${AUSTEN_DEB:+"$AUSTEN_DEB"}
for book in novel austen; do
    "$FOLIO" build "$WORK/$book" --out "$WORK/$book-out" --format pdf >/dev/null
    pdf=$(ls "$WORK/$book-out"/*.pdf)
    python3 "$TYPOQUAL" "$pdf" --json > "$WORK/$book.json"
    python3 - "$WORK/$book.json" "$book" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
w, h = d["word_spacing"], d["hyphenation"]
wo = d["widows_orphans"]
print("%-7s pages %d  mean |dev| %.1f %%  p99 %.3f em  hyphenated %.2f %%  ladder %d  overfull %d  widows %d  orphans %d"
      % (sys.argv[2], d["pages"], w["mean_abs_dev_from_natural_pct"], w["p99_em"],
         h["hyphenated_pct"], h["longest_ladder"], d["overfull"]["lines"], wo["widows"], wo["orphans"]))
PY
done
