#!/usr/bin/env bash
# Builds the interview and every fixture book and checks, with an independent Markdown
# parser, that every paragraph, list item, table cell and code line of the source is in
# both the PDF and the EPUB (scripts/coverage.py; figures in BENCH.md, issue 25).
# Needs: pip install markdown-it-py mdit-py-plugins; poppler-utils; qpdf.
# Usage: scripts/validate-coverage.sh [OUT_DIR]   (default target/validate-coverage)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-target/validate-coverage}"
mkdir -p "$out"
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-1764000000}"
cargo build -q
status=0
for book in manuscript tests/fixtures/booklet tests/fixtures/stress tests/fixtures/festival \
  tests/fixtures/programme tests/fixtures/conversations tests/fixtures/mdbook tests/fixtures/manual; do
  python3 scripts/coverage.py "$book" --out "$out/$(basename "$book")" || status=1
done
exit $status
